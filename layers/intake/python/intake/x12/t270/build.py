"""Build a 005010X279A1 270 from an ``EligibilityInquiry``.

Layout: 2000A payer (HL 20, NM1*PR) → 2000B provider (HL 21, NM1*1P with the NPI) → 2000C
subscriber (HL 22) → optionally 2000D dependent (HL 23). The trace, demographics, service date
and EQ go in the patient's loop: 2000C for a subscriber, 2000D for a dependent.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Unpack

from intake.x12.delimiters import DEFAULT_DELIMITERS, Delimiters
from intake.x12.segments import Segment, repeated
from intake.x12.t270.grammar import T270
from intake.x12.t270.inquiry import INS_RELATIONSHIP_CODES, EligibilityInquiry, InquiryPerson
from intake.x12.writer import SegmentWriter, WriteOptions, write_transaction

IMPLEMENTATION_270 = T270.implementation


def _d8(value: date) -> str:
    return value.strftime("%Y%m%d")


def build_270_body(
    inquiry: EligibilityInquiry,
    delimiters: Delimiters = DEFAULT_DELIMITERS,
    now: datetime | None = None,
) -> list[Segment]:
    """The segments between ST and SE."""
    stamp = now or datetime.now()
    seg = SegmentWriter(delimiters)

    def demographics(person: InquiryPerson) -> Segment:
        return seg.demographics(person.dob, person.sex.value if person.sex else None)

    sub = inquiry.subscriber
    dep = inquiry.dependent
    patient_tail = [
        seg("DTP", "291", "D8", _d8(inquiry.service_date)),
        seg("EQ", repeated(*inquiry.service_types)),
    ]
    trace = seg("TRN", "1", inquiry.trace_number, inquiry.originator_id)
    body = [
        seg(
            "BHT",
            "0022",
            "13",
            inquiry.trace_number,
            stamp.strftime("%Y%m%d"),
            stamp.strftime("%H%M"),
        ),
        seg("HL", "1", "", "20", "1"),
        seg.organization("PR", inquiry.payer_name, "payer name", "PI", inquiry.payer_id),
        seg("HL", "2", "1", "21", "1"),
        seg.organization("1P", inquiry.provider_name, "provider name", "XX", inquiry.provider_npi),
        seg("HL", "3", "2", "22", "1" if dep else "0"),
    ]
    if dep is None:
        body.append(trace)
    body.append(
        seg.person(
            "IL",
            sub.last_name,
            sub.first_name,
            "subscriber",
            "MI" if sub.member_id else "",  # a demographic search: NM108/NM109 absent
            sub.member_id or "",
            sub.suffix or "",
        )
    )
    if sub.group_number:
        group = seg.text(sub.group_number, 50)
        if group:
            body.append(seg("REF", "6P", group))
    if sub.address is not None:
        where = sub.address
        body.append(seg("N3", seg.text(where.line1, 55)))
        body.append(seg("N4", seg.text(where.city, 30), where.state, where.postal_code))
    body.append(demographics(sub))
    if dep is None:
        body.extend(patient_tail)
        return body
    body.extend(
        [
            seg("HL", "4", "3", "23", "0"),
            trace,
            seg.person("03", dep.last_name, dep.first_name, "dependent"),
            demographics(dep),
            seg("INS", "N", INS_RELATIONSHIP_CODES[dep.relationship]),
            *patient_tail,
        ]
    )
    return body


def build_270(inquiry: EligibilityInquiry, **options: Unpack[WriteOptions]) -> str:
    """The complete 270 interchange text (ISA…IEA) for one inquiry."""
    body = build_270_body(
        inquiry, options.get("delimiters", DEFAULT_DELIMITERS), options.get("now")
    )
    return write_transaction(T270, [body], **options)
