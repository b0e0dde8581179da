"""The nurse on the board in headless Chromium against the local stack: her queue shows her
work only, the first-visit task opens with the visit form (who was booked, when the delivery
ships), the documented visit shows on the referral page with its nursing units, and the pages
pass the accessibility check.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from intake.core.ids import task_id_for
from intake.models.records import TaskType
from intake_local.pipeline import LiaisonClient
from tests.browser.conftest import screenshot, serious_violations, sign_in
from tests.integration.test_first_visit_workflow import next_monday, to_first_visit

pytestmark = pytest.mark.integration


def test_a_nurse_sees_her_queue_and_documents_the_first_visit(
    local_stack: Any, browser: Any
) -> None:
    """Given a referral waiting on its first visit (booked Monday 08:00 with rn-okafor), when
    the nurse documents 08:00 to 10:31 on the board, then the referral page shows the visit with
    151 minutes = 99601 x1 + 99602 x1 (151 - 120 = 31, the mid-point passed)."""
    # Given
    api = LiaisonClient(local_stack.outputs.api_url, "visit-web@local")
    first = next_monday(local_stack.now().date() + timedelta(days=10))
    referral_id = to_first_visit(local_stack, api, "WEB-VISIT-1", first)
    visit_task = task_id_for(referral_id, TaskType.FIRST_VISIT)
    nina = sign_in(browser, local_stack.outputs.web_url, "nina", "nurse")
    row = nina.locator(f'tr[data-task="{visit_task}"]')
    row.wait_for(timeout=60_000)
    # Then her queue holds only the nurse's task types
    shown = nina.locator("tbody tr td:nth-child(2) a").all_inner_texts()
    assert shown and all(
        t in ("First visit", "Scheduling call", "Dose checkin call") for t in shown
    )
    assert serious_violations(nina) == []
    # When she opens the task and documents the visit
    row.get_by_role("link").click()
    nina.get_by_role("heading", name="Document the visit").wait_for()
    assert "Grace Okafor" in nina.locator("#visit-booked").inner_text()
    assert (first - timedelta(days=3)).isoformat() in nina.locator("#visit-booked").inner_text()
    nina.fill("#v-stop", f"{first.isoformat()}T10:31")
    nina.fill("#v-pulse_bpm", "72")
    nina.fill("#v-product", "infliximab 100 mg vial")
    nina.fill("#v-lot", "WEB123")
    nina.fill("#v-expiry", "2030-12-31")
    for item in ("basics", "drug_and_supplies", "storage_and_handling", "side_effects"):
        nina.check(f"#v-teach-{item}")
    screenshot(nina, "visit-form")
    assert serious_violations(nina) == []
    nina.get_by_role("button", name="Document visit").click()
    # Then the task is completed and the referral page shows the record
    nina.locator("dt", has_text="Outcome").first.wait_for()
    nina.goto(f"{local_stack.outputs.web_url}#/referral/{referral_id}")
    units = nina.locator(".visit-units")
    units.wait_for()
    assert units.inner_text() == "99601 x1, 99602 x1"
    screenshot(nina, "visit-record")
    assert serious_violations(nina) == []
    assert nina.errors == []
