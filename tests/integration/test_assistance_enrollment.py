"""Assistance that ends in enrollment, in moto: the estimate opens the enrollment task with
what each program requires; the liaison's ``enrolled`` outcome records the program's id on a
new estimate version with the program applied, and an open cost call gets the new script."""

from __future__ import annotations

import json
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


def _sample_enrolled(
    store: DynamoDbStore, ctx: Any, estimate_cost: Any, verified: Verified, sample: str
) -> dict[str, Any]:
    """The sample estimated, then its enrollment task completed as ``_liaison.json`` says."""
    from tests.conftest import EVENTS

    step = json.loads((EVENTS / "referrals" / "_liaison.json").read_text("utf-8"))[sample][
        "assistance_enrollment"
    ][0]
    referral_id = verified(sample)
    estimate_cost({"referral_id": referral_id}, ctx)
    body = {"outcome": step["outcome"], "corrections": step["corrections"], "note": step["note"]}
    status, done = _complete(ctx, f"{referral_id}.assistance_enrollment.1", body)
    assert status == 200, done
    return store.estimates(referral_id)[-1]


def test_sample_52_the_program_maximum_runs_out_mid_year_under_the_accumulator(
    resources: IntakeResources, verified: Verified, estimate_cost: Any, lambda_context: Any
) -> None:
    """Given sample 52 (HDHP, plan year July-June, $6,000 deductible none met, 30%, $9,000
    out of pocket; the 271's MSG names a copay accumulator) enrolled in Janssen CarePath ($5 an
    infusion, $20,000 a calendar year, drug only), when estimated, then the program runs out on
    2027-10-18 and what she owes after it is per plan year:

    Each infusion: 10 mg/kg x 80 kg = 800 mg = 80 units x $48.50 = $3,880 drug + $165 per
    diem + $270 nursing = $4,315; every 8 weeks from 2027-01-11 (7 in 12 months).
    Plan year to 2027-06-30 (4 infusions): each is all deductible (the program's 3,880 - 5 =
    3,875 is given back: 6,000 - 4,315 + 3,875 = 5,560 left, then 5,120, 4,680, 4,240): before
    4 x 4,315 = 17,260, program 4 x 3,875 = 15,500, after 4 x 440 = 1,760.
    Plan year from 2027-07-01 (reset): 08-23 4,315, program 3,875 (19,375 of 20,000 used);
    10-18 4,315, program 625: used up (deductible 5,560 - 4,315 + 625 = 1,870 left); 12-13:
    1,870 + 0.30 x 2,445 = 2,603.50, program 0. Before 11,233.50, program 4,500, after
    440 + 3,690 + 2,603.50 = 6,733.50."""
    store = DynamoDbStore(resources.table_name)
    version = _sample_enrolled(
        store, lambda_context, estimate_cost, verified, "52-copay-program-max-mid-year.json"
    )
    applied = version["assistance"]["applied"]
    assert applied["status"] == "enrolled" and applied["enrollment_id"] == "JCP-52-000123"
    assert applied["copay_policy"] == "accumulator" and applied["counts_toward_plan"] is False
    assert applied["runs_out_on"] == "2027-10-18" and applied["owes_after_runs_out"] == "2603.50"
    years = [
        (y["start"], y["patient_before"], y["program_pays"], y["patient_after"])
        for y in applied["plan_years"]
    ]
    assert years == [
        ("2026-07-01", "17260.00", "15500.00", "1760.00"),
        ("2027-07-01", "11233.50", "4500.00", "6733.50"),
    ]
    [program_year] = applied["program_years"]
    assert (program_year["start"], program_year["paid"]) == ("2027-01-01", "20000.00")
    assert any("156.130(h)" in a for a in version["assumptions"])
    assert "October 18, 2027" in version["call_script"]["text"]


def test_sample_53_medicare_a_foundation_by_disease_fund_and_the_manufacturer_refused(
    resources: IntakeResources, verified: Verified, estimate_cost: Any, lambda_context: Any
) -> None:
    """Given sample 53 (Original Medicare alone, home IVIG for D80.0), when estimated and the
    liaison enrolls him in PAN's immunodeficiency fund (household of 2, $42,000: 42,000 /
    21,640 = 194.1% of the 2026 guideline, under the fund's 400%) with a $4,000 grant, then
    the manufacturer program is refused with its reason, HealthWell's fund is named closed,
    and the grant pays the drug's 20% until its $4,000 is used, from the enrollment day."""
    store = DynamoDbStore(resources.table_name)
    version = _sample_enrolled(
        store, lambda_context, estimate_cost, verified, "53-medicare-foundation.json"
    )
    assistance = version["assistance"]
    by_id = {d["program_id"]: d for d in assistance["decisions"]}
    assert by_id["takeda-onepath-gammagard"]["status"] == "not_eligible"
    assert "Medicare" in by_id["takeda-onepath-gammagard"]["reasons"][0]
    assert by_id["healthwell-foundation"]["status"] == "fund_closed"
    assert "HealthWell" not in version["call_script"]["text"]  # a closed fund is not offered
    assert by_id["pan-foundation"]["status"] == "eligible"
    assert by_id["pan-foundation"]["income_fpl_percent"] == "194.1"
    applied = assistance["applied"]
    assert applied["status"] == "enrolled" and applied["enrollment_id"] == "PAN-53-004417"
    [grant] = applied["program_years"]
    assert grant["maximum"] == "4000.00" and Decimal(grant["paid"]) <= Decimal("4000.00")
    assert grant["start"] == applied["enrolled_on"]
    assert Decimal(applied["patient_after"]) == Decimal(applied["patient_before"]) - Decimal(
        applied["program_pays"]
    )
