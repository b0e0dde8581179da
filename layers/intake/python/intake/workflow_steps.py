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
from intake.errors import NotFound
from intake.models.records import (
    CallOutcome,
    ReferralRecord,
    ReferralStatus,
    ReviewOutcome,
    TaskType,
)
from intake.ports import ReferralStore
from intake.tasks import CALL_TASKS, TaskService

INSURANCE_TASKS = {TaskType.VERIFY_INSURANCE, TaskType.COVERAGE_INACTIVE}
TASK_NOT_YET_CREATED_RETRY_SECONDS = 5


class StepRequest(BaseModel):
    action: str
    referral_id: str
    task_type: TaskType | None = None
    round: int = Field(default=1, ge=1)
    result: dict[str, Any] | None = None
    plan: dict[str, Any] | None = None
    error: dict[str, Any] | None = None


@dataclass
class WorkflowSteps:
    store: ReferralStore
    tasks: TaskService
    welcome_call_sla: timedelta
    escalation_repeat: timedelta
    scheduling_call_sla: timedelta = timedelta(hours=24)
    clock: Callable[[], datetime] = utcnow

    def run(self, request: StepRequest) -> dict[str, Any]:
        actions: dict[str, Callable[[StepRequest], dict[str, Any]]] = {
            "started": self.started,
            "escalate": self.escalate,
            "call_completed": self.call_completed,
            "assess": self.assess,
            "call_clock": self.call_clock,
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
        self.store.record(record.referral_id, "workflow_started", at=now)
        arrived = (
            record.referral.received_at
            if record.referral and record.referral.received_at
            else record.uploaded_at
        )
        return {"welcome_call": self._clock(arrived + self.welcome_call_sla, now)}

    def escalate(self, request: StepRequest) -> dict[str, Any]:
        assert request.task_type is not None
        now = self.clock()
        try:
            task = self.tasks.escalate(request.referral_id, request.task_type, request.round)
        except NotFound:
            # Overdue on arrival (a referral received long ago): the wait timed out before the
            # dispatcher created the task. Look again shortly rather than fail the referral.
            due = datetime.fromisoformat(str((request.plan or {}).get("due_at", now.isoformat())))
            clock = self._clock(due, now)
            clock["timeout_seconds"] = TASK_NOT_YET_CREATED_RETRY_SECONDS
        else:
            clock = self._clock(task.due_at, now)
            clock["timeout_seconds"] = int(self.escalation_repeat.total_seconds())
        # The waiting state's plan comes back whole (details included), only its clock changed.
        return {
            **(request.plan or {}),
            **clock,
            "task_type": request.task_type.value,
            "round": request.round,
        }

    def payer_unavailable(self, request: StepRequest) -> dict[str, Any]:
        """The payer did not answer through all retries: a person checks eligibility by phone
        or portal, and their completion re-runs the electronic check."""
        from intake.eligibility import BenefitsOutcome  # the clearinghouse stack, only here

        now = self.clock()
        self.store.record(
            request.referral_id,
            "benefits_check_failed",
            at=self.clock(),
            reason="payer unavailable",
        )
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
        self.store.record(
            request.referral_id,
            f"{request.task_type.value}_completed",
            at=self.clock(),
            outcome=outcome,
            task_id=result.get("task_id"),
            by=result.get("completed_by"),
        )
        return {"outcome": outcome}

    def assess(self, request: StepRequest) -> dict[str, Any]:
        """After the welcome call and benefits: go on to the estimate and the remaining calls,
        or conclude now (patient declined, insurance unverified). Reads the recorded state,
        not the branches' outputs, so the decision is the same whatever path got here."""
        verdict = self._verdict(request.referral_id)
        proceed = verdict is ReferralStatus.COMPLETED
        self.store.record(
            request.referral_id, "intake_checks_done", at=self.clock(), proceed=proceed
        )
        return {"next": "estimate" if proceed else "conclude"}

    def call_clock(self, request: StepRequest) -> dict[str, Any]:
        """Due time of a call queued now, from the intake SLA for its type."""
        assert request.task_type is not None
        sla = {TaskType.SCHEDULING_CALL: self.scheduling_call_sla}.get(
            request.task_type, self.welcome_call_sla
        )
        return self._clock(self.clock() + sla, self.clock())

    def conclude(self, request: StepRequest) -> dict[str, Any]:
        status = self._verdict(request.referral_id)
        stage = {
            ReferralStatus.DECLINED: "patient declined therapy",
            ReferralStatus.INSURANCE_UNVERIFIED: "insurance could not be verified",
        }.get(status, "intake complete")
        now = self.clock()
        self.store.update_referral(
            request.referral_id, status=status.value, stage=stage, updated_at=now
        )
        self.store.record(request.referral_id, f"workflow_{status.value}", at=now)
        return {"status": status.value}

    def _verdict(self, referral_id: str) -> ReferralStatus:
        """Declined on any call; insurance unverified when a person closed the last insurance
        task as rejected (benefits never verified); otherwise intake goes on / completes."""
        record = self._referral(referral_id)
        tasks = sorted(self.store.tasks_of(referral_id), key=lambda t: t.created_at)
        if any(
            t.task_type in CALL_TASKS and t.outcome == CallOutcome.DECLINED.value for t in tasks
        ):
            return ReferralStatus.DECLINED
        benefits = (record.benefits or {}).get("outcome")
        insurance = [t for t in tasks if t.task_type in INSURANCE_TASKS]
        if (
            benefits != "verified"
            and insurance
            and insurance[-1].outcome == ReviewOutcome.REJECTED.value
        ):
            return ReferralStatus.INSURANCE_UNVERIFIED
        return ReferralStatus.COMPLETED

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
        self.store.record(
            request.referral_id, "workflow_failed", at=now, error=str(error.get("Error"))
        )
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
