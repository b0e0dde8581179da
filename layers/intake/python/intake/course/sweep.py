"""The scheduled sweep: start one check workflow per dose whose check is due.

It reads only the due-check partition of the sparse index (``DOSE#due``, up to now), so its
reads follow the doses due. Each check is an execution named ``<referral>-dose-<n>-<version>``:
a repeated sweep, or two sweeps at once, start it once (``ExecutionAlreadyExists`` is "already
running"); the dose then leaves the due partition (status ``checking``), conditionally on its
version, so a dose moved meanwhile keeps its new due time.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from intake.core.clock import utcnow
from intake.core.errors import Conflict
from intake.core.observability import logger
from intake.course.model import DoseRecord, DoseStatus
from intake.course.ports import DoseStore
from intake.models.ports import Workflow


@dataclass
class SweepReport:
    due: int = 0
    started: int = 0
    already_running: int = 0
    failed: int = 0
    stale_held: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(vars(self))


@dataclass
class DoseSweep:
    doses: DoseStore
    workflow: Workflow
    clock: Callable[[], datetime] = utcnow
    batch: int = 500
    # Holds a dose whose check is still running past its ship-by date (its execution failed
    # where its own Catch could not record it): nothing is left silently in ``checking``.
    hold_stale: Callable[[DoseRecord], None] | None = None

    def run(self) -> SweepReport:
        now = self.clock()
        report = SweepReport()
        for dose in self.doses.due(now, self.batch):
            report.due += 1
            name = dose.check_name()
            try:
                started = self.workflow.start(
                    name,
                    {"referral_id": dose.referral_id, "dose": dose.number, "version": dose.version},
                )
            except Exception as exc:  # one dose's failure never stops the others
                report.failed += 1
                logger.warning(
                    "dose check not started",
                    extra={
                        "referral_id": dose.referral_id,
                        "dose": dose.number,
                        "error": type(exc).__name__,
                    },
                )
                continue
            if started:
                report.started += 1
            else:
                report.already_running += 1
            checking = dose.model_copy(
                update={"status": DoseStatus.CHECKING, "execution_name": name, "updated_at": now}
            )
            # Moved, held or taken by the check already: its new state stands.
            with contextlib.suppress(Conflict):
                self.doses.save(
                    checking, expect_version=dose.version, expect_status=DoseStatus.SCHEDULED.value
                )
        if self.hold_stale is not None:
            for dose in self.doses.stale(now.date()):
                try:
                    self.hold_stale(dose)
                    report.stale_held += 1
                except Exception as exc:  # the next sweep tries again
                    logger.warning(
                        "stale dose check not held",
                        extra={"referral_id": dose.referral_id, "error": type(exc).__name__},
                    )
        return report
