"""The payer directory page in headless Chromium against the local stack: a liaison searches
(and cannot upload), a pharmacist sees a payer's policies, uploads files with a bad row (named,
nothing applied) then good ones (a new version), and the page passes the accessibility check."""

from __future__ import annotations

from typing import Any

import pytest

from intake.directory.store import shipped_files
from tests.browser.conftest import screenshot, serious_violations, sign_in

pytestmark = pytest.mark.integration


def _upload(page: Any, files: dict[str, bytes]) -> None:
    page.get_by_label("The directory's CSV files (all eight)").set_input_files(
        [{"name": n, "mimeType": "text/csv", "buffer": b} for n, b in files.items()]
    )
    page.get_by_role("button", name="Upload").click()


def test_a_pharmacist_searches_sees_policies_and_uploads_the_directory(
    local_stack: Any, browser: Any
) -> None:
    """Given the local stack's web app
    When a liaison searches 'Sandbox', and a pharmacist finds 'Sandbox Health PPO', uploads
    files whose routes.csv has a fax that is not a number, then the good files
    Then the liaison gets the candidates and no upload form; the pharmacist sees SBX01's
    infliximab policy with its source, the bad row by file, line and reason, then a new
    version listed, because the directory is kept by pharmacists from the CSV files."""
    web = local_stack.outputs.web_url
    liaison = sign_in(browser, web, "Lia", "liaison")
    liaison.get_by_role("link", name="Payer directory").click()
    liaison.get_by_label("Payer id, name or alias").fill("Sandbox")
    liaison.get_by_role("button", name="Search").click()
    liaison.get_by_text("Several payers fit").wait_for()
    assert liaison.locator("#dir-results li").count() == 8
    assert liaison.get_by_label("The directory's CSV files (all eight)").count() == 0

    page = sign_in(browser, web, "Phoebe", "pharmacist")
    page.get_by_role("link", name="Payer directory").click()
    page.get_by_label("Payer id, name or alias").fill("Sandbox Health PPO")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("heading", name="SANDBOX PPO HEALTH PLAN").wait_for()
    policies = page.get_by_role("table", name="Policies")
    assert "J1745" in policies.inner_text() and "pa_policies.json" in policies.inner_text()

    bad = dict(shipped_files())
    bad["routes.csv"] = bad["routes.csv"].replace(b"800-555-0198", b"call us")
    _upload(page, bad)
    problems = page.get_by_role("table", name="Problems")
    problems.wait_for()
    assert "routes.csv" in problems.inner_text() and "is not a number" in problems.inner_text()
    before = page.get_by_role("table", name="Directory versions").locator("tbody tr").count()

    _upload(page, shipped_files())
    page.get_by_text("(current)").first.wait_for()
    rows = page.get_by_role("table", name="Directory versions").locator("tbody tr")
    rows.nth(before).wait_for()
    assert rows.count() == before + 1
    screenshot(page, "directory")
    assert serious_violations(page) == []
    assert page.errors == [] and liaison.errors == []
