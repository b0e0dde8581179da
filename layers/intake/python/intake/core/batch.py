"""A queue consumer's handler: each SQS record parsed into its model and handled alone,
failures reported per record (``ReportBatchItemFailures`` in the template), under the one
decorator order. Only the queue consumers import this module (and the batch utilities)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from intake.core.handler import instrumented

BatchHandler = Callable[[dict[str, Any], LambdaContext], PartialItemFailureResponse]


def sqs_batch_handler[R: SqsRecordModel](
    settings: type[BaseModel], model: type[R], record_handler: Callable[[R], None]
) -> BatchHandler:
    """The ``lambda_handler`` of a queue consumer: ``record_handler`` runs once per record of
    ``model``; the log lines carry the batch's first message id."""
    processor = BatchProcessor(event_type=EventType.SQS, model=model)

    @instrumented(settings, correlation_id_path="Records[0].messageId")
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
        return process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )

    return lambda_handler
