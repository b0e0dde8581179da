"""estimate_cost against moto: versioned estimates, the cost call's details, the history API."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from intake.adapters.dynamodb_store import DynamoDbStore
from tests.conftest import load_handler
from tests.integration.conftest import IntakeResources
from tests.integration.test_tasks_and_api import api


@pytest.fixture
def estimate_cost(resources: IntakeResources, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("COST_CALL_SLA_HOURS", "24")
    return load_handler("estimate_cost").lambda_handler


Verified = Callable[[str], str]


def test_estimate_is_recorded_as_a_version_and_prepares_the_cost_call(
    resources: IntakeResources, verified: Verified, estimate_cost: Any, lambda_context: Any
) -> None:
    # Given verified PPO benefits (deductible $1,500 with $1,200.50 left, 10% coinsurance)
    referral_id = verified("01-ppo-deductible-coinsurance.json")
    # When the estimate runs
    plan = estimate_cost({"referral_id": referral_id}, lambda_context)
    # Then the cost call carries the estimate and a script in the patient's language
    assert plan["task_type"] == "cost_and_options_call" and plan["timeout_seconds"] == 24 * 3600
    summary = plan["details"]["estimate"]
    assert summary["version"] == 1 and summary["in_network"] is True
    # 350 mg from four 100 mg vials: 35 units given + 5 discarded (JW) = 40 x $48.50 = $1,940;
    # $1,200.50 deductible + 20% x $739.50 + 10% of the $165 per diem and $270 nursing
    assert summary["per_infusion_patient"] == "1391.90"
    assert summary["course_infusions"] == 7 and summary["plan_years"]
    assert sum(float(y["patient"]) for y in summary["plan_years"]) == float(
        summary["course_patient"]
    )
    assert plan["details"]["call_script"]["language"] == "en"
    # And the stored version keeps the inputs it was made from
    stored = DynamoDbStore(resources.table_name).estimates(referral_id)
    assert [e["version"] for e in stored] == [1]
    assert stored[0]["inputs"] and stored[0]["line_items"]


def test_a_new_estimate_is_a_new_version_and_history_stays_readable(
    verified: Verified, estimate_cost: Any, lambda_context: Any
) -> None:
    referral_id = verified("02-hmo-copay-spanish.json")
    first = estimate_cost({"referral_id": referral_id}, lambda_context)
    second = estimate_cost({"referral_id": referral_id}, lambda_context)
    assert first["details"]["estimate"]["version"] == 1
    assert second["details"]["estimate"]["version"] == 2
    assert first["details"]["call_script"]["language"] == "es"
    status, history = api(
        load_handler("liaison_api").lambda_handler,
        lambda_context,
        "GET",
        f"/referrals/{referral_id}/estimates",
    )
    assert status == 200 and [e["version"] for e in history["estimates"]] == [1, 2]
    status, view = api(
        load_handler("liaison_api").lambda_handler,
        lambda_context,
        "GET",
        f"/referrals/{referral_id}",
    )
    assert view["estimate"]["version"] == 2


def test_an_unreadable_dose_names_the_field_to_review_and_the_call_still_happens(
    resources: IntakeResources, verified: Verified, estimate_cost: Any, lambda_context: Any
) -> None:
    # Given verified benefits but a dose the estimator cannot read
    referral_id = verified("07-medicare-advantage.json")
    store = DynamoDbStore(resources.table_name)
    record = store.get_referral(referral_id)
    assert record is not None and record.referral is not None
    therapy = record.referral.therapy.model_copy(update={"dose": "as directed"})
    store.update_referral(
        referral_id,
        referral=json.loads(
            record.referral.model_copy(update={"therapy": therapy}).model_dump_json()
        ),
    )
    plan = estimate_cost({"referral_id": referral_id}, lambda_context)
    assert plan["details"]["estimate"] is None and plan["details"]["reason"]
    assert plan["details"]["needs_review"]["field"] == "therapy.dose"
    assert "estimate_needs_review" in [e.event for e in store.timeline(referral_id)]
    assert store.estimates(referral_id) == []


def test_two_coverages_are_both_checked_and_the_secondary_pays_what_the_primary_leaves(
    resources: IntakeResources, verified: Verified, estimate_cost: Any, lambda_context: Any
) -> None:
    # Given sample 30: her own PPO, and her husband's HMO whose 271 names the PPO primary
    referral_id = verified("30-two-commercial-plans.json")
    record = DynamoDbStore(resources.table_name).get_referral(referral_id)
    assert record is not None and record.benefits is not None
    secondary, order = record.benefits.secondary, record.benefits.coordination
    assert secondary is not None and order is not None
    assert secondary.outcome == "verified" and secondary.payer_id == "SBX02"
    assert order.primary == "primary"
    assert "names the primary plan" in order.reason
    # When the estimate runs
    summary = estimate_cost({"referral_id": referral_id}, lambda_context)["details"]["estimate"]
    # Then the HMO pays part of what the PPO leaves
    assert float(summary["secondary_pays"]) > 0
    stored = DynamoDbStore(resources.table_name).estimates(referral_id)[-1]
    assert stored["secondary"]["payer_id"] == "SBX02"
    assert float(stored["course"]["patient"]) < float(stored["secondary"]["primary_leaves"])
