"""The scheduled reconciler: finishes the effects of task completions left pending.

A completion writes its task ``completed`` with ``effect: pending`` in one write (and puts it
in the sparse GSI2 partition ``EFFECT#pending``); the API then runs the effect (start the
referral's workflow, write the booked date, send the task result to the waiting workflow) and
marks it done. If the Lambda dies or a call fails in between, the referral would sit in review
or running with no workflow; this run, every few minutes, reads only that partition (the
effects pending longer than ``grace``, so a request still finishing its own is left alone) and
runs each again. After ``max_effect_attempts`` a person is asked (``TaskService``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from intake.core.clock import utcnow
from intake.core.observability import logger
from intake.models.records import TaskRecord
from intake.tasks.service import TaskService


class PendingEffects(Protocol):
    def pending_effects(self, completed_before: datetime, limit: int = 100) -> list[TaskRecord]: ...


@dataclass
class ReconcileReport:
    pending: int = 0
    done: int = 0
    still_pending: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(vars(self))


@dataclass
class Reconciler:
    effects: PendingEffects
    tasks: TaskService
    clock: Callable[[], datetime] = utcnow
    grace: timedelta = field(default=timedelta(minutes=2))
    batch: int = 100

    def run(self) -> ReconcileReport:
        report = ReconcileReport()
        for task in self.effects.pending_effects(self.clock() - self.grace, self.batch):
            report.pending += 1
            try:
                finished = self.tasks.finish_effect(task)
            except Exception as exc:  # one task's failure never stops the others
                report.still_pending += 1
                logger.warning(
                    "pending effect not finished",
                    extra={"task_id": task.task_id, "error": type(exc).__name__},
                )
                continue
            if finished.effect == "done" or finished.effect is None:
                report.done += 1
            elif finished.effect == "failed":
                report.failed += 1
            else:
                report.still_pending += 1
        return report
