"""What a 278 response means: certified, denied, pended or rejected, in one small model.

The poller and the workflow act on ``status`` alone; the numbers and dates go on the
referral record, and ``reason`` is plain words for the liaison. The event-level HCR (2000E)
decides; when a UMO answers per service line only (2000F), the lines are combined: any pended
line keeps the whole request pended, else any certified line certifies it (``partial`` set
when some lines were not certified), else it is denied.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from intake.x12.errors import X12StructureError
from intake.x12.segments import Segment
from intake.x12.t278.codes import (
    ACTION_CODES,
    CERTIFIED_ACTIONS,
    DECISION_REASONS,
    DENIED_ACTIONS,
    FOLLOW_UP_ACTIONS,
    PENDED_ACTIONS,
    REJECT_REASONS,
)
from intake.x12.t278.loops import EventLoop, Read278, Rejection278, Review, Transaction278
from intake.x12.t278.parse import parse_278
from intake.x12.values import date_period

AuthStatus = Literal["certified", "denied", "pended", "rejected"]


class AuthDecision(BaseModel):
    """The UMO's answer to one 278 request or status inquiry."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    status: AuthStatus
    action_code: str | None = None
    certification_number: str | None = None
    review_number: str | None = None
    """HCR02 of a pended/denied answer: the UMO's id to quote in status inquiries."""
    effective_from: date | None = None
    effective_to: date | None = None
    reason_code: str | None = None
    reason: str | None = None
    follow_up: str | None = None
    partial: bool = False
    trace_numbers: tuple[str, ...] = ()
    """Our TRN*1 traces echoed back (TRN*2), to match the answer to the request."""


def _status(action: str) -> AuthStatus:
    if action in CERTIFIED_ACTIONS:
        return "certified"
    if action in DENIED_ACTIONS:
        return "denied"
    if action in PENDED_ACTIONS:
        return "pended"
    raise X12StructureError(f"HCR01 action code {action!r} is not one a 278 response uses")


def _rejected(r: Rejection278, traces: tuple[str, ...]) -> AuthDecision:
    described = REJECT_REASONS.get(r.code, f"reject reason {r.code}")
    follow = FOLLOW_UP_ACTIONS.get(r.follow_up)
    return AuthDecision(
        status="rejected",
        reason_code=r.code or None,
        reason=f"{described} (loop {r.loop})",
        follow_up=follow,
        trace_numbers=traces,
    )


def _dates(review: Review) -> tuple[date | None, date | None]:
    """Certification period: DTP*07 effective/036 expiration when sent, else DTP*AAH."""
    by_qualifier: dict[str, Segment] = {d.element(1): d for d in review.dates}
    start = end = None
    if "07" in by_qualifier:
        start = date_period(by_qualifier["07"], 2, 3)[0]
    if "036" in by_qualifier:
        end = date_period(by_qualifier["036"], 2, 3)[0]
    if (start is None or end is None) and "AAH" in by_qualifier:
        aah_start, aah_end = date_period(by_qualifier["AAH"], 2, 3)
        start = start or aah_start
        end = end or aah_end or aah_start
    return start, end


def _from_hcr(review: Review, traces: tuple[str, ...], partial: bool = False) -> AuthDecision:
    hcr = review.hcr
    assert hcr is not None
    action = hcr.element(1)
    status = _status(action)
    number = hcr.element(2) or None
    reason_code = hcr.element(3) or None
    start, end = _dates(review) if status == "certified" else (None, None)
    reason: str | None
    if reason_code:
        reason = DECISION_REASONS.get(reason_code, f"decision reason {reason_code}")
    else:
        reason = ACTION_CODES.get(action)
    return AuthDecision(
        status=status,
        action_code=action,
        certification_number=number if status == "certified" else None,
        review_number=number if status != "certified" else None,
        effective_from=start,
        effective_to=end,
        reason_code=reason_code,
        reason=reason,
        partial=partial or action == "A2",
        trace_numbers=traces,
    )


def _combine(event: EventLoop, traces: tuple[str, ...]) -> AuthDecision:
    decided = [s for s in event.services if s.hcr is not None]
    if not decided:
        raise X12StructureError("the 278 response has no HCR decision and no AAA rejection")
    statuses = [_status(s.hcr.element(1)) for s in decided if s.hcr is not None]
    for wanted in ("pended", "certified", "denied"):
        if wanted in statuses:
            first = decided[statuses.index(wanted)]
            partial = wanted == "certified" and len(set(statuses)) > 1
            return _from_hcr(first, traces, partial)
    raise AssertionError("unreachable: every status is one of the three")


def _all_rejections(tx: Transaction278) -> list[Rejection278]:
    out = [*tx.umo.rejections]
    if tx.requester is not None:
        out += tx.requester.rejections
    for member in (tx.subscriber, tx.dependent):
        if member is not None:
            out += member.rejections
    for event in tx.events:
        out += event.rejections
        out += [r for p in event.providers for r in p.rejections]
        out += [r for s in event.services for r in s.rejections]
    return out


def decide_transaction(tx: Transaction278) -> AuthDecision:
    """The decision in one 278 response transaction."""
    event = tx.events[0] if tx.events else None
    traces: tuple[str, ...] = ()
    if event is not None:
        traces = tuple(t.element(2) for t in event.traces if t.element(1) == "2")
    rejections = _all_rejections(tx)
    if event is None or (event.hcr is None and rejections):
        if not rejections:
            raise X12StructureError("the 278 response has no patient event (HL EV) and no AAA")
        return _rejected(rejections[0], traces)
    if event.hcr is not None:
        return _from_hcr(event, traces)
    return _combine(event, traces)


def interpret_278(read: Read278) -> list[AuthDecision]:
    """One decision per transaction, in document order."""
    return [decide_transaction(tx) for tx in read.transactions]


def interpret_278_response(text: str, *, strict: bool = False) -> AuthDecision:
    """Parse a 278 response interchange and return its (first) decision."""
    decisions: Sequence[AuthDecision] = interpret_278(parse_278(text, strict=strict))
    if not decisions:
        raise X12StructureError("the interchange holds no 278 transaction")
    return decisions[0]
