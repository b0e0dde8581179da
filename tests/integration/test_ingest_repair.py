"""Every failure after a referral is recorded is retried to completion or ends in a task."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from intake import wiring
from intake.adapters.dynamodb_store import DynamoDbStore
from intake.core.ids import referral_id_for, task_id_for
from intake.models.records import ReferralStatus, TaskType
from tests.conftest import EVENTS, load_event
from tests.integration.conftest import REGION, IntakeResources

ITEM_LIMIT = 400 * 1024


def put_event(res: IntakeResources, body: bytes, key: str) -> dict[str, Any]:
    """Put ``body`` in the intake bucket; the SQS-wrapped EventBridge event announcing it."""
    put = boto3.client("s3", region_name=REGION).put_object(
        Bucket=res.intake_bucket, Key=key, Body=body
    )
    event = load_event("ingest_referral/sqs-s3-object-created")
    eventbridge = json.loads(event["Records"][0]["body"])
    eventbridge["time"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    eventbridge["detail"]["bucket"]["name"] = res.intake_bucket
    eventbridge["detail"]["object"].update(
        key=key, size=len(body), **{"version-id": put["VersionId"]}
    )
    event["Records"][0]["body"] = json.dumps(eventbridge)
    return event


def raw_item_size(res: IntakeResources, referral_id: str, sk: str) -> int:
    item = boto3.client("dynamodb", region_name=REGION).get_item(
        TableName=res.table_name, Key={"pk": {"S": f"REFERRAL#{referral_id}"}, "sk": {"S": sk}}
    )["Item"]
    return len(json.dumps(item))


def hl7_with_note(note_chars: int) -> bytes:
    base = (EVENTS / "referrals" / "22-hl7-ref-i12.hl7").read_text("utf-8").rstrip("\r\n")
    return (base + "\rNTE|1||" + "n" * note_chars + "\r").encode()


def test_a_huge_note_goes_to_review_with_a_small_task(
    resources: IntakeResources, ingest: Any, lambda_context: Any
) -> None:
    # Given an HL7 referral with a 900 000-character note
    body = hl7_with_note(900_000)
    event = put_event(resources, body, "referrals/clinic/long-note.hl7")
    # When it is ingested
    assert ingest(event, lambda_context) == {"batchItemFailures": []}
    # Then it is in review with a reason, its task exists, and no item nears 400 KB
    referral_id = referral_id_for(body)
    store = DynamoDbStore(resources.table_name)
    record = store.get_referral(referral_id)
    assert record is not None and record.status is ReferralStatus.IN_REVIEW
    assert any(p.startswith("clinical_notes: is too long") for p in record.problems)
    task_id = task_id_for(referral_id, TaskType.COMPLETE_REFERRAL)
    assert store.get_task(task_id) is not None
    assert raw_item_size(resources, referral_id, "REFERRAL") < ITEM_LIMIT // 4
    assert raw_item_size(resources, referral_id, f"TASK#{task_id}") < 8 * 1024


def test_redelivery_repairs_a_review_left_without_its_task(
    resources: IntakeResources, ingest: Any, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the first ingest recorded the referral, then failed opening its review task
    body = hl7_with_note(30_000)
    event = put_event(resources, body, "referrals/clinic/half-done.hl7")
    service = wiring.task_service()
    real = service.open_review_task

    def down(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("DynamoDB unreachable")

    monkeypatch.setattr(service, "open_review_task", down)
    with pytest.raises(BatchProcessingError):  # the whole batch failed: the queue redelivers
        ingest(event, lambda_context)
    referral_id = referral_id_for(body)
    store = DynamoDbStore(resources.table_name)
    record = store.get_referral(referral_id)
    assert record is not None and record.status is ReferralStatus.IN_REVIEW
    assert store.tasks_of(referral_id) == []
    # When the message is redelivered
    monkeypatch.setattr(service, "open_review_task", real)
    assert ingest(event, lambda_context) == {"batchItemFailures": []}
    # Then the referral in review has its task
    assert store.get_task(task_id_for(referral_id, TaskType.COMPLETE_REFERRAL)) is not None


def test_a_file_too_large_to_read_gets_a_content_derived_id(
    resources: IntakeResources,
    ingest: Any,
    lambda_context: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a limit of 1 MB and a 3 MB upload, sent twice under two names
    monkeypatch.setenv("MAX_REFERRAL_BYTES", str(1024 * 1024))
    wiring.reset()
    body = b"%PDF-1.7\n" + b"0" * (3 * 1024 * 1024)
    first = put_event(resources, body, "referrals/clinic/big.pdf")
    # When ingested
    assert ingest(first, lambda_context) == {"batchItemFailures": []}
    second = put_event(resources, body, "referrals/clinic/big-again.pdf")
    assert ingest(second, lambda_context) == {"batchItemFailures": []}
    # Then it is quarantined under the id of its content (as any upload), once
    referral_id = referral_id_for(body)
    store = DynamoDbStore(resources.table_name)
    record = store.get_referral(referral_id)
    assert record is not None and record.status is ReferralStatus.QUARANTINED
    assert record.source.sha256 and "limit" in record.problems[0]
    keys = {
        o["Key"]
        for o in boto3.client("s3", region_name=REGION)
        .list_objects_v2(Bucket=resources.intake_bucket)
        .get("Contents", [])
    }
    assert keys == {f"quarantine/{referral_id}/big.pdf", f"quarantine/{referral_id}/big-again.pdf"}
