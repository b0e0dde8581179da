"""``intake ops replay-dlq``: the DLQ runbook in docs/operations.md, rehearsed against moto.

moto has no ``StartMessageMoveTask``: ``auto`` falls back to receive/send/delete and says so.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from intake_local.cli import main
from intake_local.commands.ops import ReplayError, replay_dlq
from intake_local.template import load_template

pytestmark = pytest.mark.integration


def _queues_like_the_template() -> tuple[Any, str, str]:
    """The intake queue and its DLQ, with the template's redrive policy."""
    redrive = load_template()["Resources"]["IntakeQueue"]["Properties"]["RedrivePolicy"]
    sqs = boto3.client("sqs")
    dlq = sqs.create_queue(QueueName="intake-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    policy = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": redrive["maxReceiveCount"]}
    source = sqs.create_queue(QueueName="intake", Attributes={"RedrivePolicy": json.dumps(policy)})[
        "QueueUrl"
    ]
    return sqs, source, dlq


def _fail_into_dlq(sqs: Any, source: str, bodies: list[str]) -> None:
    """Deliver each message more often than maxReceiveCount without deleting it."""
    for body in bodies:
        sqs.send_message(
            QueueUrl=source,
            MessageBody=body,
            MessageAttributes={"kind": {"DataType": "String", "StringValue": "upload"}},
        )
    for _ in range(10):
        sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10, VisibilityTimeout=0)


def _bodies(sqs: Any, url: str) -> list[str]:
    found = sqs.receive_message(  # a peek: the messages stay visible
        QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], VisibilityTimeout=0
    ).get("Messages", [])
    assert all(m["MessageAttributes"]["kind"]["StringValue"] == "upload" for m in found)
    return sorted(m["Body"] for m in found)


def test_given_parked_uploads_when_replayed_then_they_are_back_on_the_intake_queue(
    aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given three uploads that failed ingestion until SQS parked them in the DLQ
    sqs, source, dlq = _queues_like_the_template()
    bodies = [json.dumps({"key": f"referrals/c/{n}.json"}) for n in range(3)]
    _fail_into_dlq(sqs, source, bodies)
    assert len(_bodies(sqs, dlq)) == 3
    sqs.purge_queue(QueueUrl=source)
    # When the operator replays the DLQ by name (the target found from the redrive policy)
    code = main(["ops", "replay-dlq", "intake-dlq"])
    # Then the messages, attributes included, are on the intake queue and the DLQ is empty
    assert code == 0
    out = capsys.readouterr().out
    assert "moto has none" in out and "replayed 3 message(s) by receive-send" in out
    assert "referrals/c/" not in out  # counts only, never bodies
    assert _bodies(sqs, source) == sorted(bodies)
    assert _bodies(sqs, dlq) == []


def test_given_max_when_replayed_then_only_that_many_move(aws: None) -> None:
    # Given five parked messages
    sqs, source, dlq = _queues_like_the_template()
    _fail_into_dlq(sqs, source, [f"m{n}" for n in range(5)])
    sqs.purge_queue(QueueUrl=source)
    # When two are replayed to an explicit destination
    other = sqs.create_queue(QueueName="elsewhere")["QueueUrl"]
    result = replay_dlq(sqs, dlq, to="elsewhere", limit=2)
    # Then two moved and three wait in the DLQ
    assert (result.method, result.moved) == ("receive-send", 2)
    assert len(_bodies(sqs, other)) == 2
    attributes = sqs.get_queue_attributes(
        QueueUrl=dlq,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    assert sum(int(v) for v in attributes.values()) == 3


def test_given_a_queue_no_one_redrives_to_when_replayed_then_it_asks_for_the_destination(
    aws: None,
) -> None:
    sqs = boto3.client("sqs")
    sqs.create_queue(QueueName="schedule-dlq")
    with pytest.raises(ReplayError, match="--to"):
        replay_dlq(sqs, "schedule-dlq")
