"""Calls that reach people and clocks that start at receipt, with the state machine executing
in moto (the session's local stack: call attempts 2 s apart, welcome call due 36 s after
receipt)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from intake.core.ids import task_id_for
from intake.models.records import TaskType
from intake_local.pipeline import LiaisonClient
from tests.integration import steps

pytestmark = pytest.mark.integration


LIAISON = "calls-test@local"  # the conftest's ``api`` client acts as this liaison


def sample_welcome_call(
    local_stack: Any, api: LiaisonClient, clinic_reference: str, name: str
) -> tuple[str, str]:
    """Given the sample referral (from ``clinic_reference``) uploaded as referrals/sm/<name>.json:
    its referral id and its welcome call's task id, once queued."""
    body = json.dumps(steps.referral_json(clinic_reference=clinic_reference)).encode()
    return steps.welcome_call_queued(local_stack, api, body, f"referrals/sm/{name}.json")


def attempt(api: LiaisonClient, task_id: str, outcome: str, **kw: Any) -> Any:
    """Complete once the next attempt is due (attempts are spaced out)."""
    return steps.wait_for(
        lambda: (r := api.complete(task_id, outcome, **kw)).status_code == 200 and r, timeout=30
    ).json()


def test_voicemail_twice_queues_retries_then_reached_goes_on(
    local_stack: Any, api: LiaisonClient
) -> None:
    # Given a referral whose welcome call is queued
    referral_id, welcome = sample_welcome_call(local_stack, api, "SM-VM-1", "vm")
    # When the liaison leaves a voicemail
    first = attempt(api, welcome, "voicemail", note="left message")
    # Then the call stays open for another attempt, not before the spacing, and nothing moved on
    assert first["status"] == "open" and first["next_attempt_at"]
    assert [a["outcome"] for a in first["attempts"]] == ["voicemail"]
    too_soon = api.complete(welcome, "reached")
    assert too_soon.status_code == 409 and "not before" in too_soon.json()["message"]
    assert "welcome_call_completed" not in steps.events_of(api, referral_id)
    # When nobody answers the second time, and the third attempt reaches the patient
    attempt(api, welcome, "no_answer")
    done = attempt(api, welcome, "reached")
    # Then each attempt is listed with its time and outcome, and the workflow goes on
    assert [a["outcome"] for a in done["attempts"]] == ["voicemail", "no_answer", "reached"]
    assert all(a["at"] for a in done["attempts"])
    assert steps.events_of(api, referral_id).count("call_attempt") == 2
    steps.finish(local_stack, api, referral_id)
    assert api.referral(referral_id)["status"] == "scheduled"


def test_every_attempt_unanswered_escalates_and_unreachable_closes(
    local_stack: Any, api: LiaisonClient
) -> None:
    referral_id, welcome = sample_welcome_call(local_stack, api, "SM-UNREACH-1", "unreach")
    # Given "unreachable" is refused before every attempt is used
    early = api.complete(welcome, "unreachable")
    assert early.status_code == 400 and "3 attempts" in early.json()["message"]
    # When three attempts go to voicemail
    for _ in range(3):
        task = attempt(api, welcome, "voicemail")
    # Then the call is escalated (recorded, with why) and may now be closed as unreachable
    assert task["escalations"] >= 1 and "unreachable" in task["outcomes"]
    why = [e["detail"].get("why") for e in api.referral(referral_id)["timeline"]]
    assert "3 attempts without reaching the patient" in why
    attempt(api, welcome, "unreachable", note="three attempts, letter sent")
    steps.wait_for(
        lambda: steps.execution(local_stack, referral_id)["status"] == "SUCCEEDED", timeout=60
    )
    view = api.referral(referral_id)
    assert view["status"] == "closed_unreachable"
    assert not {t["task_type"] for t in view["tasks"]} & {"cost_and_options_call"}


def test_wrong_number_asks_the_clinic_before_the_next_attempt(
    local_stack: Any, api: LiaisonClient
) -> None:
    referral_id, welcome = sample_welcome_call(local_stack, api, "SM-WRONG-1", "wrong")
    # When the number is wrong
    call = attempt(api, welcome, "wrong_number")
    # Then a verify-contact task asks the clinic, and the call waits for it
    check = task_id_for(referral_id, TaskType.VERIFY_CONTACT, 1)
    assert call["waiting_for"] == check and steps.open_task(api, check)
    blocked = api.complete(welcome, "reached")
    assert blocked.status_code == 409 and "waits for the clinic" in blocked.json()["message"]
    # When the clinic's number is recorded (a bad one is refused first)
    bad = api.complete(check, "resolved", corrections={"patient.phone": "12"})
    assert bad.status_code == 400
    assert (
        api.complete(check, "resolved", corrections={"patient.phone": "312-555-0177"}).status_code
        == 200
    )
    # Then the call and the referral carry it, and the next attempt can reach the patient
    task = steps.wait_for(
        lambda: (t := steps.open_task(api, welcome)) and not t["waiting_for"] and t
    )
    assert task["patient"]["phone"] == api.referral(referral_id)["referral"]["patient"]["phone"]
    assert "contact_verified" in steps.events_of(api, referral_id)
    attempt(api, welcome, "reached")
    steps.finish(local_stack, api, referral_id)
    assert api.referral(referral_id)["status"] == "scheduled"


def test_a_stale_order_with_a_past_start_is_confirmed_and_planned_from_receipt(
    local_stack: Any, api: LiaisonClient
) -> None:
    # Given an order written 180 days ago with a start 160 days ago, received today
    today = datetime.now(UTC)
    written = (today - timedelta(days=180)).replace(microsecond=0)
    start = (today - timedelta(days=160)).date()
    body = json.dumps(
        steps.referral_json(
            clinic_reference="SM-STALE-1",
            received_at=written.isoformat(),
            therapy={**steps.referral_json()["therapy"], "start_date": start.isoformat()},
        )
    ).encode()
    referral_id = steps.upload(local_stack, body, "referrals/sm/stale.json")
    received = datetime.fromisoformat(
        steps.wait_for(lambda: steps.referral_view(api, referral_id))["uploaded_at"]
    ).date()
    # Then the welcome call says the start needs confirming and plans from receipt
    welcome = steps.task_opened(api, referral_id, TaskType.WELCOME_CALL)
    assert welcome["details"]["as_soon_as_possible"] is True
    assert date.fromisoformat(welcome["details"]["planned_start"]) == received
    assert any("confirm the start date" in c for c in welcome["details"]["confirm"])
    # And a confirm-order task asks the prescriber, holding the workflow until answered
    confirm = steps.task_opened(api, referral_id, TaskType.CONFIRM_ORDER)
    assert confirm["details"]["order_date"] == written.date().isoformat()
    api.complete(welcome["task_id"], "reached")
    assert "intake_checks_done" not in steps.events_of(api, referral_id)
    assert (
        api.complete(confirm["task_id"], "resolved", note="prescriber confirmed").status_code == 200
    )
    # And no date the workflow made is before receipt: the estimate's schedule starts then
    cost = steps.wait_for(
        lambda: steps.open_task(api, task_id_for(referral_id, TaskType.COST_AND_OPTIONS_CALL)),
        timeout=60,
    )
    assert datetime.fromisoformat(cost["due_at"]).date() >= received
    estimates = api.http.get(f"{api.base_url}/referrals/{referral_id}/estimates", timeout=30).json()
    first = date.fromisoformat(estimates["estimates"][-1]["course"]["first"])
    assert first >= received
    steps.finish(local_stack, api, referral_id)
    assert api.referral(referral_id)["status"] == "scheduled"


def test_an_order_the_prescriber_does_not_confirm_closes_the_referral(
    local_stack: Any, api: LiaisonClient
) -> None:
    body = json.dumps(
        steps.referral_json(
            clinic_reference="SM-STALE-2",
            received_at=(datetime.now(UTC) - timedelta(days=200)).isoformat(),
        )
    ).encode()
    referral_id = steps.upload(local_stack, body, "referrals/sm/stale2.json")
    confirm = steps.task_opened(api, referral_id, TaskType.CONFIRM_ORDER)
    steps.welcome_call_reached(api, referral_id)
    api.complete(confirm["task_id"], "rejected", note="prescriber discontinued the order")
    steps.wait_for(
        lambda: steps.execution(local_stack, referral_id)["status"] == "SUCCEEDED", timeout=60
    )
    view = api.referral(referral_id)
    assert view["status"] == "closed_order_not_current"
    assert "prior_auth_submitted" not in steps.events_of(api, referral_id)
