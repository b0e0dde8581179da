"""Turn a stored 278 request into its appeal: the same patient, services and dates, asked again.

An appeal is a new X217 request (UM02 ``2`` standard appeal, ``1`` immediate/expedited) with
its own trace and a pointer to the decision it contests: REF*NT, the UMO's administrative
reference of the original (disallowed) review, and REF*BB, the certification number when a
partial or modified certification is appealed (Da Vinci PAS maps the same two:
``administrationReferenceNumber`` "assigned by the UMO to the original disallowed review
outcome" and ``authorizationNumber``/previous authorization). Rebuilding from the stored X12
rather than from the referral guarantees the appeal asks for exactly what was denied.
"""

from __future__ import annotations

from datetime import datetime

from intake.x12.control_numbers import ControlNumberSource
from intake.x12.delimiters import DEFAULT_DELIMITERS, Delimiters
from intake.x12.envelope import EnvelopeParties
from intake.x12.errors import X12BuildError
from intake.x12.segments import Segment
from intake.x12.t278.build import d8
from intake.x12.t278.grammar import T278
from intake.x12.t278.parse import parse_278
from intake.x12.text import x12_text
from intake.x12.writer import write_transaction

STANDARD_APPEAL, IMMEDIATE_APPEAL = "2", "1"
REVIEW_REFERENCE, PRIOR_CERTIFICATION = "NT", "BB"
_REFERENCE_MAX = 50


def _replace(seg: Segment, n: int, value: str) -> Segment:
    elements = list(seg.elements) + [""] * max(0, n - len(seg.elements))
    elements[n - 1] = value
    return Segment(seg.id, tuple(elements), seg.delimiters)


def build_278_appeal(
    original_request_x12: str,
    *,
    review_number: str,
    trace_number: str,
    now: datetime,
    immediate: bool = False,
    certification_number: str = "",
    parties: EnvelopeParties | None = None,
    delimiters: Delimiters = DEFAULT_DELIMITERS,
    control_numbers: ControlNumberSource | None = None,
) -> str:
    """The appeal of ``original_request_x12`` (an X217 request we sent) as a new interchange.

    ``review_number`` is the UMO's number on the adverse decision (HCR02 of the A3/A6 answer);
    ``trace_number`` the appeal's own TRN02/BHT03, so its answer is matched to it and not to
    the original."""
    for name, value in (("review_number", review_number), ("trace_number", trace_number)):
        if not value or x12_text(value, delimiters=delimiters) != value:
            raise X12BuildError(f"the appeal's {name} must be non-empty letters and digits")
    read = parse_278(original_request_x12)
    if not read.transactions or read.transactions[0].is_response:
        raise X12BuildError("the appeal is built from the original 278 request, not a response")
    tx = next(read.interchange.transactions())
    certification_type = IMMEDIATE_APPEAL if immediate else STANDARD_APPEAL
    body: list[Segment] = []
    in_event = seen_um = False
    for original in tx.segments:
        seg = original
        if seg.id == "BHT":
            seg = Segment(
                "BHT",
                ("0007", "13", trace_number, d8(now), now.strftime("%H%M")),
                delimiters,
            )
        elif seg.id == "HL":
            in_event = seg.element(3) == "EV"
        elif in_event and seg.id == "TRN" and seg.element(1) == "1":
            seg = _replace(seg, 2, trace_number)
        elif (
            in_event
            and seg.id == "REF"
            and seg.element(1)
            in (
                REVIEW_REFERENCE,
                PRIOR_CERTIFICATION,
            )
        ):
            continue  # replaced by the references to the decision appealed
        body.append(seg)
        if in_event and seg.id == "UM" and not seen_um:
            seen_um = True
            body[-1] = _replace(seg, 2, certification_type)
            body.append(Segment("REF", (REVIEW_REFERENCE, review_number[:_REFERENCE_MAX])))
            cert = x12_text(certification_number, max_length=_REFERENCE_MAX)
            if cert:
                body.append(Segment("REF", (PRIOR_CERTIFICATION, cert)))
    if not seen_um:
        raise X12BuildError("the original request has no patient event (UM) to appeal")
    return write_transaction(
        T278,
        [body],
        implementation=tx.implementation,
        parties=parties or EnvelopeParties.from_interchange(read.interchange),
        delimiters=delimiters,
        control_numbers=control_numbers,
        now=now,
    )
