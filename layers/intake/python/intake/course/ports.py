"""What the course code needs from the table (``intake.adapters.dynamodb_doses``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from intake.course.model import DoseRecord, DoseStatus
from intake.models.records import TaskRecord


@dataclass(frozen=True)
class TaskCancel:
    """An open task to cancel in the same write as a dose change, and why."""

    task_id: str
    reason: str
    at: datetime


class DoseStore(Protocol):
    def put_if_new(self, dose: DoseRecord) -> bool: ...
    def save(
        self, dose: DoseRecord, *, expect_version: int, expect_status: str | None = None
    ) -> None: ...
    def save_with_tasks(
        self,
        dose: DoseRecord,
        *,
        expect_version: int,
        expect_status: str | None = None,
        new_tasks: Sequence[TaskRecord] = (),
        cancel: Sequence[TaskCancel] = (),
    ) -> list[str]:
        """One transaction: the dose (if still at ``expect_version``/``expect_status``), each
        new task (unless one with its id is stored) and each cancel (only while the task is
        open or claimed). All or nothing: ``Conflict`` when the dose changed or a task to cancel
        was closed meanwhile. Returns the ids of the tasks it created (a task already stored
        is kept as it is)."""
        ...

    def get(self, referral_id: str, number: int) -> DoseRecord | None: ...
    def of(self, referral_id: str) -> list[DoseRecord]: ...
    def due(self, now: datetime, limit: int = 500) -> list[DoseRecord]: ...
    def stale(self, before: date, limit: int = 100) -> list[DoseRecord]: ...
    def listed(self, status: DoseStatus, before: date, limit: int = 200) -> list[DoseRecord]: ...
