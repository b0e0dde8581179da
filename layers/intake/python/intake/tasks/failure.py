"""A failed referral closes its open work and says, in plain words, what failed and what to do.

When a referral's workflow fails, its open call tasks would otherwise stay on the liaisons'
queue: someone would call a patient about a referral that has stopped. So they are cancelled
with the reason, the liaisons are told, and one ``workflow_error`` task explains the failure.
The raw error (a Step Functions ``Cause`` may hold a traceback whose message quotes a value
from the referral) is never stored or shown: the task names the error type and step, and
the stack frames (file, line, function: no values) go to the logs under the referral id.
"""

from __future__ import annotations

import json
import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from intake.core.errors import Conflict
from intake.core.observability import logger
from intake.models.ports import Notifier, ReferralStore
from intake.models.records import TaskRecord, TaskStatus, TaskType
from intake.tasks.queue import announce_cancelled
from intake.tasks.service import CALL_TASKS, TaskService

WORKFLOW_ERROR_SLA = timedelta(hours=4)
_STEP_ERRORS = {
    "States.Timeout": "a step of the workflow took longer than its time limit",
    "States.HeartbeatTimeout": "a step of the workflow stopped reporting progress",
    "States.TaskFailed": "a step of the workflow failed",
    "States.Runtime": "the workflow could not read the data it passed between steps",
    "States.DataLimitExceeded": "the data passed between workflow steps grew too large",
    "States.Permissions": "the workflow was not allowed to call one of its services",
    "Lambda.Unknown": "a step's function ran out of time or memory",
    "FAILED": "the workflow execution failed",
    "TIMED_OUT": "the workflow ran past its overall time limit",
    "ABORTED": "the workflow was stopped by someone",
}
_TO_DO = (
    "Check the referral and its timeline. If a referral value caused it, correct the referral "
    "with the clinic and upload it again; otherwise hand the referral id to engineering (the "
    "logs hold the details under that id), who restart it as a new execution named "
    "'<referral id>-2' once fixed."
)


def where(exc: BaseException) -> list[str]:
    """Stack frames of ``exc`` as ``file:line in function``: no message, no values."""
    return [
        f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno} in {frame.name}"
        for frame in traceback.extract_tb(exc.__traceback__)
    ][-8:]


def _frames(stack: object) -> list[str]:
    """The ``File "...", line N, in f`` lines of a Lambda error's stackTrace, nothing else."""
    lines = stack if isinstance(stack, list) else []
    found: list[str] = []
    for entry in lines:
        for line in str(entry).splitlines():
            text = line.strip()
            if text.startswith("File "):
                found.append(text.replace('File "', "").replace('", line ', ":"))
    return found[-8:]


def describe(error: dict[str, Any]) -> tuple[str, str | None, list[str]]:
    """What failed in plain words, the error type, and the stack frames to log."""
    name = str(error.get("Error") or "unknown error")
    cause: Any = error.get("Cause")
    try:
        detail = json.loads(cause) if isinstance(cause, str) and cause.startswith("{") else {}
    except ValueError:
        detail = {}
    error_type = str(detail.get("errorType") or "") or None
    plain = _STEP_ERRORS.get(name)
    if plain is None:
        kind = error_type or name
        plain = f"a step of the workflow failed with an internal error ({kind[:80]})"
    return plain, error_type, _frames(detail.get("stackTrace"))


@dataclass
class FailedReferral:
    """Closes a failed referral's open work (see the module docstring)."""

    store: ReferralStore
    tasks: TaskService
    notifier: Notifier

    def close(self, referral_id: str, error: dict[str, Any], now: datetime) -> TaskRecord:
        plain, error_type, frames = describe(error)
        logger.error(
            "referral workflow failed",
            extra={
                "referral_id": referral_id,
                "error": str(error.get("Error"))[:80],
                "error_type": error_type,
                "where": frames,
            },
        )
        reason = f"The referral's workflow stopped: {plain}."
        cancelled = [
            t.task_id for t in self._cancel_open_calls(referral_id, reason, now) if t is not None
        ]
        return self.tasks.open_review_task(
            referral_id,
            TaskType.WORKFLOW_ERROR,
            now + WORKFLOW_ERROR_SLA,
            {
                "what_failed": plain,
                "error_type": error_type or str(error.get("Error"))[:80],
                "what_to_do": _TO_DO,
                "cancelled_tasks": cancelled,
            },
        )

    def _cancel_open_calls(
        self, referral_id: str, reason: str, now: datetime
    ) -> list[TaskRecord | None]:
        open_calls = [
            t
            for t in self.store.tasks_of(referral_id)
            if t.task_type in CALL_TASKS and t.status in (TaskStatus.OPEN, TaskStatus.CLAIMED)
        ]
        return [self._cancel(task, reason, now) for task in open_calls]

    def _cancel(self, task: TaskRecord, reason: str, now: datetime) -> TaskRecord | None:
        try:
            cancelled = self.store.update_task(
                task.task_id,
                {
                    "status": TaskStatus.CANCELLED.value,
                    "cancelled_at": now,
                    "cancel_reason": reason,
                    "task_token": None,
                },
                expect_status={TaskStatus.OPEN.value, TaskStatus.CLAIMED.value},
                remove_from_work_queue=True,
            )
        except Conflict:  # completed meanwhile: nothing left to cancel
            return None
        announce_cancelled(self.store, self.notifier, task, reason, now)
        return cancelled
