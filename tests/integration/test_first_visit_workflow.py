"""The nurse's first visit on the local stack (issue 25): after the cost call the nurse's
scheduling call books the first visit with a roster nurse, the delivery planned to ship before
it; the nurse documents the visit (the workflow ends, the referral still ``scheduled``); a
missed visit goes back to the nurse's call, whose new date moves the dose calendar; and each
role sees its own queue.

Why on the stack: the booking, the waiting task and the re-booking loop are states of the
referral state machine, executing in moto with the real handlers.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
import requests

from intake.core.ids import task_id_for
from intake.models.records import TaskType
from intake_local.course_follow import doses_of
from intake_local.pipeline import LiaisonClient
from tests.conftest import EVENTS
from tests.integration.steps import (
    distinct,
    document_first_visit,
    execution,
    open_task,
    upload,
    wait_for,
)

pytestmark = pytest.mark.integration

LIAISON = "visit-test@local"


def next_monday(after: date) -> date:
    return after + timedelta(days=(7 - after.weekday()) % 7 or 7)


def to_first_visit(stack: Any, api: LiaisonClient, reference: str, first: date) -> str:
    """Sample 01 (English, Chicago 60613) under a new reference, worked through its calls with
    ``first`` booked on the nurse's scheduling call; returns once its first_visit task is open."""
    data = json.loads((EVENTS / "referrals" / "01-ppo-deductible-coinsurance.json").read_text())
    data["clinic_reference"] = reference
    referral_id = upload(
        stack, json.dumps(distinct(data)).encode(), f"referrals/visit/{reference}.json"
    )

    def advance() -> dict[str, Any] | None:
        for task in api.tasks():
            if task["referral_id"] != referral_id:
                continue
            if task["task_type"] in ("welcome_call", "cost_and_options_call"):
                api.complete(task["task_id"], "reached")
            elif task["task_type"] == "scheduling_call":
                api.complete(task["task_id"], "reached", first_infusion_date=first)
        return open_task(api, task_id_for(referral_id, TaskType.FIRST_VISIT))

    wait_for(advance, timeout=90)
    return referral_id


def events(api: LiaisonClient, referral_id: str) -> list[dict[str, Any]]:
    return list(api.referral(referral_id)["timeline"])


def visits(api: LiaisonClient, referral_id: str) -> list[dict[str, Any]]:
    reply = api.http.get(f"{api.base_url}/referrals/{referral_id}/visits", timeout=30)
    reply.raise_for_status()
    return list(reply.json()["visits"])


def test_the_nurse_call_books_a_roster_nurse_and_the_documented_visit_ends_the_workflow(
    local_stack: Any, api: LiaisonClient
) -> None:
    """Given sample 01 (English, ZIP 60613) booked on a Monday, when the first visit is
    documented, then the roster's earliest English-speaking nurse on Mondays (rn-okafor, from
    08:00) was booked, the delivery ships 3 days before (the calendar's ship lead), the record
    holds 150 minutes = 99601 x1 (150 - 120 = 30, not past the mid-point), and the referral
    still ends ``scheduled``."""
    # Given
    first = next_monday(local_stack.now().date() + timedelta(days=10))
    referral_id = to_first_visit(local_stack, api, "VISIT-BOOK-1", first)
    task = open_task(api, task_id_for(referral_id, TaskType.FIRST_VISIT))
    assert task is not None
    details = task["details"]
    assert (details["nurse_id"], details["day"], details["window"]) == (
        "rn-okafor",
        first.isoformat(),
        "08:00-16:00",
    )
    assert details["ship_by"] == (first - timedelta(days=3)).isoformat()
    scheduled = [e for e in events(api, referral_id) if e["event"] == "first_visit_scheduled"]
    assert [e["detail"]["visit_id"] for e in scheduled] == [details["visit_id"]]
    # When
    reply = document_first_visit(api, task)
    # Then
    assert reply.status_code == 200, reply.text
    wait_for(lambda: execution(local_stack, referral_id)["status"] == "SUCCEEDED")
    view = api.referral(referral_id)
    assert view["status"] == "scheduled"
    documented = [e for e in view["timeline"] if e["event"] == "visit_documented"]
    assert [e["detail"]["visit_id"] for e in documented] == [details["visit_id"]]
    record = visits(api, referral_id)[0]["record"]
    assert (record["visit_minutes"], record["nursing_units"]) == (150, {"99601": 1})


def test_a_missed_first_visit_is_booked_again_and_moves_the_doses(
    local_stack: Any, api: LiaisonClient
) -> None:
    """Given a first visit booked on a Monday, when the nurse records it missed and books the
    next Monday on the new call, then dose 1 (and the course after it) moves by 7 days, a second
    visit is booked for the new day, and documenting it ends the workflow ``scheduled``."""
    # Given
    first = next_monday(local_stack.now().date() + timedelta(days=10))
    referral_id = to_first_visit(local_stack, api, "VISIT-MISSED-1", first)
    before = [d["day"] for d in doses_of(api, referral_id)]
    assert before[0] == first.isoformat()
    # When the visit is missed
    missed = api.complete(task_id_for(referral_id, TaskType.FIRST_VISIT), "missed", "not home")
    assert missed.status_code == 200, missed.text
    call = wait_for(lambda: open_task(api, task_id_for(referral_id, TaskType.SCHEDULING_CALL, 2)))
    assert call["task_type"] == "scheduling_call"
    # And the nurse books a week later
    later = first + timedelta(days=7)
    assert api.complete(call["task_id"], "reached", first_infusion_date=later).status_code == 200
    again = wait_for(lambda: open_task(api, task_id_for(referral_id, TaskType.FIRST_VISIT, 2)))
    # Then every dose moved by 7 days and the new visit is on the new day
    after = [d["day"] for d in doses_of(api, referral_id)]
    assert after == [(date.fromisoformat(d) + timedelta(days=7)).isoformat() for d in before]
    assert again["details"]["day"] == later.isoformat()
    statuses = [(v["round"], v["status"]) for v in visits(api, referral_id)]
    assert statuses == [(1, "missed"), (2, "booked")]
    # And documenting it ends the workflow with the referral scheduled
    assert document_first_visit(api, again).status_code == 200
    wait_for(lambda: execution(local_stack, referral_id)["status"] == "SUCCEEDED")
    assert api.referral(referral_id)["status"] == "scheduled"


def test_each_role_sees_its_own_queue(local_stack: Any, api: LiaisonClient) -> None:
    """Given open tasks of several types, when a nurse lists tasks, then only the nurse's
    types; a liaison sees every type; a liaison asking for the nurse queue is refused (403)."""
    # Given a referral waiting on its welcome call, and one waiting on its first visit
    first = next_monday(local_stack.now().date() + timedelta(days=10))
    to_first_visit(local_stack, api, "VISIT-QUEUE-1", first)
    data = json.loads((EVENTS / "referrals" / "01-ppo-deductible-coinsurance.json").read_text())
    data["clinic_reference"] = "VISIT-QUEUE-2"
    waiting = upload(local_stack, json.dumps(distinct(data)).encode(), "referrals/visit/q2.json")
    wait_for(lambda: open_task(api, task_id_for(waiting, TaskType.WELCOME_CALL)))

    def listed(roles: str, **query: str) -> requests.Response:
        return requests.get(
            f"{api.base_url}/tasks",
            params=query,
            headers={"x-intake-liaison": LIAISON, "x-intake-roles": roles},
            timeout=30,
        )

    # When / Then
    nurse = {t["task_type"] for t in listed("nurse").json()["tasks"]}
    assert "first_visit" in nurse and nurse <= {
        "scheduling_call",
        "first_visit",
        "dose_checkin_call",
    }
    liaison = {t["task_type"] for t in listed("liaison").json()["tasks"]}
    assert {"welcome_call", "first_visit"} <= liaison
    assert listed("liaison", queue="nurse").status_code == 403
    both = {t["task_type"] for t in listed("liaison,nurse", queue="nurse").json()["tasks"]}
    assert both == nurse
