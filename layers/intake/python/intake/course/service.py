"""The therapy calendar kept in the table: created when the referral is scheduled, then moved,
held, resumed or ended by a nurse or liaison. Every change is on the timeline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, overload

from intake.core.clock import utcnow
from intake.core.errors import Conflict, InvalidRequest, NotFound
from intake.course.calendar import (
    CalendarRules,
    build_calendar,
    ended,
    held,
    moved,
    plan_year_start_from,
    resumed,
)
from intake.course.model import OPEN_STATUSES, DoseRecord, DoseStatus
from intake.course.ports import DoseStore, TaskCancel
from intake.models.ports import Notifier, ReferralStore
from intake.models.records import TaskRecord, TaskStatus, TaskType
from intake.tasks.queue import announce_cancelled

EndReason = Literal["discontinued", "completed"]
RETRIES = 5
DOSE_WORK = frozenset({TaskType.DOSE_DELIVERY, TaskType.DOSE_CHECKIN_CALL, TaskType.DOSE_HOLD})
"""The tasks a hold, end or move cancels: shipping, the pre-dose call, a hold's follow-up."""


def _dose_of(task_id: str) -> int | None:
    """The dose number of a dose task's id (``<referral>.<type>.<100 * number + version>``)."""
    tail = task_id.rsplit(".", 1)[-1]
    return int(tail) // 100 if tail.isdigit() and int(tail) >= 100 else None


@dataclass
class Course:
    store: ReferralStore
    doses: DoseStore
    rules: CalendarRules = field(default_factory=CalendarRules)
    clock: Callable[[], datetime] = utcnow
    notifier: Callable[[], Notifier] | None = None
    """The liaisons' notifier, built when a change first cancels a task."""

    def start(self, referral_id: str, first_day: date) -> list[DoseRecord]:
        """The calendar from the first infusion date (idempotent: existing doses are kept)."""
        record = self.store.get_referral(referral_id)
        if record is None or record.referral is None:
            raise NotFound(f"referral {referral_id} does not exist or is not validated")
        now = self.clock()
        rules = CalendarRules(
            self.rules.check_lead,
            self.rules.ship_lead,
            plan_year_start_from(record.benefits.answer.plan if record.benefits else None),
        )
        doses = [
            d.model_copy(update={"referral_id": referral_id})
            for d in build_calendar(record.referral, first_day, rules, now)
        ]
        created = sum(self.doses.put_if_new(d) for d in doses)
        if created:
            self.store.record(
                referral_id,
                "course_calendar",
                at=now,
                doses=len(doses),
                first=doses[0].day.isoformat(),
                last=doses[-1].day.isoformat(),
                loading=sum(d.kind == "loading" for d in doses),
            )
        return self.doses.of(referral_id)

    def move(self, referral_id: str, number: int, day: date, by: str) -> DoseRecord:
        """The dose on another day; the tasks of its earlier day (delivery, check-in, hold)
        are cancelled in the same write: its check runs again from the new day."""
        now = self.clock()
        if day < now.date():
            raise InvalidRequest(f"cannot move a dose into the past ({day.isoformat()})")

        def change(dose: DoseRecord, at: datetime) -> DoseRecord:
            try:
                return moved(dose, day, self.rules, at)
            except ValueError as exc:
                raise InvalidRequest(str(exc)) from exc

        why = f"dose {number} moved to {day.isoformat()} by {by}"
        before, new = self._change(self._dose(referral_id, number), change, why)
        self.store.record(
            referral_id,
            "dose_moved",
            at=now,
            actor=by,
            dose=number,
            day_from=before.day.isoformat(),
            day_to=day.isoformat(),
            version=new.version,
        )
        return new

    def hold(self, referral_id: str, reason: str, by: str) -> list[DoseRecord]:
        """Hold the therapy: every dose ahead stops being checked or shipped, and the open
        delivery, check-in and hold tasks of those doses are cancelled with the reason."""
        return self._each_ahead(
            referral_id,
            lambda d, now: held(d, reason, now),
            "course_held",
            by,
            reason,
            (*OPEN_STATUSES, DoseStatus.CLEARED),
        )

    def resume(self, referral_id: str, by: str) -> list[DoseRecord]:
        now = self.clock()
        changed = []
        for dose in self.doses.of(referral_id):
            if dose.status is DoseStatus.HELD and dose.day >= now.date():
                new = resumed(dose, self.rules, now)
                self.doses.save(new, expect_version=dose.version)
                changed.append(new)
        self.store.record(referral_id, "course_resumed", at=now, actor=by, doses=len(changed))
        return changed

    def end(self, referral_id: str, reason: EndReason, by: str) -> list[DoseRecord]:
        """End the therapy: every dose ahead, held ones included (a held dose must not come
        back on a resume), ends; its open delivery, check-in and hold tasks are cancelled."""
        return self._each_ahead(
            referral_id,
            lambda d, now: ended(d, reason, now),
            "course_ended",
            by,
            reason,
            (*OPEN_STATUSES, DoseStatus.CLEARED, DoseStatus.HELD),
        )

    def _each_ahead(
        self,
        referral_id: str,
        change: Callable[[DoseRecord, datetime], DoseRecord],
        event: str,
        by: str,
        reason: str,
        statuses: tuple[DoseStatus, ...],
    ) -> list[DoseRecord]:
        now = self.clock()
        doses = self.doses.of(referral_id)
        if not doses:
            raise NotFound(f"referral {referral_id} has no therapy calendar")
        changed = []
        why = f"therapy {event.removeprefix('course_')} by {by}: {reason}"
        for dose in doses:
            if dose.day < now.date() or dose.status not in statuses:
                continue
            _, new = self._change(dose, change, why, statuses)
            if new is not None:
                changed.append(new)
        self.store.record(referral_id, event, at=now, actor=by, reason=reason, doses=len(changed))
        return changed

    @overload
    def _change(
        self, dose: DoseRecord, change: Callable[[DoseRecord, datetime], DoseRecord], why: str
    ) -> tuple[DoseRecord, DoseRecord]: ...

    @overload
    def _change(
        self,
        dose: DoseRecord,
        change: Callable[[DoseRecord, datetime], DoseRecord],
        why: str,
        statuses: tuple[DoseStatus, ...],
    ) -> tuple[DoseRecord, DoseRecord | None]: ...

    def _change(
        self,
        dose: DoseRecord,
        change: Callable[[DoseRecord, datetime], DoseRecord],
        why: str,
        statuses: tuple[DoseStatus, ...] | None = None,
    ) -> tuple[DoseRecord, DoseRecord | None]:
        """Write ``change(dose)`` with the cancellation of the dose's open delivery, check-in
        and hold tasks, in one transaction. A lost race (its check moved it on, a task was
        completed meanwhile) is read again and retried, never skipped; a dose no longer in
        ``statuses`` is left as the winner wrote it (None)."""
        for _ in range(RETRIES):
            now = self.clock()
            new = change(dose, now)
            tasks = self._open_tasks_of(dose)
            cancel = [TaskCancel(t.task_id, why, now) for t in tasks]
            try:
                self.doses.save_with_tasks(
                    new,
                    expect_version=dose.version,
                    expect_status=dose.status.value,
                    cancel=cancel,
                )
            except Conflict:
                current = self.doses.get(dose.referral_id, dose.number)
                if current is None or (statuses is not None and current.status not in statuses):
                    return dose, None
                dose = current
                continue
            notifier = self.notifier() if self.notifier and tasks else None
            for task in tasks:
                announce_cancelled(self.store, notifier, task, why, now)
            return dose, new
        raise Conflict(f"dose {dose.number} of {dose.referral_id} keeps changing; retry")

    def _open_tasks_of(self, dose: DoseRecord) -> list[TaskRecord]:
        """Open delivery, check-in and hold tasks of any version of the dose (their round is
        ``100 * number + version``)."""
        return [
            t
            for t in self.store.tasks_of(dose.referral_id)
            if t.task_type in DOSE_WORK
            and t.status in (TaskStatus.OPEN, TaskStatus.CLAIMED)
            and _dose_of(t.task_id) == dose.number
        ]

    def _dose(self, referral_id: str, number: int) -> DoseRecord:
        dose = self.doses.get(referral_id, number)
        if dose is None:
            raise NotFound(f"referral {referral_id} has no dose {number}")
        return dose
