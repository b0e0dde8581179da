"""Completing a delivery task ("ship the medication") re-checks its dose first.

The task was opened with the dose's clearance, in one transaction; a hold, end or move cancels
it in the transaction that changes the dose. This hook is the last guard at the liaison's
hand: a completion is refused unless the dose is still cleared at the version the task was
opened for (its round is ``100 * number + version``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from intake.core.errors import Conflict
from intake.course.model import DoseStatus
from intake.course.ports import DoseStore
from intake.models.records import TaskRecord, TaskType

if TYPE_CHECKING:
    from intake.tasks.service import Completion


@dataclass
class DeliveryCompletion:
    doses: Callable[[], DoseStore]

    def __call__(self, task: TaskRecord, completion: Completion) -> Callable[[], None] | None:
        if task.task_type is not TaskType.DOSE_DELIVERY:
            return None
        round_ = int(task.task_id.rsplit(".", 1)[-1])
        number, version = divmod(round_, 100)
        dose = self.doses().get(task.referral_id, number)
        if dose is None or dose.version != version or dose.status is not DoseStatus.CLEARED:
            now = "missing" if dose is None else f"{dose.status.value}, version {dose.version}"
            raise Conflict(
                f"dose {number} is no longer cleared ({now}): do not ship it; "
                "the delivery task cannot be completed"
            )
        return None
