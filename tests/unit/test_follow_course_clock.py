"""`intake run --follow-course`: the local clock never runs ahead of the checks.

A pre-dose check starts a week before the dose and is held at its ship-by date, four days
later. On a loaded machine a check can take minutes of wall time; if the run moved the clock
on days when nothing new fell due, those four days passed in seconds and the sweep's backstop
held doses whose checks were merely slow (seen at the January 1 rollover, where every course
re-verifies in the same sweep).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from intake_local import course_follow
from intake_local.pipeline import RunResult


@dataclass
class FakeStack:
    """The clock and the sweep of a stack where one check takes ``check_rounds`` looks."""

    check_rounds: int
    now_at: datetime = datetime(2026, 12, 28, 13, tzinfo=UTC)
    outputs: Any = field(default_factory=lambda: SimpleNamespace(api_url="http://local"))
    looks: int = 0
    looks_when_moved: list[int] = field(default_factory=list)
    status_when_moved: list[str] = field(default_factory=list)

    def now(self) -> datetime:
        return self.now_at

    def move_clock(self, by: timedelta) -> datetime:
        self.status_when_moved.append(self.status())
        self.now_at += by
        return self.now_at

    def sweep_doses(self) -> dict[str, int]:
        # The check falls due on the first day only; every later sweep finds nothing due.
        return {"due": 1 if self.now_at.date() == datetime(2026, 12, 29).date() else 0}

    def status(self) -> str:
        return "checking" if 0 < self.looks < self.check_rounds + 1 else "cleared"

    def doses(self) -> list[dict[str, Any]]:
        if self.now_at.date() >= datetime(2026, 12, 29).date():
            self.looks += 1
        return [
            {
                "number": 2,
                "version": 1,
                "day": "2027-01-05",
                "kind": "maintenance",
                "status": self.status(),
                "ship_by": "2027-01-02",
                "check": {},
                "tasks": [],
            }
        ]


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeStack:
    stack = FakeStack(check_rounds=8)
    api = SimpleNamespace(referral=lambda rid: {"benefits": None, "estimate": None})
    monkeypatch.setattr(course_follow, "LiaisonClient", lambda url: api)
    monkeypatch.setattr(course_follow, "doses_of", lambda api, rid: stack.doses())
    monkeypatch.setattr(course_follow, "work_tasks", lambda *a, **k: None)
    monkeypatch.setattr(course_follow, "POLL_S", 0.0)
    return stack


def test_the_clock_waits_for_a_slow_check_on_days_nothing_new_falls_due(
    fake: FakeStack,
) -> None:
    # Given one course whose dose-2 check falls due on day +1 and runs for 8 looks
    result = RunResult(referrals=[{"referral_id": "ref-1", "file": "33.json"}])
    lines: list[str] = []

    # When the run follows the course for 6 days
    checks = course_follow.follow_course(fake, result, 6, auto_liaison=False, out=lines.append)  # type: ignore[arg-type]

    # Then the clock moved only once the check had ended: at no move was it still checking
    assert fake.status_when_moved == ["cleared"] * 6
    # And the check is reported once, cleared, on the day it fell due (+1), not held days later
    assert [(c["follow_day"], c["status"]) for c in checks] == [(1, "cleared")]
    assert not any("still running" in line for line in lines)


def test_a_check_past_the_bound_is_reported_and_still_watched_the_next_day(
    fake: FakeStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a bound that lets one day watch the check only briefly
    monkeypatch.setattr(course_follow, "CHECK_WAIT_S", -1.0)
    result = RunResult(referrals=[{"referral_id": "ref-1", "file": "33.json"}])
    lines: list[str] = []

    # When the run follows the course for 12 days (one look per day: the bound is spent)
    checks = course_follow.follow_course(fake, result, 12, auto_liaison=False, out=lines.append)  # type: ignore[arg-type]

    # Then each day it was still running says so, and the check is reported when it ends
    assert any(line.startswith("  day +1: 1 checks still running") for line in lines)
    assert [c["status"] for c in checks] == ["cleared"]
    assert checks[0]["follow_day"] > 1
