"""check_benefits against moto and the sandbox clearinghouse over real HTTP (CAQH CORE SOAP)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import boto3
import pytest

from intake.adapters.dynamodb_store import DynamoDbStore
from intake.core.ids import task_id_for
from intake.models.records import TaskRecord
from intake.models.task_types import TaskType
from intake.x12.t271.parse import parse_271
from intake_local.sandbox.server import SandboxClearinghouse
from tests.conftest import EVENTS
from tests.integration.conftest import REGION, IntakeResources, ingested


def test_verified_benefits_are_stored_and_the_raw_x12_kept_for_audit(
    resources: IntakeResources, check: Any, lambda_context: Any
) -> None:
    # Given a referral for the PPO member with a deductible partly met
    referral_id = ingested(resources, "01-ppo-deductible-coinsurance.json", lambda_context)
    # When its benefits are checked
    outcome = check({"referral_id": referral_id}, lambda_context)
    # Then the outcome is verified, and the summary on the referral has the payer's figures
    assert outcome["outcome"] == "verified" and outcome["status"] == "active"
    record = DynamoDbStore(resources.table_name).get_referral(referral_id)
    assert record is not None and record.benefits is not None
    deductible = record.benefits.answer.summary.deductible.in_network.individual
    assert (deductible.total, deductible.remaining) == (Decimal("1500.00"), Decimal("1200.50"))
    assert record.benefits.answer.coinsurance.in_network == Decimal("0.1")
    # And the 270 and 271 are in the documents bucket under the referral's id
    s3 = boto3.client("s3", region_name=REGION)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=resources.documents_bucket)["Contents"]]
    assert len(keys) == 2 and all(k.startswith(f"audit/x12/{referral_id}/") for k in keys)
    reply = next(k for k in keys if k.endswith(".271"))
    body = s3.get_object(Bucket=resources.documents_bucket, Key=reply)["Body"].read().decode()
    assert parse_271(body).responses


def test_mismatch_asks_a_liaison_and_corrections_rerun_the_check(
    resources: IntakeResources, check: Any, lambda_context: Any
) -> None:
    # Given "Bob Johnson, born 1949-04-15", whom the payer knows as Robert, born 1949-04-05
    referral_id = ingested(resources, "06-name-dob-mismatch.json", lambda_context)
    first = check({"referral_id": referral_id}, lambda_context)
    # Then a liaison is asked to verify, and shown what the payer has
    assert (
        first["outcome"] == "verify_insurance" and first["task"]["task_type"] == "verify_insurance"
    )
    assert (
        first["payer_echo"]["first_name"] == "ROBERT" and first["payer_echo"]["dob"] == "1949-04-05"
    )
    assert any("different first name" in r for r in first["reasons"])
    # When the liaison completes the task with corrections, and the workflow's next round
    # names that task (ids, not values: Step Functions' history is outside the data key)
    corrections = {"patient.first_name": "Robert", "patient.date_of_birth": "1949-04-05"}
    store = DynamoDbStore(resources.table_name)
    task_id = _completed_task(store, referral_id, first["task"], corrections)
    second = check(
        {"referral_id": referral_id, "round": 2, "corrections_task_id": task_id}, lambda_context
    )
    # Then the referral is corrected and verified
    assert second["outcome"] == "verified" and second["round"] == 2
    record = store.get_referral(referral_id)
    assert record is not None and record.referral is not None
    assert record.referral.patient.first_name == "Robert"
    assert "referral_corrected" in [e.event for e in store.timeline(referral_id)]


def test_corrections_are_read_only_from_a_task_of_the_same_referral(
    resources: IntakeResources, check: Any, lambda_context: Any
) -> None:
    # Given two referrals, one with a verify_insurance task
    referral_id = ingested(resources, "06-name-dob-mismatch.json", lambda_context)
    other_id = ingested(resources, "01-ppo-deductible-coinsurance.json", lambda_context)
    first = check({"referral_id": referral_id}, lambda_context)
    store = DynamoDbStore(resources.table_name)
    task_id = _completed_task(store, referral_id, first["task"], {"patient.first_name": "Eve"})
    # When the other referral's check names that task
    # Then it is refused: one referral's corrections never change another's
    with pytest.raises(Exception, match="is not a task of referral"):
        check({"referral_id": other_id, "round": 2, "corrections_task_id": task_id}, lambda_context)
    record = store.get_referral(other_id)
    assert record is not None and record.referral is not None
    assert record.referral.patient.first_name != "Eve"


def _completed_task(
    store: DynamoDbStore, referral_id: str, plan: dict[str, Any], corrections: dict[str, Any]
) -> str:
    """The task the workflow would have opened from ``plan``, completed with ``corrections``."""
    now = datetime.now(UTC)
    task = TaskRecord.model_validate(
        {
            **plan,
            "task_id": task_id_for(referral_id, TaskType.VERIFY_INSURANCE),
            "referral_id": referral_id,
            "status": "completed",
            "due_at": now,
            "created_at": now,
            "reason": "the payer knows the member by other details",
            "corrections": corrections,
        }
    )
    assert store.put_task_if_new(task)
    return task.task_id


def test_an_invalid_correction_is_reported_not_applied(
    resources: IntakeResources, check: Any, lambda_context: Any
) -> None:
    referral_id = ingested(resources, "06-name-dob-mismatch.json", lambda_context)
    outcome = check(
        {"referral_id": referral_id, "round": 2, "corrections": {"patient.date_of_birth": "soon"}},
        lambda_context,
    )
    assert outcome["outcome"] == "verify_insurance"
    assert any(
        r.startswith("correction not applied: patient.date_of_birth") for r in outcome["reasons"]
    )


@pytest.mark.parametrize(
    ("sample", "outcome", "code"),
    [
        # Issue 26: AAA 75 (not found) sends discovery to the other likely payers; none has the
        # member, so the task is coverage_not_found, and it still names the card's AAA 75.
        ("11-member-not-found.json", "coverage_not_found", "75"),
        ("12-invalid-member-id.json", "verify_insurance", "72"),
        ("04-coverage-inactive.json", "coverage_inactive", None),
    ],
)
def test_payer_rejections_and_inactive_coverage_become_liaison_work(
    resources: IntakeResources,
    check: Any,
    lambda_context: Any,
    sample: str,
    outcome: str,
    code: str | None,
) -> None:
    referral_id = ingested(resources, sample, lambda_context)
    result = check({"referral_id": referral_id}, lambda_context)
    assert result["outcome"] == outcome and result["task"]["task_type"] == outcome
    if code:
        assert any(r.startswith(f"AAA {code} at 2100C") for r in result["reasons"])


def test_payer_busy_is_retried_by_the_gateway(
    resources: IntakeResources, check: Any, lambda_context: Any
) -> None:
    # Given the member whose payer answers AAA 42 to the first two inquiries
    referral_id = ingested(resources, "05-payer-busy-then-answers.json", lambda_context)
    # When checked, Then the gateway's retries get the answer on the third attempt
    assert check({"referral_id": referral_id}, lambda_context)["outcome"] == "verified"
    record = DynamoDbStore(resources.table_name).get_referral(referral_id)
    assert record is not None and record.benefits is not None and record.benefits.attempts == 3


def test_a_payer_that_never_answers_is_a_named_error_for_the_workflow_to_retry(
    resources: IntakeResources, check: Any, lambda_context: Any, clearinghouse: SandboxClearinghouse
) -> None:
    referral_id = ingested(resources, "01-ppo-deductible-coinsurance.json", lambda_context)
    clearinghouse.fail_next(10)
    with pytest.raises(Exception) as caught:
        check({"referral_id": referral_id}, lambda_context)
    assert (
        type(caught.value).__name__ == "PayerUnavailable"
    )  # the state machine's Retry matches this name
    events = [e.event for e in DynamoDbStore(resources.table_name).timeline(referral_id)]
    assert "benefits_check_deferred" in events


def test_dependent_is_asked_about_in_the_dependent_loop(
    resources: IntakeResources, check: Any, lambda_context: Any
) -> None:
    referral_id = ingested(resources, "13-dependent-child.json", lambda_context)
    outcome = check({"referral_id": referral_id}, lambda_context)
    assert outcome["outcome"] == "verified"
    assert outcome["payer_echo"]["first_name"] == "LUCAS"
    assert (EVENTS / "referrals" / "13-dependent-child.json").exists()
