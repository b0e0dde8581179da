"""The liaison task queue: opening tasks, listing and reading them, escalating overdue ones,
and the timeline and notifications every change to a task writes. ``TaskService`` adds what a
liaison does with a task (claim, give back, complete, call attempts) over the same context.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from intake.core.clock import utcnow
from intake.core.errors import Conflict, NotFound
from intake.core.ids import task_id_for
from intake.core.observability import logger
from intake.models.ports import Notifier, ReferralStore, Workflow
from intake.models.records import TaskPatient, TaskRecord, TaskStatus, TaskType
from intake.models.task_details import TaskDetails, details_for

REASONS: dict[TaskType, str] = {
    TaskType.WELCOME_CALL: "Welcome call: introduce the pharmacy, confirm contact details and delivery address",
    TaskType.COST_AND_OPTIONS_CALL: "Cost and options call: explain the estimate and assistance options",
    TaskType.SCHEDULING_CALL: "Scheduling call: book the first infusion with nursing",
    TaskType.NEEDS_REVIEW: "Needs review: the upload could not be accepted; contact the clinic",
    TaskType.COMPLETE_REFERRAL: "Complete referral: fill in the fields the machine could not read",
    TaskType.VERIFY_INSURANCE: "Verify insurance details with the clinic or patient",
    TaskType.COVERAGE_INACTIVE: "Coverage is inactive: find current insurance with the patient",
    TaskType.WORKFLOW_ERROR: "The referral's workflow failed: investigate and restart",
    TaskType.APPEAL_OR_ALTERNATIVES: "Prior authorization denied: appeal (packet ready) or discuss alternatives",
    TaskType.PRIOR_AUTH_FOLLOWUP: "Prior authorization needs a person: follow up with the payer",
    TaskType.ACCEPT_OR_APPEAL: "Certified less than requested: consult the prescriber, accept the terms or appeal",
    TaskType.NETWORK_EXCEPTION: "Out of network: ask the payer for a network exception (single-case agreement)",
    TaskType.VERIFY_CONTACT: "Wrong number: get the patient's current phone number from the clinic",
    TaskType.CONFIRM_ORDER: "The order is old: confirm with the prescriber that it is current",
    TaskType.LINKED_UPDATE: "Same patient and therapy as an open referral: keep it linked, or split it",
    TaskType.DOSE_CHECKIN_CALL: "Pre-infusion check-in: side effects, hospitalizations, supplies on hand, cost",
    TaskType.DOSE_DELIVERY: "Dose cleared: ship the medication and supplies by the ship-by date",
    TaskType.DOSE_HOLD: "A dose is held: resolve why (coverage, payer, patient) before it ships",
    TaskType.DOSE_REAUTHORIZATION: "The authorization does not cover an upcoming dose: re-authorize",
    TaskType.RECORDS_FROM_CLINIC: "The payer needs records the referral lacks: get them from "
    "the clinic (request faxed), or file without them saying why",
    TaskType.PRESCRIBER_SIGNATURE: "The letter of medical necessity was faxed to the prescriber "
    "to sign: record it signed (with the signed copy), or send it unsigned saying why",
    TaskType.SEND_TO_PBM: "Pharmacy-benefit drug: send the packet to the PBM (fax or portal), "
    "then record its answer",
    TaskType.PHARMACIST_ASSESSMENT: "Pharmacist's initial assessment call: history, allergies, "
    "medicines, prior infusions, access, labs, weight, home; record it on the task",
    TaskType.CLINICAL_REVIEW: "The assessment found an allergy, interaction or condition "
    "conflict: proceed (say why) or stop the referral (the clinic is told)",
    TaskType.FIRST_VISIT: "First visit: teach, give and monitor the infusion, assess the home, "
    "then document the visit (or record it missed or cancelled: it is booked again)",
    TaskType.ASSISTANCE_ENROLLMENT: "Financial assistance: enroll the patient in a program "
    "(its documents and signatures), then record the enrollment id",
    TaskType.CLINIC_STATUS_UNSENT: "A status for the referring clinic could not be faxed: send "
    "it by hand or correct the clinic's fax number",
    TaskType.CONFIRM_COVERAGE: "Coverage found for a patient without a card: confirm the payer "
    "and plan with the patient before it is used",
    TaskType.COVERAGE_NOT_FOUND: "No coverage found: get the insurance card from the patient or "
    "clinic (every payer tried is listed)",
}


def announce_cancelled(
    store: ReferralStore,
    notifier: Notifier | None,
    task: TaskRecord,
    reason: str,
    at: datetime,
) -> None:
    """A cancelled task on its referral's timeline and to the liaisons (ids and the reason:
    the reason is the system's or a liaison's words about the therapy, never patient values)."""
    store.record(
        task.referral_id,
        "task_cancelled",
        at=at,
        task_id=task.task_id,
        task_type=task.task_type.value,
        reason=reason,
    )
    if notifier is not None:
        notifier.publish(
            f"CANCELLED: {task.task_type.value} task {task.task_id}",
            {
                "kind": "task_cancelled",
                "task_id": task.task_id,
                "referral_id": task.referral_id,
                "task_type": task.task_type.value,
                "claimed_by": task.claimed_by,
                "reason": reason,
            },
        )
    logger.info("task cancelled", extra={"task_id": task.task_id})


@dataclass
class TaskQueue:
    store: ReferralStore
    notifier: Notifier
    workflow: Workflow | None = None
    clock: Callable[[], datetime] = utcnow

    def open_review_task(
        self,
        referral_id: str,
        task_type: TaskType,
        due_at: datetime,
        details: TaskDetails | dict[str, Any],
        round_: int = 1,
    ) -> TaskRecord:
        """A task no workflow waits on (quarantined upload, draft to complete)."""
        task = self.plan_review_task(referral_id, task_type, due_at, details, round_)
        if self.store.put_task_if_new(task):
            self._announce(task, "task_queued")
            return task
        existing = self.store.get_task(task.task_id)
        assert existing is not None
        return existing

    def plan_review_task(
        self,
        referral_id: str,
        task_type: TaskType,
        due_at: datetime,
        details: TaskDetails | dict[str, Any],
        round_: int = 1,
    ) -> TaskRecord:
        """The task ``open_review_task`` opens, not yet written: for a caller that writes it
        in one transaction with what caused it, then calls ``announce``."""
        return self._new_task(referral_id, task_type, due_at, round_, details, None)

    def announce(self, task: TaskRecord) -> None:
        """A task written elsewhere (in a transaction) on the timeline and to the liaisons."""
        self._announce(task, "task_queued")

    def list_open(
        self,
        task_type: TaskType | None = None,
        due_before: datetime | None = None,
        statuses: Iterable[TaskStatus] = (TaskStatus.OPEN, TaskStatus.CLAIMED),
    ) -> list[TaskRecord]:
        tasks = [t for s in statuses for t in self.store.open_tasks(s.value)]
        if task_type is not None:
            tasks = [t for t in tasks if t.task_type is task_type]
        if due_before is not None:
            tasks = [t for t in tasks if t.due_at <= due_before]
        return sorted(tasks, key=lambda t: (t.due_at, t.task_id))

    def get(self, task_id: str) -> TaskRecord:
        task = self.store.get_task(task_id)
        if task is None:
            raise NotFound(f"task {task_id} does not exist")
        return task

    def _refusal(self, task_id: str, liaison: str) -> Conflict:
        """Why a conditional write on a task lost, in words (read after the loss)."""
        current = self.get(task_id)
        if current.status in (TaskStatus.COMPLETED, TaskStatus.CANCELLED):
            return Conflict(f"task {task_id} is already {current.status.value}")
        if current.status is TaskStatus.CLAIMED and current.claimed_by != liaison:
            return Conflict(f"task {task_id} is claimed by another liaison")
        return Conflict(f"task {task_id} changed meanwhile; read it again")

    def escalate(self, referral_id: str, task_type: TaskType, round_: int = 1) -> TaskRecord:
        task_id = task_id_for(referral_id, task_type, round_)
        task = self.get(task_id)
        if task.status is TaskStatus.COMPLETED:
            return task
        return self._escalate(task, "overdue")

    def _escalate(self, task: TaskRecord, why: str) -> TaskRecord:
        escalated = self.store.update_task(
            task.task_id,
            {"escalations": task.escalations + 1, "escalated_at": self.clock()},
        )
        self._timeline(
            task.referral_id,
            "task_escalated",
            escalated,
            escalations=escalated.escalations,
            why=why,
        )
        self.notifier.publish(
            f"ESCALATED ({why}): {task.task_type.value} task {task.task_id}",
            {
                "kind": "task_escalated",
                "why": why,
                "task_id": task.task_id,
                "referral_id": task.referral_id,
                "task_type": task.task_type.value,
                "due_at": task.due_at,
                "escalations": escalated.escalations,
            },
        )
        logger.warning(
            "task escalated",
            extra={"task_id": task.task_id, "escalations": escalated.escalations, "why": why},
        )
        return escalated

    def _new_task(
        self,
        referral_id: str,
        task_type: TaskType,
        due_at: datetime,
        round_: int,
        details: TaskDetails | dict[str, Any],
        token: str | None,
    ) -> TaskRecord:
        record = self.store.get_referral(referral_id)
        patient = None
        if record is not None and record.referral is not None:
            p = record.referral.patient
            patient = TaskPatient(
                first_name=p.first_name,
                last_name=p.last_name,
                phone=p.phone,
                preferred_language=p.preferred_language,
            )
        return TaskRecord(
            task_id=task_id_for(referral_id, task_type, round_),
            referral_id=referral_id,
            task_type=task_type,
            status=TaskStatus.OPEN,
            reason=REASONS[task_type],
            due_at=due_at,
            created_at=self.clock(),
            patient=patient,
            details=details_for(task_type, details),
            task_token=token,
        )

    def _announce(self, task: TaskRecord, event: str) -> None:
        self._timeline(task.referral_id, event, task)
        self.notifier.publish(
            f"New {task.task_type.value} task {task.task_id}",
            {
                "kind": "task_queued",
                "task_id": task.task_id,
                "referral_id": task.referral_id,
                "task_type": task.task_type.value,
                "due_at": task.due_at,
                "language": task.patient.preferred_language.value if task.patient else None,
            },
        )
        logger.info(
            "task queued", extra={"task_id": task.task_id, "task_type": task.task_type.value}
        )

    def _resume(self, task: TaskRecord, token: str) -> None:
        output = {
            "task_id": task.task_id,
            "task_type": task.task_type.value,
            "outcome": task.outcome,
            "note_present": bool(task.note),
            "completed_by": task.completed_by,
            "completed_at": task.completed_at,
            "has_corrections": bool(task.corrections),
        }
        # Ids, not values: the workflow's history is outside the data key, so a person's
        # corrections stay on the task and the next step reads them from there by task id.
        if self.workflow is None:
            raise RuntimeError("TaskService needs a workflow to resume tasks")
        resumed = self.workflow.resume(token, output)
        if resumed != (not task.resume_pending):
            self.store.update_task(task.task_id, {"resume_pending": not resumed})
        if not resumed:
            logger.warning(
                "task token expired; will resume on re-queue", extra={"task_id": task.task_id}
            )

    def _timeline(
        self, referral_id: str, event: str, task: TaskRecord, actor: str = "system", **extra: Any
    ) -> None:
        self.store.record(
            referral_id,
            event,
            at=self.clock(),
            actor=actor,
            task_id=task.task_id,
            task_type=task.task_type.value,
            **extra,
        )
