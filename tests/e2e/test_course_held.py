"""``intake run --follow-course 200`` with sample 46: a liaison (pharmacist) holds a therapy
mid-course, and nothing is left to ship for the held doses (issue 24, item 1)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from intake_local import pipeline
from intake_local.course_follow import follow_course
from tests.conftest import EVENTS

pytestmark = pytest.mark.e2e

SAMPLE = "46-course-held-mid-course.json"
WORKED = {"open", "claimed"}


def documented_status(sample: str) -> str:
    """The end status the samples' README documents for ``sample`` ("… ends `status`")."""
    rows = (EVENTS / "referrals" / "README.md").read_text("utf-8").splitlines()
    row = next(line for line in rows if line.startswith(f"| {sample} "))
    found = re.search(r"ends `(\w+)`", row)
    assert found is not None, f"the README row of {sample} names no end status"
    return found[1]


@pytest.fixture(scope="module")
def followed(local_stack: Any) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Sample 46 run to the end, then its course followed 200 days with the auto-liaison (the
    clock is put back after, for the other stack tests)."""
    before = local_stack.clock_offset()
    files = [EVENTS / "referrals" / SAMPLE]
    result = pipeline.run(local_stack, files, timeout_s=2 * pipeline.default_timeout(1))
    names = {r["referral_id"]: r["file"] for r in result.referrals if r.get("referral_id")}
    scripts = pipeline.LiaisonScripts.load(files[0].parent, names)
    try:
        checks = follow_course(local_stack, result, 200, scripts, out=lambda _line: None)
        yield result.referrals[0], checks
    finally:
        local_stack.move_clock(before - local_stack.clock_offset())


def test_a_therapy_held_mid_course_leaves_no_delivery_for_the_held_doses(
    followed: tuple[dict[str, Any], list[dict[str, Any]]],
) -> None:
    """Given monthly IVIG whose dose 2 is cleared and about to ship, when the pharmacist holds
    the therapy, then dose 2's delivery task is cancelled, doses 2 onward are held, and no held
    dose has an open delivery, check-in or hold task; dose 1 shipped before the hold."""
    referral, checks = followed
    assert referral["status"] == documented_status(SAMPLE)
    course = referral["course"]
    assert len(course) >= 3, course  # every 4 weeks for 6 months
    first, second = course[0], course[1]
    assert first["status"] == "cleared"
    assert [t["status"] for t in first["tasks"] if t["type"] == "dose_delivery"] == ["completed"]
    held = [d for d in course if d["status"] == "held"]
    assert [d["number"] for d in held] == [d["number"] for d in course[1:]]
    assert [t["status"] for t in second["tasks"] if t["type"] == "dose_delivery"] == ["cancelled"]
    left_open = [
        (d["number"], t["type"])
        for d in held
        for t in d["tasks"]
        if t["type"] in ("dose_delivery", "dose_checkin_call", "dose_hold")
        and t["status"] in WORKED
    ]
    assert left_open == []
    # And every held dose says why: the pharmacist's hold, not a check's
    assert {d["hold_reason"] for d in held} == {
        "pharmacist hold: the pre-infusion labs need the prescriber's review"
    }
    # And only doses 1 and 2 were ever cleared by a check
    assert sorted({c["number"] for c in checks if c["status"] == "cleared"}) == [1, 2]
