"""ingest_referral against moto: valid, duplicate and invalid uploads."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from intake.adapters.dynamodb_store import DynamoDbStore
from intake.core.ids import referral_id_for, task_id_for
from intake.models.records import ReferralStatus, TaskType
from intake.models.task_details import NeedsReviewDetails
from tests.conftest import EVENTS, load_event
from tests.integration.conftest import REGION, IntakeResources


def upload_event(
    res: IntakeResources,
    name: str,
    key: str | None = None,
    *,
    body: bytes | None = None,
    at: datetime | None = None,
) -> tuple[dict[str, Any], bytes]:
    """Put a sample referral (or ``body``) in the intake bucket; the SQS-wrapped EventBridge
    event for it, stamped ``at`` (default now)."""
    body = body if body is not None else (EVENTS / "referrals" / name).read_bytes()
    key = key or f"referrals/lakeshore-gi/{name}"
    put = boto3.client("s3", region_name=REGION).put_object(
        Bucket=res.intake_bucket, Key=key, Body=body
    )
    event = load_event("ingest_referral/sqs-s3-object-created")
    eventbridge = json.loads(event["Records"][0]["body"])
    stamp = at or datetime.now(UTC)
    eventbridge["time"] = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")  # as S3 stamps it
    eventbridge["detail"]["bucket"]["name"] = res.intake_bucket
    eventbridge["detail"]["object"].update(
        key=key.replace(" ", "+"), size=len(body), **{"version-id": put["VersionId"]}
    )
    event["Records"][0]["body"] = json.dumps(eventbridge)
    return event, body


def executions(res: IntakeResources) -> list[dict[str, Any]]:
    sfn = boto3.client("stepfunctions", region_name=REGION)
    found: list[dict[str, Any]] = sfn.list_executions(stateMachineArn=res.state_machine_arn)[
        "executions"
    ]
    return found


def test_valid_referral_is_recorded_and_its_workflow_started(
    resources: IntakeResources, ingest: Any, lambda_context: Any
) -> None:
    # Given a valid referral uploaded under referrals/
    event, body = upload_event(resources, "01-ppo-deductible-coinsurance.json")
    # When the upload event is handled
    result = ingest(event, lambda_context)
    # Then no record failed, the referral is stored in progress, and one execution runs, named by its id
    assert result == {"batchItemFailures": []}
    referral_id = referral_id_for(body)
    record = DynamoDbStore(resources.table_name).get_referral(referral_id)
    assert record is not None and record.status is ReferralStatus.IN_PROGRESS
    assert record.referral is not None and record.referral.received_at is not None
    assert [e["name"] for e in executions(resources)] == [referral_id]
    events = [e.event for e in DynamoDbStore(resources.table_name).timeline(referral_id)]
    assert events[:3] == ["uploaded", "validated", "workflow_requested"]


def test_duplicate_events_start_one_execution(
    resources: IntakeResources, ingest: Any, lambda_context: Any
) -> None:
    # Given the same upload event delivered twice, and the same file uploaded again under another name
    event, _ = upload_event(resources, "02-hmo-copay-spanish.json")
    again, _ = upload_event(
        resources, "02-hmo-copay-spanish.json", key="referrals/lakeshore-gi/resent copy.json"
    )
    # When all three are handled
    for e in (event, event, again):
        assert ingest(e, lambda_context) == {"batchItemFailures": []}
    # Then there is one execution and one 'uploaded' event
    assert len(executions(resources)) == 1
    referral_id = executions(resources)[0]["name"]
    timeline = DynamoDbStore(resources.table_name).timeline(referral_id)
    assert [e.event for e in timeline].count("uploaded") == 1


def test_invalid_referral_is_quarantined_with_reasons_and_a_review_task(
    resources: IntakeResources, ingest: Any, lambda_context: Any
) -> None:
    # Given an invalid referral
    event, body = upload_event(resources, "09-invalid.json")
    # When handled (twice: a duplicate event must not duplicate the task or the notification)
    ingest(event, lambda_context)
    ingest(event, lambda_context)
    referral_id = referral_id_for(body)
    store = DynamoDbStore(resources.table_name)
    # Then the record says quarantined with each problem in plain words
    record = store.get_referral(referral_id)
    assert record is not None and record.status is ReferralStatus.QUARANTINED
    assert "prescriber.npi: NPI check digit does not match (likely a typo)" in record.problems
    # And the file moved from referrals/ to quarantine/, intact
    s3 = boto3.client("s3", region_name=REGION)
    keys = [
        o["Key"] for o in s3.list_objects_v2(Bucket=resources.intake_bucket).get("Contents", [])
    ]
    assert keys == [f"quarantine/{referral_id}/09-invalid.json"]
    assert s3.get_object(Bucket=resources.intake_bucket, Key=keys[0])["Body"].read() == body
    # And one 'needs review' task carries the problems, announced once; no workflow started
    task = store.get_task(task_id_for(referral_id, TaskType.NEEDS_REVIEW))
    assert task is not None and task.details_as(NeedsReviewDetails).problems == record.problems
    notes = resources.notifications()
    assert [n["kind"] for n in notes] == ["task_queued"]
    assert "Doe" not in json.dumps(notes)  # no PHI in notifications
    assert executions(resources) == []


def test_unreadable_bytes_are_quarantined(
    resources: IntakeResources, ingest: Any, lambda_context: Any
) -> None:
    # Given binary junk uploaded as a referral
    s3 = boto3.client("s3", region_name=REGION)
    junk = bytes(range(256)) * 4
    put = s3.put_object(Bucket=resources.intake_bucket, Key="referrals/x/junk.bin", Body=junk)
    event = load_event("ingest_referral/sqs-s3-object-created")
    body = json.loads(event["Records"][0]["body"])
    body["detail"]["bucket"]["name"] = resources.intake_bucket
    body["detail"]["object"].update(
        key="referrals/x/junk.bin", size=len(junk), **{"version-id": put["VersionId"]}
    )
    event["Records"][0]["body"] = json.dumps(body)
    # When handled, Then it is quarantined with a reason, not dropped
    assert ingest(event, lambda_context) == {"batchItemFailures": []}
    record = DynamoDbStore(resources.table_name).get_referral(referral_id_for(junk))
    assert record is not None and record.status is ReferralStatus.QUARANTINED and record.problems


def test_a_malformed_record_is_reported_as_a_batch_item_failure(
    resources: IntakeResources, ingest: Any, lambda_context: Any
) -> None:
    # Given a batch of a good upload event and a record whose body is not an S3 event
    event, _ = upload_event(resources, "01-ppo-deductible-coinsurance.json")
    bad = dict(event["Records"][0], messageId="bad-1", body='{"not": "an s3 event"}')
    event["Records"].append(bad)
    # When handled, Then only the bad record is reported failed (SQS retries it, then the DLQ)
    assert ingest(event, lambda_context) == {"batchItemFailures": [{"itemIdentifier": "bad-1"}]}
    assert len(executions(resources)) == 1
    # And a batch where every record fails errors as a whole, so SQS retries it all
    with pytest.raises(BatchProcessingError):
        ingest({"Records": [bad]}, lambda_context)


def test_a_read_that_runs_out_of_time_is_retried_then_quarantined(
    resources: IntakeResources, ingest: Any, lambda_context: Any, monkeypatch: Any
) -> None:
    # Given a machine so busy that reading a faxed PDF runs out of its time budget
    import intake.referrals.parse as parse_module
    from intake.referrals.ingest import SLOW_READ_ATTEMPTS
    from intake.referrals.limits import Deadline

    monkeypatch.setattr(parse_module, "Deadline", lambda seconds: Deadline(0.0))
    event, body = upload_event(resources, "20-fax-efax-text.pdf")
    referral_id = referral_id_for(body)
    store = DynamoDbStore(resources.table_name)
    # When the upload event is delivered the first and second time (SLOW_READ_ATTEMPTS = 3)
    assert SLOW_READ_ATTEMPTS == 3
    for attempt in (1, 2):
        event["Records"][0]["attributes"]["ApproximateReceiveCount"] = str(attempt)
        # Then the record fails (SQS delivers it again after its visibility timeout) and
        # nothing is recorded yet: no referral, no task, no workflow
        with pytest.raises(BatchProcessingError):
            ingest(event, lambda_context)
        assert store.get_referral(referral_id) is None and executions(resources) == []
    # When the third delivery runs out of time too
    event["Records"][0]["attributes"]["ApproximateReceiveCount"] = "3"
    assert ingest(event, lambda_context) == {"batchItemFailures": []}
    # Then the file is quarantined with the reason in plain words and a needs-review task
    record = store.get_referral(referral_id)
    assert record is not None and record.status is ReferralStatus.QUARANTINED
    assert any("took longer than" in p for p in record.problems), record.problems
    task = store.get_task(task_id_for(referral_id, TaskType.NEEDS_REVIEW))
    assert task is not None


def test_a_read_that_runs_out_of_time_once_succeeds_on_the_next_delivery(
    resources: IntakeResources, ingest: Any, lambda_context: Any, monkeypatch: Any
) -> None:
    # Given a faxed PDF whose first reading runs out of time (a busy moment), the next not
    import intake.referrals.parse as parse_module
    from intake.referrals.limits import Deadline

    budgets = iter([0.0, 50.0])
    monkeypatch.setattr(parse_module, "Deadline", lambda seconds: Deadline(next(budgets)))
    event, body = upload_event(resources, "20-fax-efax-text.pdf")
    # When delivered twice
    with pytest.raises(BatchProcessingError):
        ingest(event, lambda_context)
    event["Records"][0]["attributes"]["ApproximateReceiveCount"] = "2"
    assert ingest(event, lambda_context) == {"batchItemFailures": []}
    # Then the second reading decides: the referral is recorded and its workflow started once
    record = DynamoDbStore(resources.table_name).get_referral(referral_id_for(body))
    assert record is not None and record.status is ReferralStatus.IN_PROGRESS
    assert len(executions(resources)) == 1
