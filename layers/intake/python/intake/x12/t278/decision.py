"""What a 278 response means, overall and per service line, in one small model.

A payer answers per request (HCR in 2000E) and, often, per service line (HCR in 2000F): the
drug certified, nursing not; the drug for fewer units or a shorter period than asked (A6).
So the answer is read line by line, and the overall ``status`` is never more favourable than
its lines: A2 is ``partial`` and A6 ``modified`` (not ``certified``), and one certified line no
longer certifies the whole request. The event-level HCR decides when sent, except that an
event A1 over lines that are not all certified is ``partial`` (the lines are the specific
answer). Without an event HCR the lines are combined (see ``_combine``).

Units: the requested units are the SV1/SV2 quantity the response echoes; the approved units are
the HSD quantity on the 2000F line, or, without one, the echoed quantity when the line was
certified in total. Dates: certification effective (DTP*007) and expiration (DTP*036), issue
(DTP*102), the event period (DTP*AAH) and the line's service dates (DTP*472); the 4010 response
used the same 102/007/036 qualifiers and Da Vinci PAS carries the three certification dates per
item as a date or a period, so an RD8 range is accepted too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation

from pydantic import ConfigDict

from intake.models.authorization import AuthorizationDecision, DecisionLine
from intake.x12.errors import X12StructureError
from intake.x12.segments import Segment
from intake.x12.t278.codes import (
    ACTION_CODES,
    ACTION_STATUS,
    APPROVING_STATUSES,
    DECISION_REASONS,
    FOLLOW_UP_ACTIONS,
    REJECT_REASONS,
    AuthStatus,
)
from intake.x12.t278.loops import (
    EventLoop,
    Read278,
    Review,
    ServiceLoop,
    Transaction278,
)
from intake.x12.t278.parse import parse_278
from intake.x12.values import Rejection, date_period

__all__ = ["AuthDecision", "AuthStatus", "LineDecision", "interpret_278", "interpret_278_response"]

ISSUED, EFFECTIVE, EXPIRES, EVENT_PERIOD, SERVICE_DATES = "102", "007", "036", "AAH", "472"


_STRICT = ConfigDict(frozen=True, extra="forbid")


class LineDecision(DecisionLine):
    """The UMO's answer for one requested service line (2000F); its fields are those the
    authorization record keeps (``intake.models.authorization.DecisionLine``)."""

    model_config = _STRICT

    status: AuthStatus


class AuthDecision(AuthorizationDecision):
    """The UMO's answer to one 278 request or status inquiry; its fields are those the
    authorization record keeps (``intake.models.authorization.AuthorizationDecision``)."""

    model_config = _STRICT

    status: AuthStatus
    lines: tuple[LineDecision, ...] = ()


def _status(action: str) -> AuthStatus:
    try:
        return ACTION_STATUS[action]
    except KeyError:
        raise X12StructureError(
            f"HCR01 action code {action!r} is not one a 278 response uses"
        ) from None


def _reason(action: str, reason_code: str | None) -> str | None:
    if reason_code:
        return DECISION_REASONS.get(reason_code, f"decision reason {reason_code}")
    return ACTION_CODES.get(action)


def _rejected(r: Rejection, traces: tuple[str, ...]) -> AuthDecision:
    described = REJECT_REASONS.get(r.code, f"reject reason {r.code}")
    follow = FOLLOW_UP_ACTIONS.get(r.follow_up)
    return AuthDecision(
        status="rejected",
        reason_code=r.code or None,
        reason=f"{described} (loop {r.loop})",
        follow_up=follow,
        trace_numbers=traces,
    )


def _date_map(review: Review) -> dict[str, tuple[date, date | None]]:
    return {d.element(1): date_period(d, 2, 3) for d in review.dates}


def _certified_period(
    dates: dict[str, tuple[date, date | None]],
) -> tuple[date | None, date | None]:
    """Effective (007) to expiration (036), filled in from the event period (AAH)."""
    start = dates[EFFECTIVE][0] if EFFECTIVE in dates else None
    end = dates[EXPIRES][0] if EXPIRES in dates else None
    if EFFECTIVE in dates and dates[EFFECTIVE][1] is not None and end is None:
        end = dates[EFFECTIVE][1]  # an RD8 effective period
    if (start is None or end is None) and EVENT_PERIOD in dates:
        aah_start, aah_end = dates[EVENT_PERIOD]
        start = start or aah_start
        end = end or aah_end or aah_start
    return start, end


def _units(raw: str) -> Decimal | None:
    try:
        value = Decimal(raw) if raw else None
    except InvalidOperation:
        return None
    return value if value is not None and value.is_finite() else None


def _requested_units(service: Segment | None) -> Decimal | None:
    if service is None:
        return None
    return _units(service.element(5) if service.id == "SV2" else service.element(4))


def _line(
    service: ServiceLoop,
    event: EventLoop,
    event_dates: dict[str, tuple[date, date | None]],
) -> LineDecision:
    """One 2000F line: its own HCR when sent, else the event's; neither is undecided
    (pended)."""
    hcr = service.hcr or event.hcr
    action = hcr.element(1) if hcr is not None else ""
    status = _status(action) if hcr is not None else "pended"
    number = (hcr.element(2) or None) if hcr is not None else None
    reason_code = (hcr.element(3) or None) if hcr is not None else None
    sv = service.service
    composite = 2 if sv is not None and sv.id == "SV2" else 1
    procedure = sv.components(composite) if sv is not None else []
    requested = _requested_units(sv)
    own_dates = _date_map(service)
    dates = {**event_dates, **own_dates}
    start, end = _certified_period(dates) if status in APPROVING_STATUSES else (None, None)
    approved: Decimal | None
    if service.delivery:
        approved = _units(service.delivery[0].element(2))
    elif status == "certified":
        approved = requested
    elif status in ("denied", "cancelled"):
        approved = Decimal(0)
    else:
        approved = None
    service_period = dates.get(SERVICE_DATES)
    return LineDecision(
        procedure_code=procedure[1] if len(procedure) > 1 else "",
        modifiers=tuple(m for m in procedure[2:6] if m),
        revenue_code=(sv.element(1) or None) if sv is not None and sv.id == "SV2" else None,
        status=status,
        action_code=action or None,
        requested_units=requested,
        approved_units=approved,
        effective_from=start,
        effective_to=end,
        issued_on=dates[ISSUED][0] if ISSUED in dates else None,
        service_from=service_period[0] if service_period else None,
        service_to=(service_period[1] or service_period[0]) if service_period else None,
        certification_number=number if status in APPROVING_STATUSES else None,
        review_number=number if status not in APPROVING_STATUSES else None,
        reason_code=reason_code,
        reason=_reason(action, reason_code),
    )


def _combine(statuses: Sequence[AuthStatus]) -> AuthStatus:
    """Lines without an event HCR: pended while any line is; one status when they agree;
    nothing approved is denied; some approved and some not is partial; certified with
    modified lines is modified."""
    kinds = set(statuses)
    if "pended" in kinds:
        return "pended"
    if len(kinds) == 1:
        return statuses[0]
    if kinds <= {"denied", "cancelled"}:
        return "denied"
    if kinds & {"denied", "cancelled", "partial"}:
        return "partial"
    return "modified" if "modified" in kinds else "certified"


def _decide(event: EventLoop, traces: tuple[str, ...]) -> AuthDecision:
    event_dates = _date_map(event)
    lines = tuple(_line(s, event, event_dates) for s in event.services)
    if event.hcr is not None:
        action = event.hcr.element(1)
        status = _status(action)
        if status == "certified" and any(ln.status != "certified" for ln in lines):
            status = "partial"
        number = event.hcr.element(2) or None
        reason_code = event.hcr.element(3) or None
        dates = event_dates
    else:
        if not lines:
            raise X12StructureError("the 278 response has no HCR decision and no AAA rejection")
        status = _combine([ln.status for ln in lines])
        first = next((ln for ln in lines if ln.status == status), None) or next(
            (ln for ln in lines if ln.status in APPROVING_STATUSES), lines[0]
        )
        action = first.action_code or ""
        number = first.certification_number or first.review_number
        reason_code = next((ln.reason_code for ln in lines if ln.reason_code), None)
        dates = {**event_dates, **_date_map(next(s for s in event.services if s.hcr))}
    approving = status in APPROVING_STATUSES
    start, end = _certified_period(dates) if approving else (None, None)
    return AuthDecision(
        status=status,
        action_code=action,
        certification_number=number if approving else None,
        review_number=number if not approving else None,
        effective_from=start,
        effective_to=end,
        reason_code=reason_code,
        reason=_reason(action, reason_code),
        partial=status in ("partial", "modified"),
        trace_numbers=traces,
        lines=lines,
        messages=tuple(event.messages),
    )


def _all_rejections(tx: Transaction278) -> list[Rejection]:
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
    decided = event is not None and (
        event.hcr is not None or any(s.hcr is not None for s in event.services)
    )
    if event is None or (not decided and rejections) or (event.hcr is None and rejections):
        if not rejections:
            raise X12StructureError("the 278 response has no patient event (HL EV) and no AAA")
        return _rejected(rejections[0], traces)
    return _decide(event, traces)


def interpret_278(read: Read278) -> list[AuthDecision]:
    """One decision per transaction, in document order."""
    return [decide_transaction(tx) for tx in read.transactions]


def interpret_278_response(text: str, *, strict: bool = False) -> AuthDecision:
    """Parse a 278 response interchange and return its (first) decision."""
    decisions: Sequence[AuthDecision] = interpret_278(parse_278(text, strict=strict))
    if not decisions:
        raise X12StructureError("the interchange holds no 278 transaction")
    return decisions[0]
