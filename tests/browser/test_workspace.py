"""The liaison workspace in headless Chromium against the local stack: the board, a call worked
to a retry, the authorization packet opened through a signed link, a review completed with
corrections, a second liaison held off another's claim, and an accessibility check per page.

Local stack timings (tests/conftest.py and the stack's overrides): the welcome call is due 18 s
after receipt and call attempts are 2 s apart; the board polls every 5 s.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from intake.core.ids import task_id_for
from intake.models.records import TaskType
from intake_local.samples.identity import npi_for
from tests.browser.conftest import screenshot, serious_violations, sign_in
from tests.conftest import EVENTS
from tests.integration.test_state_machine import upload, wait_for

pytestmark = pytest.mark.integration


def prior_auth_referral(reference: str) -> bytes:
    """Sample 15 (IVIG, authorization required then certified) as a referral of its own."""
    data: dict[str, Any] = json.loads(
        (EVENTS / "referrals" / "15-prior-auth-certified.json").read_text("utf-8")
    )
    data["clinic_reference"] = reference
    data["prescriber"] = {**data["prescriber"], "npi": npi_for(reference)}
    return json.dumps(data).encode()


def access_entries(page: Any, api_url: str) -> list[dict[str, Any]]:
    """Today's whole PHI access log, page by page, read as a compliance user."""
    entries: list[dict[str, Any]] = []
    query: dict[str, str] = {"limit": "500"}
    while True:
        reply = page.request.get(
            f"{api_url}/access-log",
            params=query,
            headers={"x-intake-liaison": "auditor", "x-intake-roles": "compliance"},
        ).json()
        entries += reply["entries"]
        if not reply.get("next"):
            return entries
        query["next"] = reply["next"]


def board_row(page: Any, task_id: str) -> Any:
    return page.locator(f'tr[data-task="{task_id}"]')


def test_a_liaison_works_a_call_opens_the_packet_and_a_second_liaison_is_held_off(
    local_stack: Any, browser: Any
) -> None:
    web = local_stack.outputs.web_url
    # Given Alice signed in with the board open
    alice = sign_in(browser, web, "alice")
    assert serious_violations(alice) == []
    # When a referral needing prior authorization is uploaded
    referral_id = upload(local_stack, prior_auth_referral("WEB-PA-1"), "referrals/web/pa.json")
    welcome = task_id_for(referral_id, TaskType.WELCOME_CALL)
    # Then its welcome call appears on the board without a reload (the board polls), marked new
    row = board_row(alice, welcome)
    row.wait_for(timeout=60_000)
    assert "Welcome call" in row.inner_text()
    assert "Zhang" in row.inner_text()
    screenshot(alice, "board")
    assert serious_violations(alice) == []
    # When she opens it and claims it
    row.get_by_role("link").click()
    alice.get_by_role("heading", name="Welcome call").wait_for()
    alice.get_by_role("button", name="Claim").click()
    alice.get_by_text("claimed by you").wait_for()
    # Then a second liaison, Bob, sees Alice's claim and cannot complete the call
    bob = sign_in(browser, web, "bob")
    bob.goto(f"{web}#/task/{welcome}")
    note = bob.locator("#claimed-note")
    note.wait_for()
    assert note.inner_text().startswith("Claimed by alice")
    assert bob.get_by_role("button", name="Complete task").is_disabled()
    assert bob.get_by_role("button", name="Claim").count() == 0
    refused = bob.request.post(
        f"{local_stack.outputs.api_url}/tasks/{welcome}/complete",
        data={"outcome": "reached"},
        headers={"x-intake-liaison": "bob"},
    )
    assert refused.status == 409 and refused.json()["error"] == "conflict"
    bob.context.close()
    # When Alice records a voicemail
    alice.get_by_label("Outcome").select_option("voicemail")
    alice.get_by_label("Note").fill("left a message")
    alice.get_by_role("button", name="Complete task").click()
    # Then the call stays open for a retry: the attempt is listed and the next one is scheduled
    attempts = alice.get_by_role("table", name="Call attempts")
    attempts.wait_for()
    assert "Voicemail" in attempts.inner_text()
    assert "not before" in alice.locator("#next-attempt").inner_text()
    screenshot(alice, "task")
    assert serious_violations(alice) == []

    # When the second attempt (2 s later here) reaches the patient
    def reached() -> bool:
        alice.reload()
        alice.get_by_role("heading", name="Welcome call").wait_for()
        outcome = alice.get_by_label("Outcome")
        if outcome.count() == 0:
            return True  # already completed
        outcome.select_option("reached")
        alice.get_by_role("button", name="Complete task").click()
        done = alice.get_by_text(re.compile("Reached by alice"))
        done.or_(alice.get_by_role("alert")).first.wait_for()
        return bool(alice.get_by_text(re.compile("Reached by alice")).count())

    wait_for(reached, timeout=60, every=1.0)

    # Then the workflow files the prior authorization and the referral lists its packet
    def packet_listed() -> bool:
        alice.goto(f"{web}#/referral/{referral_id}")
        alice.reload()  # the same address again: read the referral afresh
        alice.get_by_role("heading", name="Timeline").wait_for()
        return bool(
            alice.get_by_role("button", name=re.compile("Open Prior-authorization packet")).count()
        )

    wait_for(packet_listed, timeout=120, every=2.0)
    screenshot(alice, "referral")
    assert serious_violations(alice) == []
    # When she opens the packet
    with alice.expect_popup() as opened:
        alice.get_by_role(
            "button", name=re.compile("Open Prior-authorization packet")
        ).first.click()
    popup = opened.value
    wait_for(lambda: popup.url.startswith("http"), timeout=30)
    # Then the signed link serves the PDF itself
    pdf = alice.request.get(popup.url)
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body()[:5] == b"%PDF-"
    assert "X-Amz-Expires=300" in popup.url
    # And the opening is in the PHI access log under her name, read by a compliance user
    opened = "GET /referrals/<referral_id>/documents/<document_id>"
    assert any(
        e["user"] == "alice" and e["action"] == opened and e["referral_ids"] == [referral_id]
        for e in access_entries(alice, local_stack.outputs.api_url)
    )
    assert alice.errors == []
    alice.context.close()


def test_a_review_task_is_completed_with_corrections_beside_the_original(
    local_stack: Any, browser: Any
) -> None:
    # Given the public REF^I12 HL7 referral (no prescriber NPI, no therapy) as its own upload
    body = (EVENTS / "referrals" / "25-hl7-ref-i12-public-incomplete.hl7").read_bytes()
    body = body.replace(b"MSG00112", b"MSGWEB001")
    referral_id = upload(local_stack, body, "referrals/web/ref-i12.hl7")
    review = task_id_for(referral_id, TaskType.COMPLETE_REFERRAL)
    carol = sign_in(browser, local_stack.outputs.web_url, "carol")
    board_row(carol, review).wait_for(timeout=60_000)
    # When Carol opens the review task
    board_row(carol, review).get_by_role("link").click()
    carol.get_by_role("heading", name="Complete referral").wait_for()
    # Then the original HL7 is shown readably beside the form: one segment a line
    original = carol.locator("pre.doc")
    original.wait_for()
    lines = original.inner_text().splitlines()
    assert lines[0].startswith("MSH|") and any(line.startswith("PID|") for line in lines)
    # When she first submits an NPI that fails its check digit
    carol.get_by_label("prescriber.npi", exact=True).fill("1234567890")
    carol.get_by_label("Outcome").select_option("resolved")
    carol.get_by_role("button", name="Complete task").click()
    # Then the API's message is shown and the task stays open
    alert = carol.get_by_role("alert")
    alert.wait_for()
    assert alert.inner_text().strip()
    assert carol.get_by_role("button", name="Complete task").is_enabled()
    screenshot(carol, "review")
    assert serious_violations(carol) == []
    # When she fills in what the machine could not read
    fields = {
        "prescriber.npi": npi_for("WEB-REVIEW"),
        "therapy.drug_name": "Infliximab",
        "therapy.dose": "5 mg/kg",
        "therapy.route": "IV",
        "therapy.frequency": "every 8 weeks",
        "therapy.duration": "12 months",
    }
    for path, value in fields.items():
        carol.get_by_label(path, exact=True).fill(value)
    carol.get_by_label("Outcome").select_option("resolved")
    carol.get_by_role("button", name="Complete task").click()
    # Then the API says what is still missing (the drug's code), and the form keeps her input
    message = carol.get_by_role("alert")
    message.wait_for()
    assert "needs an NDC or a HCPCS code" in message.inner_text()
    assert carol.get_by_label("therapy.drug_name", exact=True).input_value() == "Infliximab"
    # When she adds the HCPCS code as another field
    carol.get_by_role("button", name="Add another field").click()
    carol.get_by_label("Other field 1").fill("therapy.hcpcs")
    carol.get_by_label("Value 1").fill("J1745")
    carol.get_by_role("button", name="Complete task").click()
    resolved = carol.get_by_text(re.compile("Resolved by carol"))
    resolved.or_(carol.get_by_role("alert")).first.wait_for()
    assert resolved.count() == 1, carol.get_by_role("alert").all_inner_texts()
    # Then the workflow starts: the referral is validated and its welcome call is queued
    welcome = task_id_for(referral_id, TaskType.WELCOME_CALL)

    def welcome_queued() -> bool:
        carol.goto(f"{local_stack.outputs.web_url}#/referral/{referral_id}")
        carol.reload()
        carol.get_by_role("heading", name="Timeline").wait_for()
        return bool(carol.locator(f'a[href="#/task/{welcome}"]').count())

    wait_for(welcome_queued, timeout=60, every=2.0)
    timeline = carol.get_by_role("table", name="Timeline").inner_text()
    assert "Referral completed" in timeline and "Workflow started" in timeline
    assert carol.errors == []
    carol.context.close()


def test_search_by_name_and_birth_date_opens_the_referral(local_stack: Any, browser: Any) -> None:
    # Given a referral for Sofía Nguyen, born 1990-05-17 (sample 02, its own prescriber)
    data = json.loads((EVENTS / "referrals" / "02-hmo-copay-spanish.json").read_text("utf-8"))
    data["prescriber"] = {**data["prescriber"], "npi": npi_for("WEB-SEARCH")}
    data["clinic_reference"] = "WEB-SEARCH"
    referral_id = upload(local_stack, json.dumps(data).encode(), "referrals/web/search.json")
    dave = sign_in(browser, local_stack.outputs.web_url, "dave")
    wait_for(lambda: board_row(dave, task_id_for(referral_id, TaskType.WELCOME_CALL)).count(), 60)
    screenshot(dave, "board-later")  # the session's other tasks by now: overdue, escalated, claimed
    # When Dave searches by last name (without the accent's case) and date of birth
    dave.get_by_role("link", name="Search").click()
    dave.get_by_label("Last name").fill("NGUYEN")
    dave.get_by_label("Date of birth").fill("1990-05-17")
    dave.get_by_role("button", name="Search").click()
    # Then the referral is listed and opens
    results = dave.get_by_role("table", name="Search results")
    results.wait_for()
    assert serious_violations(dave) == []
    dave.locator(f'a[href="#/referral/{referral_id}"]').click()
    dave.get_by_role("heading", name="Timeline").wait_for()
    assert referral_id in dave.locator("main").inner_text()
    assert dave.errors == []
    dave.context.close()
