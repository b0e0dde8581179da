"""Call requested by the workflow (SQS, with its task token): open the liaison task."""

from __future__ import annotations

from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from aws_lambda_powertools.utilities.parser.types import Json

from intake.core.batch import sqs_batch_handler
from intake.core.settings import NotifySettings
from intake.tasks.service import CallRequest
from intake.wiring import task_service


class CallRequestRecord(SqsRecordModel):
    body: Json[CallRequest]  # type: ignore[assignment]


def record_handler(record: CallRequestRecord) -> None:
    task_service().open_from_workflow(record.body)


lambda_handler = sqs_batch_handler(NotifySettings, CallRequestRecord, record_handler)
