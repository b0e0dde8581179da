"""The pharmacist's assessment on the board, in headless Chromium against the local stack: the
form on the pharmacist_assessment task, recorded with an allergy that conflicts with the drug,
and the assessment shown on the referral page with the conflict and its label source."""

from __future__ import annotations

from typing import Any

import pytest

from intake.core.ids import task_id_for
from intake.models.records import TaskType
from tests.browser.conftest import screenshot, serious_violations, sign_in
from tests.integration import steps

pytestmark = pytest.mark.integration


def test_a_pharmacist_records_an_assessment_and_the_referral_shows_its_conflict(
    local_stack: Any, browser: Any
) -> None:
    """Why: the pharmacist works the assessment on the board, and what it decides (a conflict
    named with its label section) is on the referral page for everyone who reads it."""
    web = local_stack.outputs.web_url
    # Given an ertapenem referral whose assessment call is queued (worked here, not by the
    # test pharmacist)
    body = steps.sample_json("41-hmo-per-day-copay.json", clinic_reference="WEB-ASSESS-1")
    referral_id = steps.upload(local_stack, body, "referrals/web/assess.json", pharmacist=False)
    call = task_id_for(referral_id, TaskType.PHARMACIST_ASSESSMENT)
    steps.wait_for(lambda: steps.open_task(steps_api(local_stack), call), timeout=60)
    # When Paula, a pharmacist, opens it: the form is there with the call script
    paula = sign_in(browser, web, "paula", role="pharmacist")
    paula.goto(f"{web}#/task/{call}")
    paula.get_by_role("heading", name="Assessment", exact=True).wait_for()
    assert serious_violations(paula) == []
    # And records anaphylaxis to penicillin, a PICC, and a home with a refrigerator
    paula.locator("#allergies-status").select_option("listed")
    paula.locator("#allergies").fill("penicillin | throat swelling | anaphylaxis")
    for key in ("conditions", "medicines", "prior_infusions", "labs"):
        paula.locator(f"#{key}-status").select_option("none")
    paula.locator("#access").select_option("picc")
    paula.locator("#refrigeration").select_option("yes")
    paula.get_by_role("button", name="Record assessment").click()
    # Then the call is completed and the referral page shows version 1 with the conflict
    paula.get_by_text("Reached by paula").wait_for()
    paula.goto(f"{web}#/referral/{referral_id}")
    paula.get_by_role("heading", name="Pharmacist assessment (version 1)").wait_for()
    conflicts = paula.locator("#assessment-conflicts").inner_text()
    assert "penicillin" in conflicts and "4 CONTRAINDICATIONS" in conflicts
    assert "Infusion suite" not in paula.locator("#assessment-site").inner_text()
    screenshot(paula, "assessment")
    assert serious_violations(paula) == []
    assert paula.errors == []


def steps_api(stack: Any) -> Any:
    from intake_local.pipeline import LiaisonClient

    return LiaisonClient(stack.outputs.api_url, "browser-test@local")
