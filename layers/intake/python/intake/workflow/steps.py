"""The bookkeeping steps of the referral workflow, invoked by the state machine.

Each step is one small function keyed by its ``action`` name: it records what happened on
the referral's timeline, moves its status, and computes the SLA clocks the state machine
waits on (Step Functions cannot do date arithmetic in JSONPath).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, Field, TypeAdapter

from intake.core.clock import utcnow
from intake.core.errors import NotFound
from intake.models.dates import TherapySchedule, order_age, received_at
from intake.models.ports import ReferralStore
from intake.models.records import (
    CallOutcome,
    ReferralRecord,
    ReferralStatus,
    ReviewOutcome,
    TaskRecord,
    TaskType,
)
from intake.tasks.failure import FailedReferral
from intake.tasks.service import CALL_TASKS, TaskPlan, TaskService
from intake.therapy.body import body_of, weight_based

if TYPE_CHECKING:
    from intake.care.service import Assessments
    from intake.course.service import Course
    from intake.visit.service import Visits

INSURANCE_TASKS = {
    TaskType.VERIFY_INSURANCE,
    TaskType.COVERAGE_INACTIVE,
    TaskType.COVERAGE_NOT_FOUND,
}
TASK_NOT_YET_CREATED_RETRY_SECONDS = 5

STAGES: dict[ReferralStatus, str] = {
    ReferralStatus.SCHEDULED: "intake complete: first infusion booked",
    ReferralStatus.SELF_PAY: "authorization denied; the patient pays: first infusion booked",
    ReferralStatus.CLOSED_DECLINED: "closed: declined",
    ReferralStatus.CLOSED_UNREACHABLE: "closed: the patient could not be reached",
    ReferralStatus.CLOSED_ORDER_NOT_CURRENT: "closed: the prescriber did not confirm the order",
    ReferralStatus.INSURANCE_UNVERIFIED: "insurance could not be verified",
    ReferralStatus.CLOSED_CLINICAL: "closed: a pharmacist stopped it (clinical conflict); clinic told",
}


class WorkflowInconsistent(RuntimeError):
    """The recorded state does not support any final status: a person must look (the
    workflow fails into a workflow_error task rather than end with a status that lies)."""


class _Step(BaseModel):
    referral_id: str


class Started(_Step):
    """The execution began: start the clocks."""

    action: Literal["started"]


class Escalate(_Step):
    """A waiting task's due time passed. ``plan`` is the waiting state's plan, returned whole
    with only its clock changed."""

    action: Literal["escalate"]
    task_type: TaskType
    round: int = Field(default=1, ge=1)
    plan: dict[str, Any] | None = None


class PayerUnavailable(_Step):
    """The eligibility check failed through every retry."""

    action: Literal["payer_unavailable"]
    round: int = Field(default=1, ge=1)


class TaskResult(BaseModel):
    """What a liaison's completion sends back to the waiting workflow (``TaskQueue._resume``)."""

    task_id: str | None = None
    outcome: str | None = None
    completed_by: str | None = None


class CallCompleted(_Step):
    """A call or review task the workflow waited on was completed."""

    action: Literal["call_completed"]
    task_type: TaskType
    result: TaskResult = Field(default_factory=TaskResult)


class Assess(_Step):
    """The intake checks are done: authorize, or conclude now."""

    action: Literal["assess"]


class CallClock(_Step):
    """The due time of a call queued now."""

    action: Literal["call_clock"]
    task_type: TaskType


class AssessmentPlan(_Step):
    """The pharmacist's assessment call is queued: its plan (due time, script)."""

    action: Literal["assessment_plan"]


class AssessmentDone(_Step):
    """The assessment call was completed: review a conflict, or apply its decisions."""

    action: Literal["assessment_done"]
    result: TaskResult = Field(default_factory=TaskResult)


class ClinicalReviewDone(_Step):
    """The pharmacist decided on a conflict: proceed or stop."""

    action: Literal["clinical_review_done"]
    result: TaskResult = Field(default_factory=TaskResult)


class Conclude(_Step):
    """The workflow ends: its documented final status."""

    action: Literal["conclude"]


class Failed(_Step):
    """The execution failed (its Catch, or the execution-status rule): ``error`` is Step
    Functions' error object (``Error``, ``Cause``)."""

    action: Literal["failed"]
    error: dict[str, Any] | None = None


class BookFirstVisit(_Step):
    """The referral is scheduled (or self-pay): book its first visit (``intake.visit``)."""

    action: Literal["book_first_visit"]
    round: int = Field(default=1, ge=1)


class FirstVisitDone(_Step):
    """The first-visit task was completed: documented, or missed/cancelled (re-book)."""

    action: Literal["first_visit_done"]
    round: int = Field(default=1, ge=1)
    result: TaskResult = Field(default_factory=TaskResult)


StepRequest = Annotated[
    Started
    | Escalate
    | PayerUnavailable
    | CallCompleted
    | Assess
    | CallClock
    | Conclude
    | Failed
    | AssessmentPlan
    | AssessmentDone
    | ClinicalReviewDone
    | BookFirstVisit
    | FirstVisitDone,
    Field(discriminator="action"),
]
"""A step event from the state machine, told apart by its ``action``."""

STEP_REQUEST: TypeAdapter[StepRequest] = TypeAdapter(StepRequest)


@dataclass
class WorkflowSteps:
    store: ReferralStore
    tasks: TaskService
    welcome_call_sla: timedelta
    escalation_repeat: timedelta
    scheduling_call_sla: timedelta = timedelta(hours=48)  # intake.visit.model.NURSE_CALL_SLA_DAYS
    stale_order_age: timedelta = timedelta(days=90)
    confirm_order_sla: timedelta = timedelta(hours=24)
    clock: Callable[[], datetime] = utcnow
    # The therapy calendar, built when a referral concludes scheduled (or self-pay) with the
    # first infusion date the scheduling call recorded (None: no calendar, as in older tests).
    course: Callable[[], Course] | None = None
    # The pharmacist's assessment (intake.care): None in tests that do not run it.
    assessments: Callable[[], Assessments] | None = None
    # The nurse's first visit (None: the workflow ends at the scheduling call, as in older tests).
    visits: Callable[[], Visits] | None = None

    def run(self, request: StepRequest) -> dict[str, Any]:
        match request:
            case Started():
                return self.started(request)
            case Escalate():
                return self.escalate(request)
            case CallCompleted():
                return self.call_completed(request)
            case Assess():
                return self.assess(request)
            case CallClock():
                return self.call_clock(request)
            case Conclude():
                return self.conclude(request)
            case Failed():
                return self.failed(request)
            case PayerUnavailable():
                return self.payer_unavailable(request)
            case BookFirstVisit():
                return self._visits().book_first(request.referral_id, request.round)
            case FirstVisitDone():
                return self.first_visit_done(request)
            case AssessmentPlan():
                return self._care().plan(request.referral_id)
            case AssessmentDone():
                self.call_completed(
                    CallCompleted(
                        action="call_completed",
                        referral_id=request.referral_id,
                        task_type=TaskType.PHARMACIST_ASSESSMENT,
                        result=request.result,
                    )
                )
                return self._care().after_call(request.referral_id, request.result.outcome)
            case ClinicalReviewDone():
                return self._care().after_review(
                    request.referral_id, request.result.outcome, request.result.completed_by
                )

    def _care(self) -> Assessments:
        if self.assessments is None:
            raise RuntimeError("the pharmacist assessment is not wired")
        return self.assessments()

    def started(self, request: Started) -> dict[str, Any]:
        """The clocks, from when we received the referral (never the document's own date),
        what the welcome call must confirm, and whether the order needs confirming."""
        record = self._referral(request.referral_id)
        now = self.clock()
        received = received_at(record)
        self.store.record(record.referral_id, "workflow_started", at=now)
        welcome = self._clock(received + self.welcome_call_sla, now)
        welcome["details"] = self._welcome_details(record, received)
        order: dict[str, Any] = {"check": "current"}
        referral = record.referral
        age = order_age(referral, received) if referral else None
        if age is not None and age > self.stale_order_age:
            written = received - age
            self.store.record(record.referral_id, "order_stale", at=now, age_days=age.days)
            plan = TaskPlan.due_in(
                TaskType.CONFIRM_ORDER,
                self.confirm_order_sla,
                now,
                {
                    "order_date": written.date().isoformat(),
                    "age_days": age.days,
                    "reason": f"the order is dated {written.date().isoformat()}, "
                    f"{age.days} days before we received it: confirm with the prescriber "
                    "that it is current (and the start date)",
                },
            )
            order = {"check": "confirm", "task": plan.model_dump(mode="json")}
        return {"welcome_call": welcome, "order": order}

    @staticmethod
    def _welcome_details(record: ReferralRecord, received: datetime) -> dict[str, Any]:
        if record.referral is None:
            return {}
        start = TherapySchedule.of(record.referral, received)
        details: dict[str, Any] = {
            "planned_start": start.planned_start.isoformat(),
            "as_soon_as_possible": start.as_soon_as_possible,
        }
        confirm = [note for note in (start.note(),) if note]
        if weight_based(record.referral.therapy.dose):
            weight = body_of(record.referral).weight
            if weight is None:
                confirm.append("the patient's weight (the dose is by weight; none in the referral)")
            elif weight.where in ("clinical notes", "order"):
                confirm.append(
                    f"the patient's weight (the dose is by weight; read from the {weight.where})"
                )
        details["confirm"] = confirm
        return details

    def escalate(self, request: Escalate) -> dict[str, Any]:
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

    def payer_unavailable(self, request: PayerUnavailable) -> dict[str, Any]:
        """The payer did not answer through all retries: a person checks eligibility by phone
        or portal, and their completion re-runs the electronic check."""
        from intake.eligibility.service import BenefitsOutcome  # the clearinghouse stack, only here

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

    def call_completed(self, request: CallCompleted) -> dict[str, Any]:
        outcome = str(request.result.outcome)
        self.store.record(
            request.referral_id,
            f"{request.task_type.value}_completed",
            at=self.clock(),
            outcome=outcome,
            task_id=request.result.task_id,
            by=request.result.completed_by,
        )
        return {"outcome": outcome}

    def assess(self, request: Assess) -> dict[str, Any]:
        """After the welcome call, the benefits check and the order check: go on to the
        authorization, or conclude now (declined, unreachable, order not current, insurance
        unverified). Reads the recorded state, not the branches' outputs, so the decision is
        the same whatever path got here."""
        closed = self._closed(request.referral_id)
        proceed = closed is None
        self.store.record(
            request.referral_id, "intake_checks_done", at=self.clock(), proceed=proceed
        )
        return {"next": "authorize" if proceed else "conclude"}

    def call_clock(self, request: CallClock) -> dict[str, Any]:
        """Due time of a call queued now, from the intake SLA for its type."""
        if request.task_type is TaskType.SCHEDULING_CALL and self.visits is not None:
            # The nurse's call: within a couple of days of the authorization in hand.
            due = self.visits().nurse_call_due(request.referral_id, self.scheduling_call_sla)
            return self._clock(due, self.clock())
        sla = {TaskType.SCHEDULING_CALL: self.scheduling_call_sla}.get(
            request.task_type, self.welcome_call_sla
        )
        return self._clock(self.clock() + sla, self.clock())

    def first_visit_done(self, request: FirstVisitDone) -> dict[str, Any]:
        outcome = str(request.result.outcome)
        self.store.record(
            request.referral_id,
            "first_visit_completed",
            at=self.clock(),
            outcome=outcome,
            task_id=request.result.task_id,
            by=request.result.completed_by,
        )
        return self._visits().after_first_visit(request.referral_id, request.round, outcome)

    def _visits(self) -> Visits:
        if self.visits is None:
            raise RuntimeError("WorkflowSteps needs visits to book a first visit")
        return self.visits()

    def conclude(self, request: Conclude) -> dict[str, Any]:
        status = self._final(request.referral_id)
        now = self.clock()
        self.store.update_referral(
            request.referral_id, status=status.value, stage=STAGES[status], updated_at=now
        )
        self.store.record(request.referral_id, f"workflow_{status.value}", at=now)
        result: dict[str, Any] = {"status": status.value}
        if status in (ReferralStatus.SCHEDULED, ReferralStatus.SELF_PAY):
            result["doses"] = self._start_course(request.referral_id)
        return result

    def _start_course(self, referral_id: str) -> int:
        """The dose calendar from the first infusion date the scheduling call recorded. A
        calendar that cannot be made (no date, an unreadable schedule) is a person's task."""
        if self.course is None:
            return 0
        schedule = self._referral(referral_id).schedule
        first = schedule.first_infusion if schedule else None
        now = self.clock()
        if first is None:  # a liaison starts it later (POST /referrals/{id}/course)
            self.store.record(referral_id, "course_not_started", at=now, reason="no first date")
            return 0
        try:
            return len(self.course().start(referral_id, first))
        except Exception as exc:  # an unreadable schedule: a person plans the doses
            why = f"the dose calendar could not be made ({type(exc).__name__})"
        self.store.record(referral_id, "course_calendar_not_made", at=now, reason=why)
        self.tasks.open_review_task(
            referral_id,
            TaskType.DOSE_HOLD,
            now + timedelta(hours=24),
            {"why": why, "action": "set the first infusion date (move dose 1) or plan by hand"},
        )
        return 0

    def _final(self, referral_id: str) -> ReferralStatus:
        """The documented final status, from the recorded state. ``scheduled`` and ``self_pay``
        need the scheduling call reached *and* the authorization gate passed; anything else
        that reaches here is a contradiction a person must see."""
        closed = self._closed(referral_id)
        if closed is not None:
            return closed
        record = self._referral(referral_id)
        tasks = self.store.tasks_of(referral_id)
        scheduled = any(
            t.task_type is TaskType.SCHEDULING_CALL and t.outcome == CallOutcome.REACHED.value
            for t in tasks
        )
        gate = record.prior_auth.gate if record.prior_auth else None
        if not scheduled or gate not in ("passed", "self_pay"):
            raise WorkflowInconsistent(
                "the workflow ended without a closing reason, a reached scheduling call and "
                f"a passed authorization gate (scheduling reached: {scheduled}, gate: {gate})"
            )
        return ReferralStatus.SELF_PAY if gate == "self_pay" else ReferralStatus.SCHEDULED

    def _closed(self, referral_id: str) -> ReferralStatus | None:
        """Why the referral closes early, if it does: declined on a call or after a denial,
        unreachable, an order the prescriber did not confirm, or insurance a person could
        not verify. None: intake goes on."""
        record = self._referral(referral_id)
        tasks = sorted(self.store.tasks_of(referral_id), key=lambda t: t.created_at)
        declined = record.prior_auth is not None and record.prior_auth.gate == "declined"
        if declined or _any_outcome(tasks, CALL_TASKS, CallOutcome.DECLINED):
            return ReferralStatus.CLOSED_DECLINED
        if _any_outcome(tasks, CALL_TASKS, CallOutcome.UNREACHABLE):
            return ReferralStatus.CLOSED_UNREACHABLE
        if _any_outcome(tasks, {TaskType.CLINICAL_REVIEW}, "stop"):
            return ReferralStatus.CLOSED_CLINICAL
        if _any_outcome(tasks, {TaskType.CONFIRM_ORDER}, ReviewOutcome.REJECTED):
            return ReferralStatus.CLOSED_ORDER_NOT_CURRENT
        benefits = record.benefits.outcome if record.benefits else None
        insurance = [t for t in tasks if t.task_type in INSURANCE_TASKS]
        if (
            benefits != "verified"
            and insurance
            and insurance[-1].outcome == ReviewOutcome.REJECTED.value
        ):
            return ReferralStatus.INSURANCE_UNVERIFIED
        return None

    def failed(self, request: Failed) -> dict[str, Any]:
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
        FailedReferral(self.store, self.tasks, self.tasks.notifier).close(
            request.referral_id, error, now
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


def _any_outcome(tasks: list[TaskRecord], types: set[TaskType], outcome: str) -> bool:
    return any(t.task_type in types and t.outcome == outcome for t in tasks)
