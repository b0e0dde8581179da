"""Insurance discovery in the state machine, executing in moto with the real handlers behind it
and the sandbox clearinghouse over HTTP (issue 26): found and confirmed; not confirmed, so the
search goes on; nothing found, with a task listing what was tried; a budget that stops."""

from __future__ import annotations

from typing import Any

import pytest

from intake.core.ids import task_id_for
from intake.models.records import TaskType
from intake_local.pipeline import LiaisonClient
from tests.integration.steps import (
    events_of,
    finish,
    open_task,
    sample_json,
    upload,
    wait_for,
)

pytestmark = pytest.mark.integration

LIAISON = "discovery-test@local"
FOUND = "50-no-insurance-discovered.json"
NOWHERE = "51-no-insurance-not-found.json"


def reached_welcome_call(api: LiaisonClient, referral_id: str) -> dict[str, Any]:
    welcome = task_id_for(referral_id, TaskType.WELCOME_CALL)
    task = wait_for(lambda: open_task(api, welcome))
    assert api.complete(welcome, "reached").status_code == 200
    return dict(task)


def test_a_coverage_found_is_used_only_once_the_patient_confirms_it(
    local_stack: Any, api: LiaisonClient
) -> None:
    """Given a referral without insurance whose patient is an SBX02 member (sandbox roster),
    When discovery finds her and the liaison confirms it with her, Then the found coverage
    becomes the referral's insurance, the normal 270/271 verifies it, and intake completes."""
    body = sample_json(FOUND, clinic_reference="DISC-FOUND-1")
    referral_id = upload(local_stack, body, "referrals/disc/found.json")
    confirm = task_id_for(referral_id, TaskType.CONFIRM_COVERAGE)
    task = wait_for(lambda: open_task(api, confirm))
    # The call script names the payer as the payer directory names it, and the plan (never
    # the member id: it stays on the record), with the plan year the 271 gives (the sandbox's
    # plan runs the calendar year)
    assert task["details"]["confirm"].startswith(
        "confirm coverage found: SANDBOX HMO CARE, SANDBOX HMO HOME CARE (plan begins "
    )
    assert "SBH000000250" not in str(task["details"])
    # Before confirmation nothing is verified and the referral has no insurance
    view = api.referral(referral_id)
    assert view["referral"].get("insurance") is None and view.get("benefits") is None
    # When the welcome call carries the line (if it was still open) and the patient confirms
    welcome = reached_welcome_call(api, referral_id)
    if task["details"].get("welcome_call_task_id"):
        assert task["details"]["confirm"] in welcome["details"]["confirm"]
    assert api.complete(confirm, "confirmed", "patient confirmed her HMO").status_code == 200
    finish(local_stack, api, referral_id)
    # Then the found coverage was checked like any card and intake completed
    view = api.referral(referral_id)
    assert view["status"] == "scheduled"
    insurance = view["referral"]["insurance"]
    assert (insurance["payer_id"], insurance["member_id"]) == ("SBX02", "SBH000000250")
    assert view["benefits"]["outcome"] == "verified" and view["benefits"]["round"] == 2
    events = events_of(api, referral_id)
    assert events.count("discovery_inquiry") == 2 and "coverage_confirmed" in events


def test_a_coverage_the_patient_rejects_sends_the_search_on_until_the_budget_stops_it(
    local_stack: Any, api: LiaisonClient
) -> None:
    """Given the same patient, When she says the SBX02 coverage is not hers, Then discovery
    asks the next payer (SBX03, the third paid inquiry of 3), finds nothing, and the
    coverage_not_found task lists all three with the budget spent; rejecting it ends the
    referral insurance_unverified."""
    body = sample_json(FOUND, clinic_reference="DISC-REJECT-1")
    referral_id = upload(local_stack, body, "referrals/disc/reject.json")
    confirm = task_id_for(referral_id, TaskType.CONFIRM_COVERAGE)
    wait_for(lambda: open_task(api, confirm))
    assert api.complete(confirm, "not_confirmed", "not her plan").status_code == 200
    missing = task_id_for(referral_id, TaskType.COVERAGE_NOT_FOUND, 2)
    task = wait_for(lambda: open_task(api, missing))
    details = task["details"]
    assert [(t["payer_id"], t["answer"]) for t in details["tried"]] == [
        ("SBX01", "not_found"),
        ("SBX02", "found"),
        ("SBX03", "not_found"),
    ]
    assert (details["spent"], details["budget"], details["budget_exhausted"]) == (3, 3, True)
    assert "coverage_not_confirmed" in events_of(api, referral_id)
    reached_welcome_call(api, referral_id)
    assert api.complete(missing, "rejected", "no other coverage").status_code == 200
    finish(local_stack, api, referral_id)
    assert api.referral(referral_id)["status"] == "insurance_unverified"


def test_nothing_found_leaves_a_task_listing_every_payer_search_and_answer(
    local_stack: Any, api: LiaisonClient
) -> None:
    """Given a patient on no payer's roster and no insurance, When discovery runs, Then the
    budget of 3 stops it after SBX01..SBX03 (each AAA 75, by name, date of birth, gender and
    address); the card the liaison then gets is checked as any card, and discovery does not
    run a second time."""
    body = sample_json(NOWHERE, clinic_reference="DISC-NONE-1")
    referral_id = upload(local_stack, body, "referrals/disc/none.json")
    missing = task_id_for(referral_id, TaskType.COVERAGE_NOT_FOUND)
    task = wait_for(lambda: open_task(api, missing))
    details = task["details"]
    assert [(t["payer_id"], t["aaa"], t["paid"]) for t in details["tried"]] == [
        ("SBX01", ["75"], True),
        ("SBX02", ["75"], True),
        ("SBX03", ["75"], True),
    ]
    assert details["tried"][0]["search"] == [
        "last_name",
        "first_name",
        "date_of_birth",
        "gender",
        "address",
    ]
    assert (details["spent"], details["budget_exhausted"]) == (3, True)
    assert details["reason"] == "the referral names no insurance"
    # When the liaison gets a card from the patient that the payer cannot find either
    card = {
        "insurance.payer_name": "Sandbox HMO",
        "insurance.payer_id": "SBX02",
        "insurance.member_id": "SBH000000251",
    }
    assert api.complete(missing, "resolved", "card from the patient", card).status_code == 200
    # Then the card is checked (AAA 75), and discovery does not run twice for one referral:
    # a person verifies the card (no more paid inquiries than the first search's three)
    verify = task_id_for(referral_id, TaskType.VERIFY_INSURANCE, 2)
    wait_for(lambda: open_task(api, verify))
    assert events_of(api, referral_id).count("discovery_inquiry") == 3
    assert api.referral(referral_id)["referral"]["insurance"]["member_id"] == "SBH000000251"
    reached_welcome_call(api, referral_id)
    assert api.complete(verify, "rejected", "the card is not valid").status_code == 200
    finish(local_stack, api, referral_id)
    assert api.referral(referral_id)["status"] == "insurance_unverified"
