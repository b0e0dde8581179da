"""Ongoing therapy on the local stack: the calendar a scheduled referral gets, the dose-check
state machine executing in moto with the clock moved, the repeated trigger, coverage ending
mid-course and a payer that is down.

The clock is the stack's (every Lambda reads its offset); each test puts it back to zero.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError

from intake.core.ids import task_id_for
from intake.models.records import TaskType
from intake_local.course_follow import doses_of
from intake_local.pipeline import LiaisonClient
from tests.conftest import EVENTS
from tests.integration.steps import distinct, open_task, upload, wait_for

pytestmark = pytest.mark.integration


LIAISON = "course-test@local"  # the conftest's ``api`` client acts as this liaison


@pytest.fixture
def clock(local_stack: Any) -> Iterator[Any]:
    """The stack's movable clock, back at zero after the test."""
    try:
        yield local_stack
    finally:
        local_stack.move_clock(-local_stack.clock_offset())


def scheduled(stack: Any, api: LiaisonClient, sample: str, reference: str, first: date) -> str:
    """A sample uploaded under a new reference and worked to ``scheduled`` with ``first`` as
    its first infusion date (given on the scheduling call)."""
    data = json.loads((EVENTS / "referrals" / sample).read_text("utf-8"))
    data["clinic_reference"] = reference
    body = json.dumps(distinct(data)).encode()
    referral_id = upload(stack, body, f"referrals/course/{reference}.json")

    def advance() -> bool:
        for task in api.tasks():
            if task["referral_id"] != referral_id:
                continue
            kind = task["task_type"]
            if kind in ("welcome_call", "cost_and_options_call"):
                api.complete(task["task_id"], "reached")
            elif kind == "scheduling_call":
                api.complete(task["task_id"], "reached", first_infusion_date=first)
        try:  # scheduled, and its calendar stored (Conclude writes it after the status)
            view = api.referral(referral_id)
        except requests.HTTPError:  # not ingested yet
            return False
        return view["status"] == "scheduled" and bool(doses_of(api, referral_id))

    wait_for(advance, timeout=90)
    return referral_id


def move_to(stack: Any, moment: datetime) -> None:
    stack.move_clock(moment - stack.now())


def dose(api: LiaisonClient, referral_id: str, number: int) -> dict[str, Any]:
    return next(d for d in doses_of(api, referral_id) if d["number"] == number)


def settled(api: LiaisonClient, referral_id: str, number: int) -> dict[str, Any] | None:
    found = dose(api, referral_id, number)
    return found if found["status"] in ("cleared", "held") else None


def test_a_due_check_calls_the_patient_clears_the_dose_and_starts_once(
    clock: Any, api: LiaisonClient
) -> None:
    # Given infliximab every 8 weeks for 12 months, scheduled with the first infusion in 10 days
    first = clock.now().date() + timedelta(days=10)
    referral_id = scheduled(
        clock, api, "01-ppo-deductible-coinsurance.json", "COURSE-CLEAR-1", first
    )
    # Then the booked first infusion is on the referral's schedule, beside the planned start
    schedule = api.referral(referral_id)["schedule"]
    assert schedule["first_infusion"] == first.isoformat() and schedule["planned_start"]
    # And its calendar: 7 doses 56 days apart from the first date, checks 7 days ahead
    doses = doses_of(api, referral_id)
    assert [d["day"] for d in doses] == [
        (first + timedelta(days=56 * i)).isoformat() for i in range(7)
    ]
    assert doses[0]["status"] == "scheduled"
    assert doses[0]["check_at"].startswith((first - timedelta(days=7)).isoformat())
    # When the clock reaches dose 1's check time and the sweep runs
    move_to(clock, datetime.fromisoformat(doses[0]["check_at"]) + timedelta(minutes=1))
    clock.sweep_doses()
    # Then the check re-verifies and queues the check-in call (round 100 x dose + version)
    call_id = task_id_for(referral_id, TaskType.DOSE_CHECKIN_CALL, 101)
    call = wait_for(lambda: open_task(api, call_id), timeout=60)
    assert call["details"]["dose"] == 1 and call["details"]["language"] == "en"
    assert call["details"]["ship_by"] == (first - timedelta(days=3)).isoformat()
    assert len(call["details"]["questions"]) == 4
    # And a repeated trigger starts nothing more: the sweep finds nothing due, and starting the
    # check's execution name again (same input) is the running execution (AWS answers the same
    # ARN while it runs, ExecutionAlreadyExists once it ended): one execution, one call
    assert clock.sweep_doses()["due"] == 0
    sfn = clock.client("stepfunctions")
    name = f"{referral_id}-dose-1-1"
    arn = clock.outputs.dose_check_state_machine_arn
    try:
        sfn.start_execution(
            stateMachineArn=arn,
            name=name,
            input=json.dumps({"referral_id": referral_id, "dose": 1, "version": 1}),
        )
    except ClientError as exc:
        assert exc.response["Error"]["Code"] == "ExecutionAlreadyExists"
    runs = sfn.list_executions(stateMachineArn=arn)["executions"]
    assert [e["name"] for e in runs].count(name) == 1
    # When the liaison reaches the patient
    assert api.complete(call_id, "reached").status_code == 200
    # Then the dose is cleared to ship and a delivery task carries the ship-by date
    cleared = wait_for(lambda: settled(api, referral_id, 1), timeout=60)
    assert cleared["status"] == "cleared"
    assert cleared["check"]["benefits"]["coverage"] == "active"
    # (infliximab needs authorization at this payer: the sandbox certified the first request)
    assert cleared["check"]["authorization"]["authorization"] == "covered"
    kinds = [t["task_type"] for t in cleared["tasks"]]
    assert kinds == ["dose_delivery"]
    calls = [t for t in api.referral(referral_id)["tasks"] if t["task_type"] == "dose_checkin_call"]
    assert len(calls) == 1
    events = [e["event"] for e in api.referral(referral_id)["timeline"]]
    assert events.count("dose_check_benefits") == 1 and "dose_cleared" in events


def test_a_moved_dose_is_checked_again_from_its_new_day(clock: Any, api: LiaisonClient) -> None:
    first = clock.now().date() + timedelta(days=10)
    referral_id = scheduled(
        clock, api, "01-ppo-deductible-coinsurance.json", "COURSE-MOVE-1", first
    )
    # When the nurse moves dose 2 three days later
    old = dose(api, referral_id, 2)
    new_day = date.fromisoformat(old["day"]) + timedelta(days=3)
    reply = api.http.post(
        f"{api.base_url}/referrals/{referral_id}/doses/2/move",
        json={"day": new_day.isoformat(), "liaison": api.liaison},
        timeout=30,
    )
    assert reply.status_code == 200, reply.text
    # Then version 2, due 7 days before the new day, the old day kept
    moved = dose(api, referral_id, 2)
    assert (moved["version"], moved["moved_from"], moved["day"]) == (
        2,
        old["day"],
        new_day.isoformat(),
    )
    assert moved["check_at"].startswith((new_day - timedelta(days=7)).isoformat())
    # And holding the therapy takes every dose ahead out of the checks
    reply = api.http.post(
        f"{api.base_url}/referrals/{referral_id}/course/hold",
        json={"reason": "hospitalized", "liaison": api.liaison},
        timeout=30,
    )
    assert reply.status_code == 200
    assert {d["status"] for d in doses_of(api, referral_id)} == {"held"}
    held = api.http.get(
        f"{api.base_url}/doses", params={"status": "held", "days": "120"}, timeout=30
    )
    assert {d["referral_id"] for d in held.json()["doses"]} >= {referral_id}


def test_coverage_ended_before_the_dose_holds_it_with_a_task(
    clock: Any, api: LiaisonClient
) -> None:
    # Given a member whose PPO ends on 2027-02-14 (the sandbox roster), first infusion 2027-03-01
    first = date(2027, 3, 1)
    referral_id = scheduled(clock, api, "32-course-coverage-ends.json", "COURSE-ENDS-1", first)
    check_at = datetime.fromisoformat(dose(api, referral_id, 1)["check_at"])
    # When its check runs (2027-02-22, asking the payer about 2027-03-01)
    move_to(clock, check_at + timedelta(minutes=1))
    clock.sweep_doses()
    held = wait_for(lambda: settled(api, referral_id, 1), timeout=60)
    # Then the dose is held, a person has a task, and nothing ships (no call, no delivery)
    assert held["status"] == "held" and "inactive" in held["hold_reason"]
    assert [t["task_type"] for t in held["tasks"]] == ["dose_hold"]
    kinds = {t["task_type"] for t in api.referral(referral_id)["tasks"]}
    assert not kinds & {"dose_checkin_call", "dose_delivery"}


def test_a_payer_down_through_every_retry_holds_the_dose_with_a_task(
    clock: Any, api: LiaisonClient
) -> None:
    first = clock.now().date() + timedelta(days=10)
    referral_id = scheduled(
        clock, api, "01-ppo-deductible-coinsurance.json", "COURSE-DOWN-1", first
    )
    check_at = datetime.fromisoformat(dose(api, referral_id, 1)["check_at"])
    # Given the clearinghouse failing every request
    clock.clearinghouse.fail_next(1000)
    try:
        move_to(clock, check_at + timedelta(minutes=1))
        clock.sweep_doses()
        # When the check's retries (1 s, 2 s, 4 s locally) run out
        held = wait_for(lambda: settled(api, referral_id, 1), timeout=90)
    finally:
        clock.clearinghouse.fail_next(0)
    # Then the dose is held with a task for a person, and nothing is lost
    assert held["status"] == "held" and "did not answer" in held["hold_reason"]
    assert [t["task_type"] for t in held["tasks"]] == ["dose_hold"]
    events = [e["event"] for e in api.referral(referral_id)["timeline"]]
    assert events.count("benefits_check_deferred") == 4  # first try + 3 retries
    # And once the payer is back, resuming the course checks the dose again (version 2)
    reply = api.http.post(
        f"{api.base_url}/referrals/{referral_id}/course/resume",
        json={"liaison": api.liaison},
        timeout=30,
    )
    assert reply.status_code == 200
    again = dose(api, referral_id, 1)
    assert (again["status"], again["version"]) == ("scheduled", 2)
    assert datetime.fromisoformat(again["check_at"]) <= clock.now().astimezone(UTC) + timedelta(
        seconds=5
    )
