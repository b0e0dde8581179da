"""The bookkeeping steps of the referral workflow, invoked by the state machine.

Each step is one small function keyed by its ``action`` name: it records what happened on
the referral's timeline, moves its status, and computes the SLA clocks the state machine
waits on (Step Functions cannot do date arithmetic in JSONPath).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field

from intake.clock import utcnow
from intake.eligibility import BenefitsOutcome
from intake.errors import NotFound
from intake.models.records import ReferralRecord, ReferralStatus, TaskType, TimelineEvent
from intake.ports import ReferralStore
from intake.tasks import TaskService


class StepRequest(BaseModel):
    action: str
    referral_id: str
    task_type: TaskType | None = None
    round: int = Field(default=1, ge=1)
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    checks: list[dict[str, Any]] | None = None


@dataclass
class WorkflowSteps:
    store: ReferralStore
    tasks: TaskService
    welcome_call_sla: timedelta
    escalation_repeat: timedelta
    clock: Callable[[], datetime] = utcnow

    def run(self, request: StepRequest) -> dict[str, Any]:
        actions: dict[str, Callable[[StepRequest], dict[str, Any]]] = {
            "started": self.started,
            "escalate": self.escalate,
            "call_completed": self.call_completed,
            "conclude": self.conclude,
            "failed": self.failed,
            "payer_unavailable": self.payer_unavailable,
        }
        action = actions.get(request.action)
        if action is None:
            raise ValueError(f"unknown workflow action '{request.action}'")
        return action(request)

    def started(self, request: StepRequest) -> dict[str, Any]:
        record = self._referral(request.referral_id)
        now = self.clock()
        self._event(record.referral_id, "workflow_started", now)
        arrived = (
            record.referral.received_at
            if record.referral and record.referral.received_at
            else record.uploaded_at
        )
        return {"welcome_call": self._clock(arrived + self.welcome_call_sla, now)}

    def escalate(self, request: StepRequest) -> dict[str, Any]:
        assert request.task_type is not None
        task = self.tasks.escalate(request.referral_id, request.task_type, request.round)
        clock = self._clock(task.due_at, self.clock())
        clock["timeout_seconds"] = int(self.escalation_repeat.total_seconds())
        return {**clock, "task_type": request.task_type.value, "round": request.round}

    def payer_unavailable(self, request: StepRequest) -> dict[str, Any]:
        """The payer did not answer through all retries: a person checks eligibility by phone
        or portal, and their completion re-runs the electronic check."""
        now = self.clock()
        self._event(request.referral_id, "benefits_check_failed", reason="payer unavailable")
        return BenefitsOutcome.needing(
            TaskType.VERIFY_INSURANCE,
            outcome="verify_insurance",
            status="unknown",
            round_=request.round,
            auth_required=None,
            now=now,
            reasons=["the payer did not answer the eligibility check after several retries"],
        ).model_dump(mode="json")

    def call_completed(self, request: StepRequest) -> dict[str, Any]:
        assert request.task_type is not None
        result = request.result or {}
        outcome = str(result.get("outcome"))
        self._event(
            request.referral_id,
            f"{request.task_type.value}_completed",
            self.clock(),
            outcome=outcome,
            task_id=result.get("task_id"),
            by=result.get("completed_by"),
        )
        return {"outcome": outcome}

    def conclude(self, request: StepRequest) -> dict[str, Any]:
        """The referral's status once its parallel checks are done: the patient's answer on the
        welcome call first, then whether the insurance could be verified."""
        results: dict[str, Any] = {}
        for branch in request.checks or []:
            results.update({k: v for k, v in branch.items() if k in {"welcome_call", "benefits"}})
        welcome = (results.get("welcome_call") or {}).get("outcome")
        benefits = (results.get("benefits") or {}).get("outcome")
        if welcome == "declined":
            status, stage = ReferralStatus.DECLINED, "patient declined therapy"
        elif benefits == "unresolved":
            status, stage = ReferralStatus.INSURANCE_UNVERIFIED, "insurance could not be verified"
        else:
            status, stage = ReferralStatus.COMPLETED, "intake complete"
        now = self.clock()
        self.store.update_referral(
            request.referral_id, status=status.value, stage=stage, updated_at=now
        )
        self._event(
            request.referral_id,
            f"workflow_{status.value}",
            now,
            welcome_call=welcome,
            benefits=benefits,
        )
        return {"status": status.value, "welcome_call": welcome, "benefits": benefits}

    def failed(self, request: StepRequest) -> dict[str, Any]:
        """Make a failed workflow a person's task, so nothing fails silently."""
        now = self.clock()
        error = request.error or {}
        record = self.store.get_referral(request.referral_id)
        if record is None:  # an execution of something we never recorded: nothing to attach to
            raise NotFound(f"referral {request.referral_id} does not exist")
        if record.status is ReferralStatus.FAILED:  # RecordFailure ran; this is the status event
            return {"status": ReferralStatus.FAILED.value}
        self.store.update_referral(
            request.referral_id,
            status=ReferralStatus.FAILED.value,
            stage="workflow failed: see the workflow_error task",
            updated_at=now,
        )
        self._event(request.referral_id, "workflow_failed", now, error=str(error.get("Error")))
        self.tasks.open_review_task(
            request.referral_id,
            TaskType.WORKFLOW_ERROR,
            now + timedelta(hours=4),
            {"error": str(error.get("Error")), "cause": str(error.get("Cause", ""))[:2000]},
        )
        return {"status": ReferralStatus.FAILED.value}

    # ------------------------------------------------------------------ helpers
    def _referral(self, referral_id: str) -> ReferralRecord:
        record = self.store.get_referral(referral_id)
        if record is None:
            raise NotFound(f"referral {referral_id} does not exist")
        return record

    @staticmethod
    def _clock(due: datetime, now: datetime) -> dict[str, Any]:
        """The due time and the seconds left until it (at least 1: an overdue task escalates now)."""
        return {
            "due_at": due.isoformat(),
            "timeout_seconds": max(1, int((due - now).total_seconds())),
        }

    def _event(
        self, referral_id: str, event: str, at: datetime | None = None, **detail: object
    ) -> None:
        self.store.append_timeline(
            referral_id, TimelineEvent(at=at or self.clock(), event=event, detail=detail)
        )
