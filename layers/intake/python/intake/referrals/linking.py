"""Same patient, same therapy: a later referral is linked to the open one as an update.

Clinics resend a referral by fax, HL7 and FHIR, or again with a new clinic reference: a
content hash cannot see that. The match key is the patient's identity (names compared without
case, accents or punctuation, date of birth, member id), the drug (HCPCS, else NDC) and the
prescriber's NPI, hashed so no PHI sits in a key. One ``LINK#<key>`` item names the open
referral; it is claimed with a conditional put, so of two uploads at once one starts the
workflow and the other links to it. A holder that has ended, or was uploaded outside the
window, is replaced (conditionally on still being that holder).

A linked upload gets no workflow and no calls: it is listed on the open referral
(``documents``, an ``update_linked`` event) and a ``linked_update`` task tells a liaison, who
keeps it linked (``resolved``) or splits it into its own referral (``split``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from intake.core.clock import utcnow
from intake.core.errors import Conflict, InvalidRequest
from intake.core.names import comparable_name
from intake.core.observability import logger, metrics
from intake.models.ports import ReferralStore, Workflow
from intake.models.records import (
    AuthTaskOutcome,
    LinkedDocument,
    LinkOutcome,
    ReferralRecord,
    ReferralStatus,
    TaskRecord,
    TaskStatus,
    TaskType,
)
from intake.models.referral import Referral
from intake.models.task_details import LinkedUpdateDetails
from intake.tasks.service import Completion, TaskService

OPEN_STATUSES = frozenset({ReferralStatus.IN_PROGRESS, ReferralStatus.IN_REVIEW})
LINK_TASK_SLA = timedelta(hours=24)
MAX_LINKED_DOCUMENTS = 50
"""Kept well inside DynamoDB's 400 KB item: later uploads still link, unlisted."""


def match_key(referral: Referral) -> str:
    """The same for the same patient, drug and prescriber however the document spelled them."""
    therapy = referral.therapy
    drug = therapy.hcpcs or therapy.ndc or comparable_name(therapy.drug_name)
    parts = (
        comparable_name(referral.patient.last_name),
        comparable_name(referral.patient.first_name),
        referral.patient.date_of_birth.isoformat(),
        comparable_name(referral.insurance.member_id) if referral.insurance else "",
        drug.upper(),
        referral.prescriber.npi,
    )
    return hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()


@dataclass
class Linker:
    store: ReferralStore
    tasks: TaskService
    window: timedelta = timedelta(days=30)
    clock: Callable[[], datetime] = utcnow

    def open_match(self, record: ReferralRecord) -> str | None:
        """The open referral ``record`` updates, or None when ``record`` is (now) the open one
        for its key. Call only with the record already stored, so a holder always has one."""
        assert record.referral is not None
        key = match_key(record.referral)
        expires = record.uploaded_at + self.window + timedelta(days=1)
        replace: str | None = None
        for _ in range(5):
            holder = self.store.claim_link(
                key, record.referral_id, expires_at=expires, replace=replace
            )
            if holder == record.referral_id:
                return None
            if self._is_open(holder, record.uploaded_at):
                return holder
            replace = holder  # ended or out of the window: take its place
        raise Conflict("the open referral for this patient and therapy keeps changing; retry")

    def _is_open(self, referral_id: str, uploaded_at: datetime) -> bool:
        holder = self.store.get_referral(referral_id)
        return (
            holder is not None
            and holder.status in OPEN_STATUSES
            and abs(uploaded_at - holder.uploaded_at) <= self.window
        )

    def link(self, record: ReferralRecord, open_id: str) -> None:
        """Record ``record`` as an update of ``open_id``. Idempotent: a redelivered upload
        finishes whatever a first run left undone, once."""
        referral_id = record.referral_id
        now = self.clock()
        if record.status is not ReferralStatus.LINKED:
            self.store.update_referral(
                referral_id,
                status=ReferralStatus.LINKED.value,
                stage=f"linked to referral {open_id} as an update",
                linked_to=open_id,
                execution_name=None,
                updated_at=now,
            )
            self.store.record(referral_id, "linked", at=now, linked_to=open_id)
        document = LinkedDocument(
            referral_id=referral_id,
            bucket=record.source.bucket,
            key=record.source.key,
            version_id=record.source.version_id,
            format=record.source.format,
            uploaded_at=record.uploaded_at,
        ).model_dump(mode="json")

        def attach(documents: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
            if len(documents) >= MAX_LINKED_DOCUMENTS:
                return None
            if any(d.get("referral_id") == referral_id for d in documents):
                return None
            return [*documents, document]

        if self.store.change_documents(open_id, attach):
            self.store.record(
                open_id,
                "update_linked",
                at=now,
                linked_referral_id=referral_id,
                key=record.source.key,
            )
        self.tasks.open_review_task(
            referral_id,
            TaskType.LINKED_UPDATE,
            record.created_at + LINK_TASK_SLA,
            {
                "linked_to": open_id,
                "document": f"s3://{record.source.bucket}/{record.source.key}",
                "format": record.source.format,
            },
        )
        metrics.add_metric(name="ReferralsLinked", unit="Count", value=1)
        logger.info("referral linked", extra={"referral_id": referral_id, "linked_to": open_id})
        self._records_arrived(open_id, referral_id)

    def _records_arrived(self, open_id: str, linked_id: str) -> None:
        """The open referral waits for records from the clinic: this upload is them. Its
        ``records_from_clinic`` task is completed as ``received`` (the workflow resumes and
        evaluates the evidence again, asking again for anything still missing). Idempotent:
        a completed task is left alone."""
        holder = self.store.get_referral(open_id)
        summary = holder.prior_auth if holder else None
        task_id = summary.records_task_id if summary else None
        task = self.store.get_task(str(task_id)) if task_id else None
        if task is None or task.status not in (TaskStatus.OPEN, TaskStatus.CLAIMED):
            return
        by = task.claimed_by or "clinic-upload"
        try:
            self.tasks.complete(
                task.task_id,
                Completion(
                    outcome=AuthTaskOutcome.RECEIVED.value,
                    liaison=by,
                    note=f"records uploaded by the clinic (linked upload {linked_id})",
                ),
            )
        except Conflict:
            return  # completed meanwhile by a liaison: their outcome stands
        self.store.record(open_id, "records_upload_linked", at=self.clock(), linked=linked_id)


@dataclass
class LinkSplit:
    """A ``linked_update`` task completed as ``split``: the upload becomes its own referral
    and its workflow starts. Safe to repeat: the execution is named by the referral id and
    each step checks what is already done."""

    store: ReferralStore
    workflow: Workflow
    clock: Callable[[], datetime] = utcnow

    def __call__(self, task: TaskRecord, completion: Completion) -> Callable[[], None] | None:
        if completion.outcome != LinkOutcome.SPLIT.value:
            return None
        record = self.store.get_referral(task.referral_id)
        if record is None or record.referral is None:
            raise InvalidRequest(f"referral {task.referral_id} has no referral to split")
        splitting = record.status is ReferralStatus.IN_PROGRESS and record.split_from
        if record.status is not ReferralStatus.LINKED and not splitting:
            raise Conflict(f"referral {task.referral_id} is {record.status.value}, not linked")
        open_id = (
            record.linked_to or record.split_from or task.details_as(LinkedUpdateDetails).linked_to
        )
        referral_id = record.referral_id

        def split() -> None:
            now = self.clock()
            current = self.store.get_referral(referral_id)
            changed = current is not None and current.status is ReferralStatus.LINKED
            if changed:
                self.store.update_referral(
                    referral_id,
                    status=ReferralStatus.IN_PROGRESS.value,
                    stage="welcome call",
                    linked_to=None,
                    split_from=open_id,
                    execution_name=referral_id,
                    updated_at=now,
                )
                self.store.record(
                    referral_id, "split", at=now, actor=completion.liaison, split_from=open_id
                )
            try:
                started = self.workflow.start(
                    referral_id,
                    {"referral_id": referral_id, "uploaded_at": record.uploaded_at.isoformat()},
                )
            except Exception:
                self.store.update_referral(
                    referral_id,
                    status=ReferralStatus.LINKED.value,
                    stage=f"linked to referral {open_id} as an update",
                    linked_to=open_id,
                    updated_at=self.clock(),
                )
                raise

            def detach(documents: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
                kept = [d for d in documents if d.get("referral_id") != referral_id]
                return kept if len(kept) != len(documents) else None

            if self.store.change_documents(open_id, detach):
                self.store.record(
                    open_id,
                    "update_split",
                    at=now,
                    actor=completion.liaison,
                    linked_referral_id=referral_id,
                )
            if started and changed:  # a repeated split finds its execution already there
                self.store.record(referral_id, "workflow_requested", at=self.clock())
            logger.info("linked referral split", extra={"referral_id": referral_id})

        return split
