"""The referral page lists the statuses the referring clinic was sent (issue 25, the clinic kept
informed), in headless Chromium against the local stack: a referral's first milestone is stored
at intake, the scheduled sender faxes it, and the page shows it sent."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.browser.conftest import screenshot, serious_violations, sign_in
from tests.conftest import EVENTS
from tests.integration.steps import distinct, upload, wait_for

pytestmark = pytest.mark.integration


def referral(reference: str) -> bytes:
    """Sample 01 (JSON, the clinic's fax on file) as a referral of its own."""
    data: dict[str, Any] = json.loads(
        (EVENTS / "referrals" / "01-ppo-deductible-coinsurance.json").read_text("utf-8")
    )
    data["clinic_reference"] = reference
    return json.dumps(distinct(data)).encode()


def test_the_referral_page_lists_the_clinic_statuses_sent(local_stack: Any, browser: Any) -> None:
    """Why: a liaison answering a clinic's call must see what the clinic was already told, and
    whether it went out (by fax, or not sent and why)."""
    # Given a referral uploaded by a clinic, read and accepted (its "received" milestone stored)
    referral_id = upload(local_stack, referral("WEB-CLINIC-1"), "referrals/web-clinic/c1.json")
    api = local_stack.outputs.api_url
    staff = {"x-intake-liaison": "alice"}

    def statuses() -> list[dict[str, Any]]:
        import requests

        reply = requests.get(
            f"{api}/referrals/{referral_id}/clinic-statuses", headers=staff, timeout=30
        )
        return list(reply.json().get("statuses", [])) if reply.status_code == 200 else []

    wait_for(lambda: any(s["milestone"] == "received" for s in statuses()), timeout=60, every=1.0)

    def sent() -> bool:
        """One scheduled run of the sender (100 statuses a run, oldest first: the stack holds
        the statuses of every earlier test too), then whether this referral's went out."""
        local_stack.send_clinic_statuses()
        return any(s["milestone"] == "received" and s["state"] != "pending" for s in statuses())

    # And the scheduled sender run, as its schedule would, until it reaches this referral's
    wait_for(sent, timeout=300, every=1.0)
    # When a liaison opens the referral page
    page = sign_in(browser, local_stack.outputs.web_url, "alice")
    page.goto(f"{local_stack.outputs.web_url}#/referral/{referral_id}")
    panel = page.get_by_role("region", name="Clinic statuses")
    row = panel.locator('tr[data-clinic-status="received"]')
    row.wait_for()
    # Then the clinic's "received" status is listed with its wording, sent by fax
    assert "Received" in row.inner_text()
    assert "We received your referral" in row.inner_text()
    assert "Sent (fax)" in row.inner_text()
    screenshot(page, "referral-clinic-statuses")
    assert serious_violations(page) == []
    assert page.errors == []
