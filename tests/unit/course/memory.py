"""In-memory fakes of the table for the course's unit tests: doses and tasks in one dict each,
with the table's conditions (a dose's version and status, a task open or claimed) and
``save_with_tasks`` all-or-nothing, as ``TransactWriteItems`` is."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from intake.core.errors import Conflict, NotFound
from intake.course.model import DoseRecord, DoseStatus
from intake.course.ports import TaskCancel
from intake.models.records import ReferralRecord, TaskRecord, TaskStatus, TimelineEvent

WORKABLE = (TaskStatus.OPEN, TaskStatus.CLAIMED)


class MemoryTasks:
    """The part of ``ReferralStore`` the course and task services use."""

    def __init__(self, referrals: Sequence[ReferralRecord] = ()) -> None:
        self.referrals = {r.referral_id: r for r in referrals}
        self.tasks: dict[str, TaskRecord] = {}
        self.events: list[TimelineEvent] = []

    def get_referral(self, referral_id: str) -> ReferralRecord | None:
        return self.referrals.get(referral_id)

    def update_referral(self, referral_id: str, **fields: Any) -> None:
        record = self.referrals[referral_id]
        self.referrals[referral_id] = record.model_validate({**record.model_dump(), **fields})

    def record(
        self, referral_id: str, event: str, *, at: datetime, actor: str = "system", **detail: object
    ) -> None:
        self.events.append(TimelineEvent(at=at, event=event, actor=actor, detail=detail))

    def timeline(self, referral_id: str) -> list[TimelineEvent]:
        return list(self.events)

    def put_task_if_new(self, task: TaskRecord) -> bool:
        return self.tasks.setdefault(task.task_id, task) is task

    def get_task(self, task_id: str) -> TaskRecord | None:
        return self.tasks.get(task_id)

    def update_task(
        self,
        task_id: str,
        fields: dict[str, Any],
        *,
        expect_status: set[str] | None = None,
        remove_from_work_queue: bool = False,
        workable_by: str | None = None,
        effect_pending: bool | None = None,
    ) -> TaskRecord:
        task = self.tasks.get(task_id)
        if task is None:
            raise NotFound(task_id)
        if expect_status and task.status.value not in expect_status:
            raise Conflict(f"task {task_id} is {task.status.value}")
        if workable_by is not None and not (
            task.status is TaskStatus.OPEN or task.claimed_by == workable_by
        ):
            raise Conflict(f"task {task_id} is {task.status.value}")
        updated = TaskRecord.model_validate({**task.model_dump(), **fields})
        self.tasks[task_id] = updated
        return updated

    def open_tasks(self, status: str) -> list[TaskRecord]:
        return [t for t in self.tasks.values() if t.status.value == status]

    def tasks_of(self, referral_id: str) -> list[TaskRecord]:
        return [t for t in self.tasks.values() if t.referral_id == referral_id]

    def authorizations_of(self, referral_id: str) -> list[Any]:
        return []


class MemoryDoses:
    """The DoseStore protocol over a dict, with the table's version and status conditions;
    ``save_with_tasks`` writes into ``tasks`` all or nothing. ``before_write`` runs just
    before each conditional write (a test's way to make another writer win a race)."""

    def __init__(self, doses: Sequence[DoseRecord], tasks: MemoryTasks | None = None) -> None:
        self.items = {(d.referral_id, d.number): d for d in doses}
        self.tasks = tasks if tasks is not None else MemoryTasks()
        self.before_write: list[Callable[[], None]] = []

    def put_if_new(self, dose: DoseRecord) -> bool:
        return self.items.setdefault((dose.referral_id, dose.number), dose) is dose

    def _check(self, dose: DoseRecord, expect_version: int, expect_status: str | None) -> None:
        if self.before_write:
            self.before_write.pop(0)()
        current = self.items[(dose.referral_id, dose.number)]
        if current.version != expect_version or (
            expect_status is not None and current.status.value != expect_status
        ):
            raise Conflict("changed")

    def save(
        self, dose: DoseRecord, *, expect_version: int, expect_status: str | None = None
    ) -> None:
        self._check(dose, expect_version, expect_status)
        self.items[(dose.referral_id, dose.number)] = dose

    def save_with_tasks(
        self,
        dose: DoseRecord,
        *,
        expect_version: int,
        expect_status: str | None = None,
        new_tasks: Sequence[TaskRecord] = (),
        cancel: Sequence[TaskCancel] = (),
    ) -> list[str]:
        self._check(dose, expect_version, expect_status)
        for c in cancel:
            task = self.tasks.tasks.get(c.task_id)
            if task is None or task.status not in WORKABLE:
                raise Conflict(f"task {c.task_id} closed meanwhile")
        created = [t for t in new_tasks if t.task_id not in self.tasks.tasks]
        self.items[(dose.referral_id, dose.number)] = dose
        for t in created:
            self.tasks.tasks[t.task_id] = t
        for c in cancel:
            self.tasks.tasks[c.task_id] = self.tasks.tasks[c.task_id].model_copy(
                update={
                    "status": TaskStatus.CANCELLED,
                    "cancelled_at": c.at,
                    "cancel_reason": c.reason,
                    "task_token": None,
                }
            )
        return [t.task_id for t in created]

    def get(self, referral_id: str, number: int) -> DoseRecord | None:
        return self.items.get((referral_id, number))

    def of(self, referral_id: str) -> list[DoseRecord]:
        return [d for (r, _), d in sorted(self.items.items()) if r == referral_id]

    def due(self, now: datetime, limit: int = 500) -> list[DoseRecord]:
        found = [
            d for d in self.items.values() if d.status is DoseStatus.SCHEDULED and d.check_at <= now
        ]
        return sorted(found, key=lambda d: d.check_at)[:limit]

    def stale(self, before: date, limit: int = 100) -> list[DoseRecord]:
        return [
            d
            for d in self.items.values()
            if d.status is DoseStatus.CHECKING and (d.ship_by or d.day) < before
        ][:limit]

    def listed(self, status: DoseStatus, before: date, limit: int = 200) -> list[DoseRecord]:
        return [d for d in self.items.values() if d.status is status and d.day <= before]


class MemoryNotifier:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def publish(self, subject: str, message: dict[str, Any]) -> None:
        self.sent.append((subject, message))
