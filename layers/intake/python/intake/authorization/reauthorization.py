"""Re-authorization for ongoing therapy: a 278 for the doses ahead (``Reauthorization``, the
pre-dose check's request), and a liaison's answer to a ``dose_reauthorization`` task: the
payer's new certification (``ReauthorizationCompletion``).

Completed ``resolved`` with corrections ``{"certification_number", "effective_from",
"effective_to", "approved_units"}`` (the drug units the payer approved; omitted: not counted),
it records the certification as an authorization of its own (``kind: extension``, as a phoned
certification) and puts the referral's held doses ahead back into the checks, which then find
it. ``rejected`` (the payer would not re-authorize) leaves the doses held. The checks run before
the task is closed (a 400 the liaison can fix); the effect once the completion has won.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from intake.core.clock import utcnow
from intake.core.errors import InvalidRequest, NotFound
from intake.models.authorization import AuthorizationDecision, DecisionLine
from intake.models.records import AuthorizationRecord, ReferralRecord, ReviewOutcome, TaskRecord
from intake.tasks.service import Completion

if TYPE_CHECKING:  # the packet builders load only where a 278 is filed, not in the liaison API
    from intake.authorization.context import AuthContext, PaStep

FIELDS = frozenset({"certification_number", "effective_from", "effective_to", "approved_units"})


class _Store(Protocol):
    def get_referral(self, referral_id: str) -> ReferralRecord | None: ...
    def put_authorization(self, record: AuthorizationRecord) -> None: ...
    def record(
        self, referral_id: str, event: str, *, at: datetime, actor: str = "system", **detail: object
    ) -> None: ...


class _Course(Protocol):
    def resume(self, referral_id: str, by: str) -> Any: ...


def read_certification(corrections: dict[str, Any]) -> tuple[str, date, date, int | None]:
    unknown = sorted(set(corrections) - FIELDS)
    if unknown or not isinstance(corrections.get("certification_number"), str):
        raise InvalidRequest(
            "give the new certification as corrections "
            '{"certification_number": "...", "effective_from": "YYYY-MM-DD", '
            '"effective_to": "YYYY-MM-DD", "approved_units": N}'
        )
    try:
        start = date.fromisoformat(str(corrections.get("effective_from")))
        end = date.fromisoformat(str(corrections.get("effective_to")))
    except ValueError:
        raise InvalidRequest("effective_from and effective_to must be dates, YYYY-MM-DD") from None
    if end < start:
        raise InvalidRequest("effective_to is before effective_from")
    units = corrections.get("approved_units")
    if units is not None and (not isinstance(units, int) or units < 1):
        raise InvalidRequest("approved_units must be a whole number of units, at least 1")
    return str(corrections["certification_number"])[:50], start, end, units


@dataclass
class ReauthorizationCompletion:
    """``TaskService.on_complete`` hook for ``dose_reauthorization`` tasks."""

    store: _Store
    course: Callable[[], _Course]
    clock: Callable[[], datetime] = utcnow

    def __call__(self, task: TaskRecord, completion: Completion) -> Callable[[], None] | None:
        if completion.outcome != ReviewOutcome.RESOLVED.value:
            return None
        number, start, end, units = read_certification(completion.corrections or {})
        record = self.store.get_referral(task.referral_id)
        if record is None or record.referral is None:
            raise NotFound(f"referral {task.referral_id} has no validated referral")
        referral = record.referral

        def act() -> None:
            from intake.authorization.coverage import drug_key

            now = self.clock()
            code = referral.therapy.hcpcs
            lines = (
                (DecisionLine(procedure_code=code, approved_units=Decimal(units)),)
                if units is not None and code
                else ()
            )
            auth_id = "RA" + hashlib.sha256(task.task_id.encode()).hexdigest()[:12].upper()
            self.store.put_authorization(
                AuthorizationRecord(
                    referral_id=task.referral_id,
                    auth_id=auth_id,
                    status="certified",
                    kind="extension",
                    drug=drug_key(referral),
                    requested_from=start,
                    requested_to=end,
                    payer_id=referral.coverage.payer_id,
                    reasons=["re-authorization for the doses ahead (reported by a liaison)"],
                    documentation=[],
                    packet={},
                    decision=AuthorizationDecision(
                        status="certified",
                        certification_number=number,
                        effective_from=start,
                        effective_to=end,
                        lines=lines,
                    ),
                    submitted_at=now,
                    decided_at=now,
                    deadline_at=now + timedelta(days=1),
                )
            )
            self.store.record(
                task.referral_id,
                "reauthorization_recorded",
                at=now,
                actor=completion.liaison,
                auth_id=auth_id,
                effective_from=start.isoformat(),
                effective_to=end.isoformat(),
                approved_units=units,
            )
            self.course().resume(task.referral_id, completion.liaison)

        return act


@dataclass
class Reauthorization:
    """The pre-dose check's request: the doses ahead, filed as any other request."""

    ctx: AuthContext

    def reauthorize(self, referral_id: str, first_day: date, from_dose: date) -> PaStep:
        """Ongoing therapy (a pre-dose check): a 278 for the course's doses from ``from_dose``
        on (the calendar from ``first_day``), as an ``extension`` with the same packet, polling,
        decision window and denial paths as the first request."""
        from intake.authorization.submission import Submission
        from intake.therapy import plan_services
        from intake.therapy.plan import from_day

        ctx = self.ctx
        record, referral = ctx.planned(referral_id)
        plan = plan_services(referral, first_day)
        if plan.open_ended:
            plan = plan_services(referral, first_day, through=first_day + timedelta(days=365))
        ctx.store.record(
            referral_id,
            "reauthorization_requested",
            at=ctx.clock(),
            from_dose=from_dose.isoformat(),
        )
        return Submission(ctx).extend(record, referral, from_day(plan, from_dose))
