"""Samples 40 and 41 through ``intake run`` on the local stack, each ending in the status the
samples README documents for it (the last backticked word of its row).

They are the 271 read as its guide defines it: 40, a member enrolled mid plan year (DTP 356)
whose remaining amounts the payer keeps; 41, an HMO copay per day (EB06 7) on the per diem and
per visit (EB06 27) on nursing. The whole-suite run (``test_intake_run``) covers them too; this
module runs only them, for a quick ``-m stack -k x12_samples``.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from intake_local import pipeline
from tests.conftest import EVENTS

pytestmark = pytest.mark.e2e

SAMPLES = ("40-mid-year-enrolment.json", "41-hmo-per-day-copay.json")


def documented_status(name: str) -> str:
    """The end status the README's row for ``name`` gives (its last `backticked` word)."""
    readme = (EVENTS / "referrals" / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith(f"| {name} |"))
    return re.findall(r"`([a-z_]+)`", row)[-1]


@pytest.fixture(scope="module")
def run(local_stack: Any) -> dict[str, dict[str, Any]]:
    files = [EVENTS / "referrals" / name for name in SAMPLES]
    result = pipeline.run(local_stack, files, timeout_s=2 * pipeline.default_timeout(len(files)))
    return {r["file"]: r for r in result.referrals}


def test_each_sample_ends_in_its_documented_status(run: dict[str, dict[str, Any]]) -> None:
    """Given samples 40 and 41 uploaded, when the pipeline has worked them, then each ends in
    the status its README row documents (so the table and the system cannot drift apart)."""
    assert {name: run[name]["status"] for name in SAMPLES} == {
        name: documented_status(name) for name in SAMPLES
    }


def test_the_per_day_copay_is_charged_per_per_diem_day(run: dict[str, dict[str, Any]]) -> None:
    """Given the HMO's $15 per day (EB06 7) and $25 per visit (EB06 27), when the 14-day
    ertapenem course is estimated, then 14 x 15 + 2 x 25 = 260 (a first and a weekly visit),
    at high confidence: never the visit copay on each of the 14 days (14 x 25 = 350)."""
    estimate = run["41-hmo-per-day-copay.json"]["estimate"]
    assert Decimal(str(estimate["course_patient"])) == Decimal(14 * 15 + 2 * 25)
    assert estimate["confidence"] == "high"
