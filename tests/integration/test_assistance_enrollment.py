"""Assistance that ends in enrollment, in moto: the estimate opens the enrollment task with
what each program requires; the liaison's ``enrolled`` outcome records the program's id on a
new estimate version with the program applied, and an open cost call gets the new script."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from intake.adapters.dynamodb_store import DynamoDbStore
from tests.conftest import load_handler
from tests.integration.conftest import IntakeResources
from tests.integration.test_tasks_and_api import api

Verified = Callable[[str], str]


@pytest.fixture
def estimate_cost(resources: IntakeResources, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("COST_CALL_SLA_HOURS", "24")
    return load_handler("estimate_cost").lambda_handler


REMICADE = "janssen-carepath-remicade"


def _enrolled(program_id: str, enrollment_id: str | None) -> dict[str, Any]:
    corrections = {"program_id": program_id}
    if enrollment_id is not None:
        corrections["enrollment_id"] = enrollment_id
    return {"outcome": "enrolled", "corrections": corrections}


def _complete(ctx: Any, task_id: str, body: dict[str, Any]) -> tuple[int, Any]:
    return api(
        load_handler("liaison_api").lambda_handler, ctx, "POST", f"/tasks/{task_id}/complete", body
    )


def test_enrollment_outcome_records_the_program_id_on_a_new_estimate_version(
    resources: IntakeResources, verified: Verified, estimate_cost: Any, lambda_context: Any
) -> None:
    """Given sample 01 (commercial PPO, infliximab) estimated: the patient's share is over the
    threshold and Janssen CarePath (Remicade) fits a commercial plan, so an enrollment task is
    opened listing what the program requires; when the liaison records it enrolled with the
    program's id, then version 2 applies the program (enrolled, with its id) and the call
    script says so; version 1 stays as it was (nothing a liaison said is overwritten)."""
    store = DynamoDbStore(resources.table_name)
    referral_id = verified("01-ppo-deductible-coinsurance.json")
    first = estimate_cost({"referral_id": referral_id}, lambda_context)
    assert first["details"]["estimate"]["assistance_status"] == "projected"
    task_id = f"{referral_id}.assistance_enrollment.1"
    task = store.get_task(task_id)
    assert task is not None and task.status.value == "open"
    offered = {o.program_id: o for o in task.details.offered}  # type: ignore[union-attr]
    assert "janssen-carepath-remicade" in offered
    assert any("signature" in r for r in offered["janssen-carepath-remicade"].requires)

    # An enrollment id is required, and the program must be one offered.
    status, error = _complete(lambda_context, task_id, _enrolled(REMICADE, None))
    assert status == 400 and "enrollment_id" in error["message"]
    status, error = _complete(lambda_context, task_id, _enrolled("takeda-onepath-gammagard", "X"))
    assert status == 400 and "offered" in error["message"]

    status, done = _complete(lambda_context, task_id, _enrolled(REMICADE, "JCP-0001"))
    assert status == 200, done
    versions = store.estimates(referral_id)
    assert [v["version"] for v in versions] == [1, 2]
    applied = versions[1]["assistance"]["applied"]
    assert applied["status"] == "enrolled" and applied["enrollment_id"] == "JCP-0001"
    assert versions[1]["inputs"]["assistance_enrolled"]["program_id"] == "janssen-carepath-remicade"
    assert versions[0]["assistance"]["applied"]["status"] == "projected"
    # $5 an infusion on the drug share: what she owes after is less than before.
    assert Decimal(applied["patient_after"]) < Decimal(applied["patient_before"])
    assert "JCP-0001" in versions[1]["call_script"]["text"]
    record = store.get_referral(referral_id)
    assert record is not None and record.estimate is not None
    assert record.estimate.version == 2 and record.estimate.assistance_enrollment_id == "JCP-0001"
    # The timeline holds ids and figures, never the program's enrollment id.
    assert all("JCP-0001" not in str(e.model_dump()) for e in store.timeline(referral_id))


def test_a_re_estimate_keeps_the_enrollment(
    resources: IntakeResources, verified: Verified, estimate_cost: Any, lambda_context: Any
) -> None:
    """Given an enrolled patient, when the estimate runs again (a new plan year's check),
    then the enrollment carries forward to the new version."""
    store = DynamoDbStore(resources.table_name)
    referral_id = verified("01-ppo-deductible-coinsurance.json")
    estimate_cost({"referral_id": referral_id}, lambda_context)
    body = _enrolled(REMICADE, "JCP-0002")
    assert _complete(lambda_context, f"{referral_id}.assistance_enrollment.1", body)[0] == 200
    third = estimate_cost({"referral_id": referral_id}, lambda_context)
    assert third["details"]["estimate"]["version"] == 3
    assert store.estimates(referral_id)[-1]["assistance"]["applied"]["enrollment_id"] == "JCP-0002"


def test_medicare_gets_no_manufacturer_program_and_the_task_asks_for_the_income(
    resources: IntakeResources, verified: Verified, estimate_cost: Any, lambda_context: Any
) -> None:
    """Given sample 31 (Original Medicare with Medigap, home IVIG for CVID), when estimated,
    then the manufacturer program is refused with its reason, nothing is projected, and if an
    enrollment task is due it asks for the household income (never assumed)."""
    store = DynamoDbStore(resources.table_name)
    referral_id = verified("31-medicare-medigap-ivig.json")
    estimate_cost({"referral_id": referral_id}, lambda_context)
    stored = store.estimates(referral_id)[-1]["assistance"]
    by_id = {d["program_id"]: d for d in stored["decisions"]}
    refused = [d for d in by_id.values() if d["kind"] == "manufacturer"]
    assert refused and all(d["status"] == "not_eligible" for d in refused)
    assert all("Medicare" in d["reasons"][0] for d in refused)
    assert stored["applied"] is None
    assert by_id["pan-foundation"]["status"] == "income_needed"
