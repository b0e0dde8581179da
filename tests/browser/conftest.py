"""Headless Chromium (Debian's, installed by `make setup`) driven by Playwright, against the
web app the session's local stack serves; axe-core (npm ci in this folder) for accessibility."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PROJECT_ROOT

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = PROJECT_ROOT / "build" / "screenshots"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: run `make setup` (apt chromium)"
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


def sign_in(
    browser: Any, web_url: str, name: str, role: str = "liaison", *, axe: bool = True
) -> Any:
    """A new browser context (its own session storage) signed in as ``name`` with ``role``
    (the local sign-in picks one) on the board. ``axe``: the page may run axe-core, which
    Playwright injects as an inline script; the app's Content-Security-Policy refuses inline
    script, so such a context bypasses it (tests of the policy itself pass ``axe=False``)."""
    context = browser.new_context(
        viewport={"width": 1360, "height": 860}, locale="en-US", bypass_csp=axe
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    page.goto(web_url)
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Role").select_option(role)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Access log" if role == "compliance" else "Tasks").wait_for()
    return page


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def serious_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical findings on the page as it is now (WCAG 2.1 A/AA)."""
    assert AXE.is_file(), f"{AXE} is missing: run `make setup` (npm ci in tests/browser)"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', "
        "'best-practice']})"
    )
    found = [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    if found:
        print(json.dumps(found, indent=2))
    return found
