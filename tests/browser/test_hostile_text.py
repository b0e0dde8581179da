"""Text from a referral is shown as text, never run: a patient name, a note and a document
name written as HTML and script appear literally on the board, the task and the referral, and
no script of theirs runs (the DOM is built from text nodes; the Content-Security-Policy would
refuse inline script besides). A crafted link cannot turn a referral id into another call.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from intake.core.ids import task_id_for
from intake.models.records import TaskType
from intake_local.samples.identity import npi_for
from tests.browser.conftest import sign_in
from tests.conftest import EVENTS
from tests.integration.test_state_machine import upload

pytestmark = pytest.mark.integration

FIRST = '<img src=x onerror="window.__pwned=1">'
LAST = "<script>window.__pwned=2</script>"
NOTE = '<b>bold</b><svg onload="window.__pwned=3"></svg>'
FILE = "<img src=x onerror=window.__pwned=4>.json"
"""Each under 60 characters: a name's longest, and what the timeline shows of a key."""


def hostile_referral() -> bytes:
    data: dict[str, Any] = json.loads(
        (EVENTS / "referrals" / "02-hmo-copay-spanish.json").read_text("utf-8")
    )
    data["clinic_reference"] = "WEB-HOSTILE-1"
    data["prescriber"] = {**data["prescriber"], "npi": npi_for("WEB-HOSTILE-1")}
    data["patient"] = {**data["patient"], "first_name": FIRST, "last_name": LAST}
    data["clinical_notes"] = NOTE
    return json.dumps(data).encode()


def nothing_ran(page: Any) -> None:
    """No element came from the data, no handler ran, no error was thrown."""
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator("main img, main script, main svg, main b").count() == 0
    assert page.errors == []


def test_html_and_script_in_a_referral_show_as_text_and_run_nothing(
    local_stack: Any, browser: Any
) -> None:
    web = local_stack.outputs.web_url
    api_url = local_stack.outputs.api_url
    # Given a referral whose patient name and file name are HTML and script
    referral_id = upload(local_stack, hostile_referral(), f"referrals/web/{FILE}")
    welcome = task_id_for(referral_id, TaskType.WELCOME_CALL)
    # And the app is served with a Content-Security-Policy: scripts from its own origin only
    csp = browser.new_context().request.get(web).headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    # When a liaison opens the board
    page = sign_in(browser, web, "carol", axe=False)
    row = page.locator(f'tr[data-task="{welcome}"]')
    row.wait_for(timeout=60_000)
    # Then the patient's name is shown exactly as written, as text
    assert f"{FIRST} {LAST}" in row.inner_text()
    nothing_ran(page)
    # When she completes the welcome call with a note written as HTML
    reply = page.request.post(
        f"{api_url}/tasks/{welcome}/complete",
        data={"outcome": "reached", "note": NOTE},
        headers={"x-intake-liaison": "carol", "x-intake-roles": "liaison"},
    )
    assert reply.status == 200, reply.text()
    # Then the task shows the note as text
    page.goto(f"{web}#/task/{welcome}")
    page.get_by_role("heading", name="Welcome call").wait_for()
    assert NOTE in page.locator("main").inner_text()
    nothing_ran(page)
    # And the referral shows the name in its heading and the file name in its timeline, as text
    page.goto(f"{web}#/referral/{referral_id}")
    page.get_by_role("heading", name="Timeline").wait_for()
    assert f"{FIRST} {LAST}" in page.get_by_role("heading", level=1).inner_text()
    assert FILE in page.get_by_role("table", name="Timeline").inner_text()
    nothing_ran(page)
    # And the policy is enforced in this page: an inline script added now does not run
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__pwned = 5'; document.body.append(s); }"
    )
    assert page.evaluate("() => window.__pwned") is None
    page.context.close()


def test_a_crafted_link_cannot_turn_an_id_into_another_call(local_stack: Any, browser: Any) -> None:
    """Given a link whose referral id is a path with a query (``../search?...``), When a
    liaison opens it, Then the board asks for a referral of that literal id (encoded: one
    segment) and gets not found; no search runs in her name."""
    web = local_stack.outputs.web_url
    page = sign_in(browser, web, "dave", axe=False)
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url))
    crafted = "..%2Fsearch%3Flast_name%3DNguyen%26dob%3D1990-05-17"
    page.goto(f"{web}#/referral/{crafted}")
    page.get_by_role("alert").wait_for()
    api_calls = [u for u in seen if "/referrals/" in u or "/search" in u]
    assert api_calls and all("/search?" not in u for u in api_calls)
    assert any(
        u.endswith("/referrals/..%2Fsearch%3Flast_name%3DNguyen%26dob%3D1990-05-17")
        for u in api_calls
    )
    assert page.errors == []
    page.context.close()
