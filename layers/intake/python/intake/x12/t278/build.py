"""Build a 005010X217 278 request and the 005010X215 278 status inquiry.

Layout (as in the X217 TR3 and the stupidedi home-health sample): 2000A UMO (HL 20, NM1*X3)
→ 2000B requester (HL 21, NM1*1P with the NPI) → 2000C subscriber (HL 22) → optional 2000D
dependent (HL 23) → 2000E patient event (HL EV: TRN, UM, DTP, HI, HSD, PWK, 2010EA providers)
→ 2000F services (HL SS: SV1 or SV2). The inquiry (X215) keeps the hierarchy and points at
the original request with its trace (TRN) and the UMO's numbers (REF*NT, REF*BB).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Unpack

from intake.x12.delimiters import DEFAULT_DELIMITERS, Delimiters
from intake.x12.errors import X12BuildError
from intake.x12.segments import Segment
from intake.x12.t278.grammar import T278
from intake.x12.t278.request import Member, Party, ReviewRequest, ServiceLine, StatusInquiry
from intake.x12.writer import SegmentWriter, WriteOptions, write_transaction

IMPLEMENTATION_278 = T278.implementation
IMPLEMENTATION_278_INQUIRY = "005010X215"
FUNCTIONAL_ID_278 = T278.functional_id
"""GS01 for 278s (health care services review information)."""

CONTACT_MAX, REFERENCE_MAX = 60, 50
"""PER02 and REF02 maximum lengths (X12 data elements 93, 127)."""


def d8(value: date) -> str:
    return value.strftime("%Y%m%d")


def period(start: date, end: date | None) -> tuple[str, str]:
    """DTP02/DTP03 for one day (D8) or a range (RD8)."""
    if end is None or end == start:
        return "D8", d8(start)
    if end < start:
        raise X12BuildError("a date range ends before it starts")
    return "RD8", f"{d8(start)}-{d8(end)}"


def icd10(code: str) -> str:
    """HI carries ICD-10 codes without the dot (D80.1 → D801)."""
    return code.replace(".", "").strip().upper()


def _nm1(seg: SegmentWriter, code: str, party: Party) -> Segment:
    qualifier = party.id_qualifier if party.id else ""
    if party.is_person:
        return seg.person(code, party.name, party.first_name, code, qualifier, party.id)
    return seg.organization(code, party.name, f"{code} name", qualifier, party.id)


def _per(seg: SegmentWriter, party: Party) -> list[Segment]:
    numbers: list[str] = []
    if party.phone:
        numbers += ["TE", _digits(party.phone)]
    if party.fax:
        numbers += ["FX", _digits(party.fax)]
    if not numbers:
        return []
    return [seg("PER", "IC", seg.text(party.contact_name, CONTACT_MAX) or None, *numbers)]


def _digits(phone: str) -> str:
    return "".join(c for c in phone if c.isdigit())


def _members(seg: SegmentWriter, subscriber: Member, dependent: Member | None) -> list[Segment]:
    """HL 22 (and HL 23) with names and demographics; HL ids 3 (and 4)."""
    sub = subscriber
    body = [
        seg("HL", "3", "2", "22", "1"),
        seg.person("IL", sub.last_name, sub.first_name, "subscriber", "MI", sub.member_id),
    ]
    group = seg.text(sub.group_number, REFERENCE_MAX)
    if group:
        body.append(seg("REF", "6P", group))
    if sub.dob is not None:
        body.append(seg.demographics(sub.dob, sub.sex))
    if dependent is None:
        return body
    body += [
        seg("HL", "4", "3", "23", "1"),
        seg.person("QC", dependent.last_name, dependent.first_name, "patient"),
    ]
    if dependent.dob is not None:
        body.append(seg.demographics(dependent.dob, dependent.sex))
    if dependent.relationship_code:
        body.append(seg("INS", "N", dependent.relationship_code))
    return body


def _header(
    seg: SegmentWriter, asked: ReviewRequest | StatusInquiry, stamp: datetime
) -> list[Segment]:
    """BHT and the 2000A-2000D loops both a request and a status inquiry send."""
    return [
        seg("BHT", "0007", "13", asked.trace_number, d8(stamp), stamp.strftime("%H%M")),
        seg("HL", "1", "", "20", "1"),
        _nm1(seg, "X3", asked.umo),
        seg("HL", "2", "1", "21", "1"),
        _nm1(seg, "1P", asked.requester),
        *_per(seg, asked.requester),
        *_members(seg, asked.subscriber, asked.dependent),
    ]


def _service(seg: SegmentWriter, line: ServiceLine) -> Segment:
    procedure: tuple[str, ...] = (line.qualifier, line.code, *line.modifiers)
    quantity = None if line.quantity is None else str(line.quantity)
    if line.revenue_code:
        return seg("SV2", line.revenue_code, procedure, "", line.unit_basis, quantity)
    return seg("SV1", procedure, "", line.unit_basis, quantity)


def build_278_request_body(
    request: ReviewRequest,
    delimiters: Delimiters = DEFAULT_DELIMITERS,
    now: datetime | None = None,
) -> list[Segment]:
    """The segments between ST and SE of a 005010X217 request."""
    if not request.diagnoses:
        raise X12BuildError("a 278 request needs at least one diagnosis (HI)")
    seg = SegmentWriter(delimiters)
    stamp = now or datetime.now()
    body = _header(seg, request, stamp)
    event_id = len([s for s in body if s.id == "HL"]) + 1
    parent = event_id - 1
    body += [
        seg("HL", str(event_id), str(parent), "EV", "1" if request.services else "0"),
        seg("TRN", "1", request.trace_number, request.originator_id),
        seg(
            "UM",
            request.request_category,
            request.certification_type,
            request.service_type or None,
            (request.place_of_service, "B"),
            "",
            "",
            "",
            "",
            "Y",
        ),
    ]
    if request.review_number:
        body.append(seg("REF", "NT", request.review_number))
    body.append(seg("DTP", "AAH", *period(request.event_start, request.event_end)))
    principal = [d for d in request.diagnoses if d.principal] or [request.diagnoses[0]]
    others = [d for d in request.diagnoses if d is not principal[0]]
    body.append(
        seg("HI", ("ABK", icd10(principal[0].code)), *(("ABF", icd10(d.code)) for d in others[:11]))
    )
    h = request.delivery
    if h is not None:
        body.append(
            seg(
                "HSD",
                h.quantity_qualifier,
                str(h.quantity),
                h.unit or None,
                None if h.modulus is None else str(h.modulus),
                h.period_qualifier or None,
                None if h.periods is None else str(h.periods),
            )
        )
    if request.attachment_control_number:
        body.append(seg("PWK", "OZ", "FX", "", "", "AC", request.attachment_control_number))
    for report_type, control in request.attachments:
        body.append(seg("PWK", report_type, "FX", "", "", "AC", control))
    for code, party in request.providers:
        body.append(_nm1(seg, code, party))
        body.extend(_per(seg, party))
    for n, line in enumerate(request.services, start=event_id + 1):
        body += [seg("HL", str(n), str(event_id), "SS", "0"), _service(seg, line)]
    return body


def build_278_inquiry_body(
    inquiry: StatusInquiry,
    delimiters: Delimiters = DEFAULT_DELIMITERS,
    now: datetime | None = None,
) -> list[Segment]:
    """The segments between ST and SE of a 005010X215 status inquiry."""
    seg = SegmentWriter(delimiters)
    stamp = now or datetime.now()
    body = _header(seg, inquiry, stamp)
    event_id = len([s for s in body if s.id == "HL"]) + 1
    body += [
        seg("HL", str(event_id), str(event_id - 1), "EV", "0"),
        seg("TRN", "1", inquiry.original_trace, inquiry.originator_id),
        seg("UM", "HS", "I", "", ("12", "B")),
    ]
    if inquiry.review_number:
        body.append(seg("REF", "NT", inquiry.review_number))
    if inquiry.certification_number:
        body.append(seg("REF", "BB", inquiry.certification_number))
    body.append(seg("DTP", "AAH", *period(inquiry.event_start, inquiry.event_end)))
    return body


def build_278_request(request: ReviewRequest, **options: Unpack[WriteOptions]) -> str:
    """The complete 005010X217 278 request interchange (ISA…IEA)."""
    delimiters = options.get("delimiters", DEFAULT_DELIMITERS)
    body = build_278_request_body(request, delimiters, options.get("now"))
    return write_transaction(T278, [body], **options)


def build_278_inquiry(inquiry: StatusInquiry, **options: Unpack[WriteOptions]) -> str:
    """The complete 005010X215 278 status inquiry interchange (ISA…IEA)."""
    delimiters = options.get("delimiters", DEFAULT_DELIMITERS)
    body = build_278_inquiry_body(inquiry, delimiters, options.get("now"))
    return write_transaction(T278, [body], implementation=IMPLEMENTATION_278_INQUIRY, **options)
