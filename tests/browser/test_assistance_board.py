"""The assistance enrollment task on the board (issue 26), in headless Chromium against the
local stack: the programs offered with what each requires, the refused ones with the reason,
the liaison records the enrollment through the form, and the referral's estimate shows the
program enrolled."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from tests.browser.conftest import screenshot, serious_violations, sign_in
from tests.conftest import EVENTS
from tests.integration.steps import distinct, upload, wait_for

pytestmark = pytest.mark.integration


def _task(api: str, task_id: str) -> dict[str, Any] | None:
    reply = requests.get(
        f"{api}/tasks/{task_id}", headers={"x-intake-liaison": "alice"}, timeout=30
    )
    return reply.json() if reply.status_code == 200 else None


def test_a_liaison_enrolls_a_medicare_patient_in_a_foundation_from_the_board(
    local_stack: Any, browser: Any
) -> None:
    """Why: the enrollment ends what the estimate recommends; the liaison must see what each
    program requires and why the manufacturer program was refused, and record the program's id."""
    # Given sample 53 (Original Medicare, home IVIG) uploaded and its welcome call completed
    data = json.loads((EVENTS / "referrals" / "53-medicare-foundation.json").read_text("utf-8"))
    data["clinic_reference"] = "WEB-ASSIST-53"
    data = distinct(data)
    referral_id = upload(local_stack, json.dumps(data).encode(), "referrals/web-assist/a53.json")
    api = local_stack.outputs.api_url
    staff = {"x-intake-liaison": "alice"}
    welcome = f"{referral_id}.welcome_call.1"
    wait_for(lambda: _task(api, welcome), timeout=60, every=1.0)
    requests.post(
        f"{api}/tasks/{welcome}/complete", json={"outcome": "reached"}, headers=staff, timeout=30
    )
    enrollment = f"{referral_id}.assistance_enrollment.1"
    wait_for(lambda: _task(api, enrollment), timeout=90, every=1.0)
    # When a liaison opens the enrollment task
    page = sign_in(browser, local_stack.outputs.web_url, "alice")
    page.goto(f"{local_stack.outputs.web_url}#/task/{enrollment}")
    page.get_by_role("heading", name="Programs to enroll in").wait_for()
    # Then PAN is offered with what it requires, Takeda refused for Medicare
    text = page.get_by_label("Assistance programs").inner_text()
    assert "PAN Foundation" in text and "household size and annual household income" in text
    assert "Takeda OnePath" in text and "Medicare" in text
    assert serious_violations(page) == []
    # And recording it enrolled through the form makes a new estimate version with the program
    page.get_by_role("button", name="Claim").click()
    page.get_by_label("Outcome").select_option("enrolled")
    page.locator("#enroll-program").select_option("pan-foundation")
    page.get_by_label("Program's enrollment id").fill("PAN-WEB-1")
    page.get_by_label("Award (foundation grant), $").fill("4000")
    page.get_by_label("Household size (as stated)").fill("2")
    page.get_by_label("Household yearly income (as stated), $").fill("42000")
    page.get_by_role("button", name="Complete task").click()

    def enrolled() -> bool:
        reply = requests.get(f"{api}/referrals/{referral_id}", headers=staff, timeout=30).json()
        estimate = reply.get("estimate") or {}
        return estimate.get("assistance_status") == "enrolled"

    wait_for(enrolled, timeout=60, every=1.0)
    page.goto(f"{local_stack.outputs.web_url}#/referral/{referral_id}")
    estimate = page.get_by_role("region", name="Estimate")
    estimate.get_by_text("PAN Foundation · Enrolled (PAN-WEB-1)").wait_for()
    screenshot(page, "assistance-enrolled")
    assert page.errors == []
