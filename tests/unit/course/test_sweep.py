"""The sweep: one check started per due dose, repeated triggers start nothing more, a dose
moved meanwhile keeps its new state, a check stuck past its ship-by date is held."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from intake.course.model import DoseRecord, DoseStatus
from intake.course.sweep import DoseSweep
from intake_local.memory_workflow import MemoryWorkflow
from tests.unit.course.memory import MemoryDoses

NOW = datetime(2027, 1, 28, 13, 5, tzinfo=UTC)


def _dose(referral: str, number: int, check_at: datetime, **fields: Any) -> DoseRecord:
    day = (check_at + timedelta(days=7)).date()
    return DoseRecord(
        referral_id=referral,
        number=number,
        day=day,
        kind="maintenance",
        plan_year=day.year,
        check_at=check_at,
        ship_by=day - timedelta(days=3),
        updated_at=NOW - timedelta(days=30),
        **fields,
    )


def test_given_two_due_of_three_when_swept_twice_then_two_checks_start_once() -> None:
    # Given two doses due (checks at 13:00 today and yesterday) and one due tomorrow
    doses = MemoryDoses(
        [
            _dose("ref-a", 2, NOW - timedelta(minutes=5)),
            _dose("ref-b", 3, NOW - timedelta(days=1)),
            _dose("ref-c", 1, NOW + timedelta(days=1)),
        ]
    )
    runs = MemoryWorkflow()
    # When the sweep runs, and runs again
    first = DoseSweep(doses, runs, clock=lambda: NOW).run()
    second = DoseSweep(doses, runs, clock=lambda: NOW).run()
    # Then the two due checks started once each, named by referral, dose and version
    assert runs.started == ["ref-b-dose-3-1", "ref-a-dose-2-1"]
    assert (first.due, first.started, second.due, second.started) == (2, 2, 0, 0)
    assert doses.items[("ref-a", 2)].status is DoseStatus.CHECKING
    assert doses.items[("ref-c", 1)].status is DoseStatus.SCHEDULED


def test_given_an_execution_already_running_when_swept_then_counted_not_restarted() -> None:
    # Given a check whose execution exists (a sweep that died before marking the dose)
    doses = MemoryDoses([_dose("ref-a", 2, NOW - timedelta(minutes=5))])
    runs = MemoryWorkflow()
    runs.started.append("ref-a-dose-2-1")
    report = DoseSweep(doses, runs, clock=lambda: NOW).run()
    # Then it is "already running", and the dose leaves the due checks
    assert (report.started, report.already_running) == (0, 1)
    assert doses.items[("ref-a", 2)].status is DoseStatus.CHECKING


def test_given_a_check_stuck_past_its_ship_by_date_when_swept_then_it_is_held() -> None:
    # Given a check running since 2027-01-14 for a dose on 2027-01-21 (ship by 01-18)
    stuck = _dose("ref-a", 1, datetime(2027, 1, 14, 13, 0, tzinfo=UTC), status=DoseStatus.CHECKING)
    doses = MemoryDoses([stuck])
    held: list[int] = []
    report = DoseSweep(
        doses, MemoryWorkflow(), clock=lambda: NOW, hold_stale=lambda d: held.append(d.number)
    ).run()
    # Then on 2027-01-28 the sweep hands it to the hold (a task for a person)
    assert (report.stale_held, held) == (1, [1])
