"""estimate_cost against moto: versioned estimates, the cost call's details, the history API."""

from __future__ import annotations

import json
from typing import Any

import pytest

from intake.adapters.dynamodb_store import DynamoDbStore
from tests.conftest import load_handler
from tests.integration.conftest import IntakeResources, ingested
from tests.integration.test_tasks_and_api import api


@pytest.fixture
def estimate_cost(resources: IntakeResources, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("COST_CALL_SLA_HOURS", "24")
    return load_handler("estimate_cost").lambda_handler


def verified(resources: IntakeResources, check: Any, ctx: Any, sample: str) -> str:
    referral_id = ingested(resources, sample, ctx)
    assert check({"referral_id": referral_id}, ctx)["outcome"] == "verified"
    return referral_id


def test_estimate_is_recorded_as_a_version_and_prepares_the_cost_call(
    resources: IntakeResources,
    check: Any,
    estimate_cost: Any,
    lambda_context: Any,
) -> None:
    # Given verified PPO benefits (deductible $1,500 with $1,200.50 left, 10% coinsurance)
    referral_id = verified(resources, check, lambda_context, "01-ppo-deductible-coinsurance.json")
    # When the estimate runs
    plan = estimate_cost({"referral_id": referral_id}, lambda_context)
    # Then the cost call carries the estimate and a script in the patient's language
    assert plan["task_type"] == "cost_and_options_call" and plan["timeout_seconds"] == 24 * 3600
    summary = plan["details"]["estimate"]
    assert summary["version"] == 1 and summary["in_network"] is True
    assert summary["per_infusion_patient"] == "1343.40"  # $1,200.50 deductible + 10% of the rest
    assert plan["details"]["call_script"]["language"] == "en"
    # And the stored version keeps the inputs it was made from
    stored = DynamoDbStore(resources.table_name).estimates(referral_id)
    assert [e["version"] for e in stored] == [1]
    assert stored[0]["inputs"] and stored[0]["line_items"]


def test_a_new_estimate_is_a_new_version_and_history_stays_readable(
    resources: IntakeResources,
    check: Any,
    estimate_cost: Any,
    lambda_context: Any,
) -> None:
    referral_id = verified(resources, check, lambda_context, "02-hmo-copay-spanish.json")
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


def test_without_an_estimate_the_cost_call_still_happens_and_says_why(
    resources: IntakeResources,
    check: Any,
    estimate_cost: Any,
    lambda_context: Any,
) -> None:
    # Given verified benefits but a dose the estimator cannot read
    referral_id = verified(resources, check, lambda_context, "07-medicare-advantage.json")
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
    assert "estimate_not_possible" in [e.event for e in store.timeline(referral_id)]
    assert store.estimates(referral_id) == []
