"""A queue batch stops starting records when the invocation's time left is shorter than one
record may take: the rest come back as batch item failures (SQS delivers them again), never
an invocation killed mid-file with all its unfinished records counted as receives."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from pydantic import BaseModel

from intake.core.batch import sqs_batch_handler
from tests.conftest import FakeLambdaContext


class NoSettings(BaseModel):
    pass


class Clock(FakeLambdaContext):
    """The invocation's time left, which each handled record uses up."""

    def __init__(self, left_ms: int) -> None:
        self.left_ms = left_ms

    def get_remaining_time_in_millis(self) -> int:  # type: ignore[override]
        return self.left_ms


def _record(n: int) -> dict[str, Any]:
    return {
        "messageId": f"m{n}",
        "receiptHandle": f"r{n}",
        "body": json.dumps({"n": n}),
        "attributes": {
            "ApproximateReceiveCount": "1",
            "SentTimestamp": "1767225600000",
            "SenderId": "AIDAEXAMPLE",
            "ApproximateFirstReceiveTimestamp": "1767225600000",
        },
        "messageAttributes": {},
        "md5OfBody": "0" * 32,
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:intake",
        "awsRegion": "us-east-1",
    }


def test_given_five_files_of_50_s_when_120_s_are_left_then_two_are_read_and_three_deferred() -> (
    None
):
    """Given an ingest batch of five files, each read taking up to its 50 s budget (+10 s to
    record: 60 000 ms needed), and a 120 s invocation; when the batch runs, then file 1 starts
    with 120 000 ms left, file 2 with 120 000 - 50 000 = 70 000 (>= 60 000), file 3 would
    start with 20 000 (< 60 000): files 3, 4 and 5 are returned unread as item failures."""
    clock = Clock(120_000)
    handled: list[str] = []

    def read_file(record: SqsRecordModel) -> None:
        handled.append(record.messageId)
        clock.left_ms -= 50_000  # the file's whole read budget

    handler = sqs_batch_handler(NoSettings, SqsRecordModel, read_file, lambda: 60_000)
    response = handler({"Records": [_record(n) for n in range(1, 6)]}, clock)

    assert handled == ["m1", "m2"]
    assert [f["itemIdentifier"] for f in response["batchItemFailures"]] == ["m3", "m4", "m5"]


def test_given_too_little_time_at_the_start_when_the_batch_runs_then_the_first_still_runs() -> None:
    """The function's timeout is sized for one file: the first record of an invocation always
    runs (deferring it would only redeliver it to the same short start), the second does not."""
    handled: list[str] = []
    handler = sqs_batch_handler(
        NoSettings, SqsRecordModel, lambda record: handled.append(record.messageId), lambda: 60_000
    )
    response = handler({"Records": [_record(n) for n in range(1, 3)]}, Clock(59_000))
    assert handled == ["m1"]
    assert [f["itemIdentifier"] for f in response["batchItemFailures"]] == ["m2"]


def test_given_no_time_need_when_the_batch_runs_then_every_record_is_handled() -> None:
    """Without a per-record need, a consumer handles every record as before."""
    handled: list[str] = []
    handler = sqs_batch_handler(
        NoSettings, SqsRecordModel, lambda record: handled.append(record.messageId)
    )
    response = handler({"Records": [_record(n) for n in range(1, 4)]}, Clock(1))
    assert handled == ["m1", "m2", "m3"] and response["batchItemFailures"] == []
