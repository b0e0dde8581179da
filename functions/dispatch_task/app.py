"""Call requested by the workflow (SQS, with its task token): open the liaison task."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from aws_lambda_powertools.utilities.parser.types import Json
from aws_lambda_powertools.utilities.typing import LambdaContext

from intake.core.observability import logger, metrics, tracer
from intake.core.settings import NotifySettings, with_settings
from intake.tasks.service import CallRequest
from intake.wiring import task_service


class CallRequestRecord(SqsRecordModel):
    body: Json[CallRequest]  # type: ignore[assignment]


processor = BatchProcessor(event_type=EventType.SQS, model=CallRequestRecord)


def record_handler(record: CallRequestRecord) -> None:
    task_service().open_from_workflow(record.body)


@with_settings(NotifySettings)
@logger.inject_lambda_context(correlation_id_path="Records[0].messageId")
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
