"""Referral uploaded (S3 → EventBridge → SQS): ingest each file; report failures per record."""

from __future__ import annotations

from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.parser.models import (
    S3EventNotificationEventBridgeModel,
    SqsRecordModel,
)
from aws_lambda_powertools.utilities.parser.types import Json

from intake.core.batch import sqs_batch_handler
from intake.core.settings import IngestSettings
from intake.referrals.ingest import UploadedObject
from intake.wiring import ingest_service


class UploadRecord(SqsRecordModel):
    body: Json[S3EventNotificationEventBridgeModel]  # type: ignore[assignment]


def record_handler(record: UploadRecord) -> None:
    event = record.body
    upload = UploadedObject(
        bucket=event.detail.bucket.name,
        key=unquote_plus(event.detail.object.key),
        # S3 says "null" for an object stored while versioning was off: that is the current one.
        version_id=None
        if event.detail.object.version_id in (None, "null")
        else event.detail.object.version_id,
        size=int(event.detail.object.size or 0),
        uploaded_at=event.time,
        attempt=int(record.attributes.ApproximateReceiveCount),
    )
    ingest_service().ingest(upload)


def needs_ms() -> int:
    """One file's read budget and 10 s to record it: a batch starts no file with less left."""
    from intake.core.settings import load_settings

    return int((load_settings(IngestSettings).read_time_budget_seconds + 10) * 1000)


lambda_handler = sqs_batch_handler(IngestSettings, UploadRecord, record_handler, needs_ms)
