"""Intake of one uploaded referral file: read, validate, record, start its workflow.

Every ending is recorded where a person sees it: a valid referral starts its workflow, or,
when an open referral for the same patient and therapy exists, is linked to it as an update
(``intake.referrals.linking``); a readable draft with missing or doubtful fields becomes a
"complete referral" task; anything else is moved to ``quarantine/`` with its problems in
plain words and a "needs review" task.
Re-running on the same content (duplicate events) repeats only idempotent steps.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from intake.core.clock import utcnow
from intake.core.errors import InvalidRequest
from intake.core.ids import referral_id_from_digest
from intake.core.observability import logger, metrics
from intake.models.ports import Documents, ReferralStore, Workflow
from intake.models.records import (
    ReferralRecord,
    ReferralStatus,
    SourceDocument,
    TaskType,
)
from intake.referrals import ParseOutcome, parse_referral_document
from intake.referrals.detect import DocumentFormat
from intake.referrals.linking import Linker
from intake.tasks.failure import where
from intake.tasks.service import TaskService

REVIEW_SLA = timedelta(hours=24)
# Structured uploads from a clinic's system are wrong at the source when invalid: they go
# back to the clinic (quarantine). Faxes and messages are completed by a liaison instead.
_QUARANTINE_WHEN_INVALID = {DocumentFormat.JSON, DocumentFormat.X12, DocumentFormat.UNKNOWN}
SLOW_READ_ATTEMPTS = 3
"""Deliveries of an upload whose reading ran out of time (time budget, an OCR page) before its
result is taken as it is: the earlier ones raise ``ReadTimedOut`` and the queue delivers the
upload again after its visibility timeout (3 minutes). A busy machine gets two more chances;
a file that is slow on its own is quarantined with the reason on the third, well before the
queue's five receives would send it to the DLQ."""


class ReadTimedOut(Exception):
    """Reading the upload ran out of time on this delivery; nothing was recorded, read it again."""


@dataclass(frozen=True)
class UploadedObject:
    bucket: str
    key: str
    version_id: str | None
    size: int
    uploaded_at: datetime
    attempt: int = 1
    """Which delivery of the upload event this is (SQS ``ApproximateReceiveCount``)."""


@dataclass(frozen=True)
class IngestResult:
    referral_id: str
    status: ReferralStatus
    duplicate: bool


@dataclass
class IngestService:
    store: ReferralStore
    documents: Documents
    workflow: Workflow
    tasks: TaskService
    max_bytes: int = 20 * 1024 * 1024
    parse: Callable[..., ParseOutcome] = parse_referral_document
    clock: Callable[[], datetime] = utcnow
    linker: Linker | None = None
    """Links a valid referral to an open one for the same patient and therapy (None: never)."""

    def ingest(self, upload: UploadedObject) -> IngestResult:
        """Any exception propagates (the queue retries, then its DLQ alarms) and is logged
        here by type and place only: its message could hold a value from the document."""
        try:
            return self._ingest(upload)
        except ReadTimedOut:
            logger.warning(
                "reading ran out of time; the upload will be read again",
                extra={"attempt": upload.attempt, "version_id": upload.version_id},
            )
            raise
        except Exception as exc:
            logger.error(
                "ingest failed; the upload will be retried",
                extra={
                    "error": type(exc).__name__,
                    "where": where(exc),
                    "bucket": upload.bucket,
                    "version_id": upload.version_id,
                },
            )
            raise

    def _ingest(self, upload: UploadedObject) -> IngestResult:
        try:
            data = self.documents.read(upload.bucket, upload.key, upload.version_id, self.max_bytes)
        except InvalidRequest as exc:  # too large to read safely: quarantine unread
            digest = self.documents.digest(upload.bucket, upload.key, upload.version_id)
            referral_id = referral_id_from_digest(digest)
            existing = self.store.get_referral(referral_id)
            if existing is not None:
                return self._repeat(upload, existing)
            unread = self._source(upload, upload.size, digest, "unknown")
            return self._quarantine(upload, referral_id, unread, [str(exc)])

        digest = hashlib.sha256(data).hexdigest()
        referral_id = referral_id_from_digest(digest)
        existing = self.store.get_referral(referral_id)
        if existing is not None:
            return self._repeat(upload, existing)

        outcome = self.parse(data, received_at=upload.uploaded_at)
        if outcome.timed_out and upload.attempt < SLOW_READ_ATTEMPTS:
            metrics.add_metric(name="SlowReadsRetried", unit="Count", value=1)
            raise ReadTimedOut(f"reading ran out of time on delivery {upload.attempt}")
        source = self._source(upload, len(data), digest, outcome.format.value)
        if outcome.referral is not None:
            return self._accept(upload, referral_id, source, outcome)
        if outcome.readable and outcome.format not in _QUARANTINE_WHEN_INVALID:
            return self._hold_for_review(upload, referral_id, source, outcome)
        problems = outcome.problems or ["the file could not be read as a referral"]
        return self._quarantine(upload, referral_id, source, problems)

    # ------------------------------------------------------------------ endings
    def _accept(
        self,
        upload: UploadedObject,
        referral_id: str,
        source: SourceDocument,
        outcome: ParseOutcome,
    ) -> IngestResult:
        assert outcome.referral is not None
        referral = outcome.referral
        if referral.received_at is None:
            referral = referral.model_copy(update={"received_at": upload.uploaded_at})
        now = self.clock()
        record = self._arrived(
            upload,
            referral_id,
            source,
            now,
            status=ReferralStatus.IN_PROGRESS,
            stage="welcome call",
            referral=referral,
            problems=outcome.problems,  # notes on an accepted file (e.g. characters removed)
            execution_name=referral_id,
        )
        if not self.store.put_referral_if_new(record):  # lost a race with a duplicate event
            existing = self.store.get_referral(referral_id)
            assert existing is not None
            return self._repeat(upload, existing)
        self._record_upload(upload, referral_id, outcome.format.value)
        self.store.record(referral_id, "validated", at=now)
        metrics.add_metric(name="ReferralsAccepted", unit="Count", value=1)
        logger.info(
            "referral accepted", extra={"referral_id": referral_id, "format": outcome.format.value}
        )
        return IngestResult(referral_id, self._start_or_link(record, upload), duplicate=False)

    @staticmethod
    def _arrived(
        upload: UploadedObject,
        referral_id: str,
        source: SourceDocument,
        now: datetime,
        **fields: Any,
    ) -> ReferralRecord:
        """The record of an upload just read, created now; ``fields`` say how it ended."""
        return ReferralRecord(
            referral_id=referral_id,
            source=source,
            uploaded_at=upload.uploaded_at,
            created_at=now,
            updated_at=now,
            **fields,
        )

    def _record_upload(self, upload: UploadedObject, referral_id: str, fmt: str) -> None:
        self.store.record(
            referral_id, "uploaded", at=upload.uploaded_at, key=upload.key, format=fmt
        )

    def _start_or_link(self, record: ReferralRecord, upload: UploadedObject) -> ReferralStatus:
        """Start the workflow, unless an open referral for the same patient and therapy
        exists: then this one is linked to it as an update (one workflow, one welcome call).
        Decided after the record is stored, so a redelivery decides the same way."""
        open_id = None
        if self.linker is not None and record.split_from is None:
            open_id = self.linker.open_match(record)
        if open_id is None:
            self._start(record.referral_id, upload)
            return ReferralStatus.IN_PROGRESS
        assert self.linker is not None
        self.linker.link(record, open_id)
        return ReferralStatus.LINKED

    def _hold_for_review(
        self,
        upload: UploadedObject,
        referral_id: str,
        source: SourceDocument,
        outcome: ParseOutcome,
    ) -> IngestResult:
        now = self.clock()
        record = self._arrived(
            upload,
            referral_id,
            source,
            now,
            status=ReferralStatus.IN_REVIEW,
            stage="waiting for a liaison to complete missing fields",
            problems=outcome.problems,
            draft=outcome.draft,
            fields_missing=outcome.fields_missing,
        )
        created = self.store.put_referral_if_new(record)
        if created:
            self._record_upload(upload, referral_id, outcome.format.value)
            self.store.record(
                referral_id, "held_for_review", at=now, fields_missing=outcome.fields_missing
            )
        self._open_completion_task(record if created else None, referral_id, upload)
        metrics.add_metric(name="ReferralsHeldForReview", unit="Count", value=1)
        return IngestResult(referral_id, ReferralStatus.IN_REVIEW, duplicate=not created)

    def _open_completion_task(
        self, record: ReferralRecord | None, referral_id: str, upload: UploadedObject
    ) -> None:
        """The "complete referral" task for a referral in review. Small by design: the draft
        stays on the referral record (read through GET /referrals/{id}), never in the task."""
        if record is None:
            record = self.store.get_referral(referral_id)
            assert record is not None
        self.tasks.open_review_task(
            referral_id,
            TaskType.COMPLETE_REFERRAL,
            record.created_at + REVIEW_SLA,
            {
                "fields_missing": record.fields_missing,
                "problems": record.problems,
                "format": record.source.format,
                "document": f"s3://{upload.bucket}/{record.source.key}",
            },
        )

    def _quarantine(
        self, upload: UploadedObject, referral_id: str, source: SourceDocument, problems: list[str]
    ) -> IngestResult:
        now = self.clock()
        target = _quarantine_key(referral_id, upload)
        fmt = source.format
        source = source.model_copy(update={"quarantine_key": target})
        record = self._arrived(
            upload,
            referral_id,
            source,
            now,
            status=ReferralStatus.QUARANTINED,
            stage="quarantined: waiting for review",
            problems=problems,
        )
        created = self.store.put_referral_if_new(record)
        self.documents.quarantine(upload.bucket, upload.key, upload.version_id, target)
        if created:
            self._record_upload(upload, referral_id, fmt)
            self.store.record(
                referral_id, "quarantined", at=now, problems=len(problems), key=target
            )
        self.tasks.open_review_task(
            referral_id,
            TaskType.NEEDS_REVIEW,
            now + REVIEW_SLA,
            {"problems": problems, "document": f"s3://{upload.bucket}/{target}"},
        )
        metrics.add_metric(name="ReferralsQuarantined", unit="Count", value=1)
        logger.info(
            "referral quarantined", extra={"referral_id": referral_id, "problems": len(problems)}
        )
        return IngestResult(referral_id, ReferralStatus.QUARANTINED, duplicate=not created)

    def _repeat(self, upload: UploadedObject, existing: ReferralRecord) -> IngestResult:
        """A duplicate event or re-upload: finish whatever the first run may not have."""
        metrics.add_metric(name="DuplicateUploads", unit="Count", value=1)
        logger.info("duplicate upload", extra={"referral_id": existing.referral_id})
        if existing.status is ReferralStatus.IN_PROGRESS and self._undecided(existing):
            status = self._start_or_link(existing, upload)  # the first run may have stopped
            return IngestResult(existing.referral_id, status, duplicate=True)
        if existing.status is ReferralStatus.IN_PROGRESS:
            self._start(existing.referral_id, upload)
        elif existing.status is ReferralStatus.LINKED and existing.linked_to and self.linker:
            self.linker.link(existing, existing.linked_to)
        elif existing.status is ReferralStatus.IN_REVIEW and existing.referral is None:
            # The first run may have stopped between recording and the task: repair it.
            self._open_completion_task(existing, existing.referral_id, upload)
        elif existing.status is ReferralStatus.QUARANTINED and existing.source.quarantine_key:
            # The same bad file again (or a redelivered event): it leaves referrals/ too.
            self.documents.quarantine(
                upload.bucket,
                upload.key,
                upload.version_id,
                _quarantine_key(existing.referral_id, upload),
            )
            self.tasks.open_review_task(
                existing.referral_id,
                TaskType.NEEDS_REVIEW,
                existing.created_at + REVIEW_SLA,
                {
                    "problems": existing.problems,
                    "document": f"s3://{upload.bucket}/{existing.source.quarantine_key}",
                },
            )
        return IngestResult(existing.referral_id, existing.status, duplicate=True)

    # ------------------------------------------------------------------ helpers
    def _undecided(self, record: ReferralRecord) -> bool:
        """An accepted upload whose first run may have stopped before choosing between its
        own workflow and a link (never one a liaison completed or split: those are started)."""
        if self.linker is None or record.referral is None or record.split_from is not None:
            return False
        done = {"workflow_requested", "referral_completed"}
        return not any(e.event in done for e in self.store.timeline(record.referral_id))

    def _start(self, referral_id: str, upload: UploadedObject) -> None:
        started = self.workflow.start(
            referral_id, {"referral_id": referral_id, "uploaded_at": upload.uploaded_at.isoformat()}
        )
        if started:
            self.store.record(referral_id, "workflow_requested", at=self.clock())

    @staticmethod
    def _source(upload: UploadedObject, size: int, sha256: str, fmt: str) -> SourceDocument:
        """``sha256`` is empty for a file too large to read."""
        return SourceDocument(
            bucket=upload.bucket,
            key=upload.key,
            version_id=upload.version_id,
            size=size,
            sha256=sha256,
            format=fmt,
        )


def _quarantine_key(referral_id: str, upload: UploadedObject) -> str:
    return f"quarantine/{referral_id}/{posixpath.basename(upload.key) or 'upload'}"
