"""The per-file read budget comes from the deployment (``READ_TIME_BUDGET_SECONDS``).

The budget is wall-clock time, as the ingest function's timeout is. In AWS each invocation has
its own CPU, so 50 s reads a 10-page scanned fax several times over; the local stack's
functions share two cores with everything else (a second test suite, say), where the same OCR
can take eight times as long, so it takes the most the 120 s timeout allows.
"""

from __future__ import annotations

import pytest

from intake.core.settings import IngestSettings, SettingsError, load_settings
from intake.referrals.limits import DEFAULT_LIMITS
from intake.wiring import read_limits

REQUIRED = {
    "TABLE_NAME": "t",
    "LIAISON_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:t",
    "INTAKE_BUCKET": "b",
    "STATE_MACHINE_ARN": "arn:aws:states:us-east-1:123456789012:stateMachine:s",
}


def settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> IngestSettings:
    for key, value in {**REQUIRED, **env}.items():
        monkeypatch.setenv(key, value)
    load_settings.cache_clear()  # read once per process: each test is a new one
    try:
        return load_settings(IngestSettings)
    finally:
        load_settings.cache_clear()


def test_the_default_budget_is_the_documented_one(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given no budget set
    monkeypatch.delenv("READ_TIME_BUDGET_SECONDS", raising=False)
    limits = read_limits(settings(monkeypatch).read_time_budget_seconds)
    # Then the limits are the documented defaults: 50 s a file, 30 s (60 %) an OCR page
    assert (limits.total_time_s, limits.ocr_page_timeout_s) == (50.0, 30.0)
    assert limits == DEFAULT_LIMITS


def test_the_local_stack_budget_scales_the_page_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the local stack's 100 s
    limits = read_limits(
        settings(monkeypatch, READ_TIME_BUDGET_SECONDS="100").read_time_budget_seconds
    )
    # Then a file may take 100 s and a page 60 s (100 x 0.6); nothing else changes
    assert (limits.total_time_s, limits.ocr_page_timeout_s) == (100.0, 60.0)
    assert limits.max_ocr_pages == DEFAULT_LIMITS.max_ocr_pages


@pytest.mark.parametrize("value", ["5", "121", "soon"])
def test_a_budget_the_timeout_cannot_hold_is_refused_at_the_first_invocation(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    # When the budget is below 10 s, past the 120 s timeout's margin, or not a number
    # Then the settings name the variable
    with pytest.raises(SettingsError, match="READ_TIME_BUDGET_SECONDS"):
        settings(monkeypatch, READ_TIME_BUDGET_SECONDS=value)
