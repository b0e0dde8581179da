"""Referral uploaded (S3 → EventBridge → SQS): ingest each file; report failures per record."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.parser.models import (
    S3EventNotificationEventBridgeModel,
    SqsRecordModel,
)
from aws_lambda_powertools.utilities.parser.types import Json
from aws_lambda_powertools.utilities.typing import LambdaContext

from intake.core.observability import logger, metrics, tracer
from intake.core.settings import IngestSettings, with_settings
from intake.referrals.ingest import UploadedObject
from intake.wiring import ingest_service


class UploadRecord(SqsRecordModel):
    body: Json[S3EventNotificationEventBridgeModel]  # type: ignore[assignment]


processor = BatchProcessor(event_type=EventType.SQS, model=UploadRecord)


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


@with_settings(IngestSettings)
@logger.inject_lambda_context(correlation_id_path="Records[0].messageId")
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
