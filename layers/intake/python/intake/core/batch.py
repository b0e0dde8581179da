"""A queue consumer's handler: each SQS record parsed into its model and handled alone,
failures reported per record (``ReportBatchItemFailures`` in the template), under the one
decorator order. Only the queue consumers import this module (and the batch utilities).

A batch whose records each may take long (ingest: one file's read budget) stops starting
records once the time left is shorter than one needs: the rest are reported as failures
unread, and SQS delivers them again, rather than the invocation being killed mid-file with
every unfinished record of the batch counted as a receive."""

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
from intake.core.observability import logger, metrics

BatchHandler = Callable[[dict[str, Any], LambdaContext], PartialItemFailureResponse]


class NotEnoughTime(Exception):
    """A record not started: the invocation has less time left than one record may take."""


def sqs_batch_handler[R: SqsRecordModel](
    settings: type[BaseModel],
    model: type[R],
    record_handler: Callable[[R], None],
    needs_ms: Callable[[], int] | None = None,
) -> BatchHandler:
    """The ``lambda_handler`` of a queue consumer: ``record_handler`` runs once per record of
    ``model``; the log lines carry the batch's first message id. With ``needs_ms`` (the most
    one record may take, read when the batch starts), a record after the first is started
    only while that much time is left; the ones not started are the batch's item failures."""
    processor = BatchProcessor(event_type=EventType.SQS, model=model)

    @instrumented(settings, correlation_id_path="Records[0].messageId")
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
        handler = record_handler
        if needs_ms is not None:
            need = needs_ms()
            started: list[str] = []

            def handler(record: R) -> None:
                # The first record always runs: the function's timeout is sized for one.
                left = context.get_remaining_time_in_millis()
                if started and left < need:
                    metrics.add_metric(name="RecordsDeferred", unit="Count", value=1)
                    logger.info(
                        "record deferred: not enough time left in this invocation",
                        extra={"message_id": record.messageId, "left_ms": left, "need_ms": need},
                    )
                    raise NotEnoughTime(f"{left} ms left; a record may need {need} ms")
                started.append(record.messageId)
                record_handler(record)

        return process_partial_response(
            event=event, record_handler=handler, processor=processor, context=context
        )

    return lambda_handler
