"""Samples 38 and 39 (issue 22) through the local stack on their own: a weight written only in
the notes, and labs the notes negate. Each ends in the status the samples' README documents.

Why apart from ``test_intake_run``: that module runs every sample; these two can be checked
alone (``-m stack -k weight_samples``) when only the evidence reading or the weight changed.
"""

from __future__ import annotations

from typing import Any

import pytest

from intake_local import pipeline
from tests.conftest import EVENTS
from tests.e2e.test_intake_run import documented_statuses

pytestmark = pytest.mark.e2e

SAMPLES = ("38-weight-only-in-notes.json", "39-labs-negated-in-notes.json")


@pytest.fixture(scope="module")
def run(local_stack: Any) -> dict[str, dict[str, Any]]:
    files = [EVENTS / "referrals" / name for name in SAMPLES]
    result = pipeline.run(local_stack, files, timeout_s=2 * pipeline.default_timeout(len(files)))
    return {r["file"]: r for r in result.referrals}


def test_weight_samples_end_in_their_documented_status(run: dict[str, dict[str, Any]]) -> None:
    """Given the two samples, when run with the auto-liaison, then each ends where its README
    row says (38: the weight in the notes is used, so nothing waits for a weight; 39: the
    negated labs are asked of the clinic, filed without, certified)."""
    documented = documented_statuses()
    assert {name: run[name]["status"] for name in SAMPLES} == {
        name: documented[name] for name in SAMPLES
    }
    # And 39's missing TB and hepatitis B results were asked of the clinic first
    tasks = [t["type"] for t in run["39-labs-negated-in-notes.json"]["tasks"]]
    assert "records_from_clinic" in tasks
    assert "records_from_clinic" not in [t["type"] for t in run[SAMPLES[0]]["tasks"]]
