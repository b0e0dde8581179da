"""Liaison tasks: opened by the workflow (with a task token) or by intake (review work),
claimed and completed by liaisons through the API, escalated when overdue.

Completion is recorded first and the workflow resumed second. If the token has expired in
between (the task was escalated and re-queued with a fresh token), the task is marked
``resume_pending`` and the re-queued request resumes the workflow with the recorded outcome,
so a completed call can never leave its referral stuck.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field, TypeAdapter, ValidationError, model_validator

from intake.core.errors import Conflict, InvalidCorrections, InvalidRequest
from intake.core.ids import task_id_for
from intake.core.observability import logger
from intake.models.assistance import EnrollmentOutcome
from intake.models.codes import Phone
from intake.models.draft import correction_problems
from intake.models.records import (
    RETRY_OUTCOMES,
    AuthTaskOutcome,
    CallAttempt,
    CallOutcome,
    ClinicalReviewOutcome,
    CoverageConfirmation,
    LinkOutcome,
    ReviewOutcome,
    TaskRecord,
    TaskStatus,
    TaskType,
)
from intake.models.task_details import (
    CompleteReferralDetails,
    Details,
    ReferralValues,
    TaskDetails,
    VerifyContactDetails,
    details_for,
    with_typed_details,
)
from intake.tasks.queue import TaskQueue

_PHONE: TypeAdapter[str] = TypeAdapter(Phone)

EFFECT_FAILED_SLA = timedelta(hours=4)
EFFECT_FAILED_ROUND = 900
"""The round of the workflow_error task a completion's failed effect opens (the failed
workflow's own is round 1)."""

CALL_TASKS = {
    TaskType.WELCOME_CALL,
    TaskType.COST_AND_OPTIONS_CALL,
    TaskType.SCHEDULING_CALL,
    TaskType.DOSE_CHECKIN_CALL,
    TaskType.PHARMACIST_ASSESSMENT,
}
REFERRAL_CORRECTIONS = frozenset(TaskType) - {
    TaskType.PRIOR_AUTH_FOLLOWUP,
    TaskType.DOSE_REAUTHORIZATION,
    TaskType.PRESCRIBER_SIGNATURE,
    TaskType.ASSISTANCE_ENROLLMENT,
}
"""Tasks whose corrections are referral fields (a follow-up's are the payer's certification)."""


_A = AuthTaskOutcome
_OUTCOMES: dict[TaskType, frozenset[str]] = {
    TaskType.APPEAL_OR_ALTERNATIVES: frozenset(
        o.value for o in (_A.APPEAL_SUBMITTED, _A.ALTERNATIVE_THERAPY, _A.SELF_PAY, _A.DECLINED)
    ),
    TaskType.ACCEPT_OR_APPEAL: frozenset(
        o.value
        for o in (
            _A.ACCEPT_TERMS,
            _A.APPEAL_SUBMITTED,
            _A.ALTERNATIVE_THERAPY,
            _A.SELF_PAY,
            _A.DECLINED,
        )
    ),
    TaskType.PRIOR_AUTH_FOLLOWUP: frozenset(
        o.value for o in (_A.CERTIFIED, _A.DENIED, _A.STILL_PENDING, _A.NOT_REQUIRED)
    ),
    TaskType.NETWORK_EXCEPTION: frozenset(o.value for o in (_A.APPROVED, _A.DENIED)),
    TaskType.LINKED_UPDATE: frozenset(o.value for o in LinkOutcome),
    TaskType.RECORDS_FROM_CLINIC: frozenset(o.value for o in (_A.RECEIVED, _A.FILE_WITHOUT)),
    TaskType.PRESCRIBER_SIGNATURE: frozenset(o.value for o in (_A.SIGNED, _A.SEND_UNSIGNED)),
    TaskType.SEND_TO_PBM: frozenset(o.value for o in (_A.APPROVED, _A.DENIED, _A.NOT_REQUIRED)),
    TaskType.CLINICAL_REVIEW: frozenset(o.value for o in ClinicalReviewOutcome),
    TaskType.FIRST_VISIT: frozenset({"documented", "missed", "cancelled"}),
    TaskType.ASSISTANCE_ENROLLMENT: frozenset(o.value for o in EnrollmentOutcome),
    TaskType.CONFIRM_COVERAGE: frozenset(o.value for o in CoverageConfirmation),
}


def allowed_outcomes(task_type: TaskType, *, may_close_unreachable: bool = False) -> set[str]:
    """The outcomes a liaison may record on a task of this type. ``unreachable`` closes a
    referral, so a call offers it only once every attempt has been used."""
    if task_type in CALL_TASKS:
        outcomes = {o.value for o in CallOutcome}
        if not may_close_unreachable:
            outcomes.discard(CallOutcome.UNREACHABLE.value)
        return outcomes
    return set(_OUTCOMES.get(task_type, {o.value for o in ReviewOutcome}))


def outcomes_for(task: TaskRecord, max_attempts: int) -> set[str]:
    return allowed_outcomes(
        task.task_type,
        may_close_unreachable=len(task.attempts) >= max_attempts or task.contact_unverified,
    )


class _TypedDetails(BaseModel):
    """A model whose ``details`` is the model of its ``task_type``: a dictionary given is
    validated into it."""

    @model_validator(mode="before")
    @classmethod
    def _typed_details(cls, data: Any) -> Any:
        return with_typed_details(data)


class TaskPlan(_TypedDetails):
    """A liaison task a workflow step asks the state machine to queue. ``details`` is copied
    onto the task as one object, so the state machine reads no optional paths."""

    task_type: str
    round: int = 1
    due_at: str
    timeout_seconds: int
    details: Details
    """The model of its ``task_type``: a dictionary given is validated into it."""

    @classmethod
    def due_in(
        cls,
        task_type: TaskType,
        sla: timedelta,
        now: datetime,
        details: TaskDetails | dict[str, Any],
        round_: int = 1,
    ) -> TaskPlan:
        return cls(
            task_type=task_type.value,
            round=round_,
            due_at=(now + sla).isoformat(),
            timeout_seconds=int(sla.total_seconds()),
            details=details_for(task_type, details),
        )


class CallRequest(_TypedDetails):
    """What the workflow puts on the call-task queue (see the state machine)."""

    task_token: str = Field(min_length=1)
    referral_id: str
    task_type: TaskType
    round: int = Field(default=1, ge=1)
    due_at: datetime
    details: Details


CompletionHook = Callable[[TaskRecord, "Completion"], Callable[[], None] | None]


class Completion(BaseModel):
    outcome: str
    note: str | None = Field(default=None, max_length=4000)
    liaison: str = Field(min_length=1, max_length=120)
    corrections: ReferralValues | None = None
    first_infusion_date: date | None = Field(
        default=None,
        description="scheduling call reached: the first infusion's date; the therapy calendar "
        "is computed from it when the referral concludes",
    )


@dataclass
class TaskService(TaskQueue):
    """What a liaison does with a task: claim it, give it back, complete it (a call's
    attempts, a contact check, corrections), and resuming the workflow that waits on it."""

    # What completing a task of a type does besides recording it (e.g. a completed draft
    # starts its workflow). Called before the completion is written: it may refuse (raise,
    # the task stays open); it returns what to do once this completion has won, or None.
    on_complete: dict[TaskType, CompletionHook] = field(default_factory=dict)
    max_call_attempts: int = 3
    max_effect_attempts: int = 5
    attempt_spacing: timedelta = timedelta(hours=4)
    contact_check_sla: timedelta = timedelta(hours=4)

    def open_from_workflow(self, request: CallRequest) -> TaskRecord:
        """Idempotent: a redelivered or re-queued request updates the task's token only."""
        task_id = task_id_for(request.referral_id, request.task_type, request.round)
        existing = self.store.get_task(task_id)
        if existing is None:
            task = self._new_task(
                request.referral_id,
                request.task_type,
                request.due_at,
                request.round,
                request.details,
                request.task_token,
            )
            if self.store.put_task_if_new(task):
                self._announce(task, "task_queued")
                return task
            existing = self.store.get_task(task_id)
            assert existing is not None
        if existing.status is TaskStatus.COMPLETED:
            if existing.task_token != request.task_token:
                self._resume(existing, request.task_token)
            return existing
        return self.store.update_task(task_id, {"task_token": request.task_token})

    def claim(self, task_id: str, liaison: str) -> TaskRecord:
        """One conditional write decides: of two liaisons claiming at once, one gets the task
        and the other a Conflict (claiming again what you hold is a no-op success)."""
        task = self.get(task_id)
        try:
            claimed = self.store.update_task(
                task_id,
                {
                    "status": TaskStatus.CLAIMED.value,
                    "claimed_by": liaison,
                    "claimed_at": self.clock(),
                },
                expect_status={TaskStatus.OPEN.value, TaskStatus.CLAIMED.value},
                workable_by=liaison,
            )
        except Conflict:
            raise self._refusal(task_id, liaison) from None
        if task.claimed_by != liaison:
            self._timeline(task.referral_id, "task_claimed", task, actor=liaison)
        return claimed

    def unclaim(self, task_id: str, liaison: str) -> TaskRecord:
        """Give a claimed task back to the queue (only its holder can)."""
        task = self.get(task_id)
        try:
            released = self.store.update_task(
                task_id,
                {"status": TaskStatus.OPEN.value, "claimed_by": None, "claimed_at": None},
                expect_status={TaskStatus.CLAIMED.value},
                workable_by=liaison,
            )
        except Conflict:
            current = self.get(task_id)
            if current.status is TaskStatus.OPEN:
                raise Conflict(f"task {task_id} is not claimed") from None
            raise self._refusal(task_id, liaison) from None
        self._timeline(task.referral_id, "task_unclaimed", task, actor=liaison)
        return released

    def complete(self, task_id: str, completion: Completion) -> TaskRecord:
        """Check, then win the conditional update, then act: a completion's effects (a draft
        starting its workflow) happen only for the request whose update succeeded, so the
        stored data is always the winner's. The update records the effect as pending; if
        acting fails (or the process dies), the completion stands and the scheduled
        reconciler finishes the effect (``finish_effect``)."""
        task = self.get(task_id)
        if task.status in (TaskStatus.COMPLETED, TaskStatus.CANCELLED):
            raise Conflict(f"task {task_id} is already {task.status.value}")
        if task.status is TaskStatus.CLAIMED and task.claimed_by != completion.liaison:
            raise Conflict(f"task {task_id} is claimed by another liaison")
        allowed = outcomes_for(task, self.max_call_attempts)
        if completion.outcome not in allowed:
            unreachable = completion.outcome == CallOutcome.UNREACHABLE.value
            raise InvalidRequest(
                f"outcome '{completion.outcome}' does not apply to a {task.task_type.value} task"
                + (
                    f" before {self.max_call_attempts} attempts have been made"
                    if unreachable and task.task_type in CALL_TASKS
                    else ""
                )
                + f"; use one of: {', '.join(sorted(allowed))}"
            )
        if task.task_type in CALL_TASKS:
            self._check_attempt_allowed(task)
            if (
                completion.outcome in RETRY_OUTCOMES
                or completion.outcome == CallOutcome.WRONG_NUMBER
            ):
                return self._another_attempt(task, completion)
        phone = None
        if task.task_type is TaskType.VERIFY_CONTACT:
            phone = self._verified_phone(task, completion)
        if completion.corrections and task.task_type in REFERRAL_CORRECTIONS:
            self._check_corrections(task, completion.corrections)
        hook = self.on_complete.get(task.task_type)
        act = hook(task, completion) if hook is not None else None
        fields: dict[str, Any] = {
            "status": TaskStatus.COMPLETED.value,
            "outcome": completion.outcome,
            "note": completion.note,
            "corrections": completion.corrections,
            "completed_by": completion.liaison,
            "completed_at": self.clock(),
        }
        booked = completion.first_infusion_date
        if booked is not None and task.task_type is not TaskType.SCHEDULING_CALL:
            raise InvalidRequest("first_infusion_date applies to a scheduling_call only")
        if booked is not None:
            fields["first_infusion_date"] = booked
        if task.task_type in CALL_TASKS:
            attempt = self._attempt(task, completion)
            fields["attempts"] = [a.model_dump(mode="json") for a in (*task.attempts, attempt)]
        # Its effect (start a workflow, write the booked date, send the task result) is
        # recorded as pending in the completion's own write: if this process dies before it
        # has run, the scheduled reconciler finds it and finishes it.
        pending = act is not None or bool(task.task_token) or booked is not None
        if pending:
            fields["effect"] = "pending"
        try:
            done = self.store.update_task(
                task_id,
                fields,
                expect_status={TaskStatus.OPEN.value, TaskStatus.CLAIMED.value},
                workable_by=completion.liaison,
                remove_from_work_queue=True,
                **({"effect_pending": True} if pending else {}),
            )
        except Conflict:
            raise self._refusal(task_id, completion.liaison) from None
        self._timeline(
            task.referral_id,
            "task_completed",
            done,
            actor=completion.liaison,
            outcome=completion.outcome,
        )
        if task.task_type is TaskType.VERIFY_CONTACT:
            self._contact_checked(done, phone)
        return self._finish(done, completion, act) if pending else done

    def _finish(
        self, done: TaskRecord, completion: Completion, act: Callable[[], None] | None
    ) -> TaskRecord:
        """Run a completion's effect, then mark it done. A failure leaves it pending (the
        liaison's completion stands; the reconciler runs it again)."""
        try:
            if act is not None:
                act()
            booked = done.first_infusion_date
            if booked is not None and completion.outcome == CallOutcome.REACHED.value:
                # Stored once, on the referral's schedule, where the course starts from.
                self.store.update_referral(
                    done.referral_id, first_infusion=booked, updated_at=self.clock()
                )
            if done.task_token:
                self._resume(done, done.task_token)
        except Exception as exc:
            logger.warning(
                "completion effect pending: the reconciler will finish it",
                extra={"task_id": done.task_id, "error": type(exc).__name__},
            )
            return self.store.update_task(
                done.task_id, {"effect_attempts": done.effect_attempts + 1}
            )
        return self.store.update_task(done.task_id, {"effect": "done"}, effect_pending=False)

    def finish_effect(self, task: TaskRecord) -> TaskRecord:
        """The reconciler's step: a completed task's pending effect, run again from what the
        completion stored (the hook validates again and gives the effect; starting a workflow
        and sending a result are idempotent by name and token)."""
        current = self.get(task.task_id)
        if current.effect != "pending":
            return current
        completion = Completion(
            outcome=current.outcome or "",
            note=current.note,
            liaison=current.completed_by or "system",
            corrections=current.corrections,
            first_infusion_date=current.first_infusion_date,
        )
        hook = self.on_complete.get(current.task_type)
        try:
            act = hook(current, completion) if hook is not None else None
        except Exception as exc:  # refused now: counted like a failed effect
            logger.warning(
                "completion effect refused on reconcile",
                extra={"task_id": current.task_id, "error": type(exc).__name__},
            )
            current = self.store.update_task(
                current.task_id, {"effect_attempts": current.effect_attempts + 1}
            )
            return self._give_up(current, type(exc).__name__)
        finished = self._finish(current, completion, act)
        return (
            self._give_up(finished, "effect failed") if finished.effect == "pending" else finished
        )

    def _give_up(self, task: TaskRecord, error: str) -> TaskRecord:
        """After ``max_effect_attempts`` a person is asked (a workflow_error task)."""
        if task.effect_attempts < self.max_effect_attempts:
            return task
        self.open_review_task(
            task.referral_id,
            TaskType.WORKFLOW_ERROR,
            self.clock() + EFFECT_FAILED_SLA,
            {
                "what_failed": f"completing task {task.task_id} could not finish its effect "
                "(start the workflow or send the task result)",
                "error_type": error[:80],
                "what_to_do": "Check the referral and its timeline, then hand the task id to "
                "engineering (the logs hold the errors under that id).",
                "cancelled_tasks": [],
            },
            round_=EFFECT_FAILED_ROUND,
        )
        logger.error("completion effect failed for good", extra={"task_id": task.task_id})
        return self.store.update_task(task.task_id, {"effect": "failed"}, effect_pending=False)

    def _attempt(self, task: TaskRecord, completion: Completion) -> CallAttempt:
        return CallAttempt(
            at=self.clock(),
            outcome=completion.outcome,
            by=completion.liaison,
            note_present=bool(completion.note),
        )

    def _check_attempt_allowed(self, task: TaskRecord) -> None:
        if task.waiting_for:
            raise Conflict(
                f"task {task.task_id} waits for the clinic to confirm the patient's phone "
                f"number (task {task.waiting_for})"
            )
        if task.next_attempt_at is not None and self.clock() < task.next_attempt_at:
            raise Conflict(
                f"the next attempt on task {task.task_id} is not before "
                f"{task.next_attempt_at.isoformat()} (attempts are spaced "
                f"{int(self.attempt_spacing.total_seconds() // 60)} minutes apart)"
            )

    def _another_attempt(self, task: TaskRecord, completion: Completion) -> TaskRecord:
        """Voicemail or no answer: the call stays open for a later attempt (spaced out), and
        is escalated once every attempt is used. A wrong number: the clinic is asked for the
        right one first."""
        now = self.clock()
        attempt = self._attempt(task, completion)
        attempts = [*task.attempts, attempt]
        fields: dict[str, Any] = {
            "attempts": [a.model_dump(mode="json") for a in attempts],
            "status": TaskStatus.OPEN.value,
            "claimed_by": None,
            "claimed_at": None,
            "next_attempt_at": now + self.attempt_spacing,
        }
        if completion.outcome == CallOutcome.WRONG_NUMBER.value:
            check = self.open_review_task(
                task.referral_id,
                TaskType.VERIFY_CONTACT,
                now + self.contact_check_sla,
                {
                    "call_task_id": task.task_id,
                    "field": "patient.phone",
                    "ask": "the clinic's current phone number for the patient",
                },
                round_=len(attempts),
            )
            fields.update(waiting_for=check.task_id, next_attempt_at=None)
        try:
            updated = self.store.update_task(
                task.task_id,
                fields,
                expect_status={TaskStatus.OPEN.value, TaskStatus.CLAIMED.value},
                workable_by=completion.liaison,
            )
        except Conflict:
            raise self._refusal(task.task_id, completion.liaison) from None
        self._timeline(
            task.referral_id,
            "call_attempt",
            updated,
            actor=completion.liaison,
            attempt=len(attempts),
            outcome=completion.outcome,
        )
        if (
            completion.outcome != CallOutcome.WRONG_NUMBER.value
            and len(attempts) >= self.max_call_attempts
        ):
            updated = self._escalate(
                updated, f"{len(attempts)} attempts without reaching the patient"
            )
        return updated

    def _update_patient_phone(self, referral_id: str, phone: str) -> None:
        record = self.store.get_referral(referral_id)
        if record is None or record.referral is None:
            return
        patient = record.referral.patient.model_copy(update={"phone": phone})
        referral = record.referral.model_copy(update={"patient": patient})
        self.store.update_referral(
            referral_id, referral=referral.model_dump(mode="json"), updated_at=self.clock()
        )

    def _verified_phone(self, task: TaskRecord, completion: Completion) -> str | None:
        """The clinic's number for the patient, checked before the task is closed."""
        if completion.outcome != ReviewOutcome.RESOLVED.value:
            return None
        phone = (completion.corrections or {}).get("patient.phone")
        if not isinstance(phone, str):
            raise InvalidRequest(
                'give the number the clinic confirmed as corrections {"patient.phone": "..."}'
            )
        try:
            return _PHONE.validate_python(phone)
        except ValidationError as exc:
            raise InvalidRequest("patient.phone is not a valid US phone number") from exc

    def _contact_checked(self, check: TaskRecord, phone: str | None) -> None:
        """Back to the call: with the confirmed number, the next attempt may be made now;
        without one, the call may be closed as unreachable."""
        call = self.store.get_task(check.details_as(VerifyContactDetails).call_task_id)
        if call is None or call.status is TaskStatus.COMPLETED or call.waiting_for != check.task_id:
            return
        fields: dict[str, Any] = {"waiting_for": None, "next_attempt_at": self.clock()}
        if phone is not None:
            self._update_patient_phone(check.referral_id, phone)
            if call.patient is not None:
                fields["patient"] = call.patient.model_copy(update={"phone": phone}).model_dump(
                    mode="json"
                )
        else:
            fields["contact_unverified"] = True
        updated = self.store.update_task(call.task_id, fields)
        self._timeline(
            check.referral_id,
            "contact_verified" if phone is not None else "contact_not_verified",
            updated,
            actor=check.completed_by or "system",
        )
        if phone is None:
            self._escalate(updated, "the clinic has no working phone number for the patient")

    def _check_corrections(self, task: TaskRecord, corrections: dict[str, Any]) -> None:
        """Paths must be referral fields, list positions bounded by the list they correct."""
        record = self.store.get_referral(task.referral_id)
        base: dict[str, Any] = {}
        if record is not None and record.referral is not None:
            base = record.referral.model_dump(mode="json")
        elif record is not None and record.draft is not None:
            base = record.draft
        elif isinstance(task.details, CompleteReferralDetails) and task.details.draft is not None:
            base = task.details.draft  # a task stored before drafts moved to the referral
        problems = correction_problems(base, corrections)
        if problems:
            raise InvalidCorrections("the corrections cannot be applied: " + "; ".join(problems))
