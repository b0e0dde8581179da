"""The visit service with the table faked: the nurse's call due within two days of the
authorization in hand, the booking plan the state machine queues, completion rules of the
first-visit task, and what follows a documented or missed visit."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from intake.core.errors import InvalidRequest
from intake.models.records import ReferralRecord, TaskRecord, TaskStatus, TaskType, TimelineEvent
from intake.tasks.service import Completion
from intake.visit.model import Visit
from intake.visit.roster import Roster
from intake.visit.service import Visits
from tests.unit.test_workflow_final_status import FakeStore, record

NOW = datetime(2027, 1, 4, 15, 0, tzinfo=UTC)  # a Monday
ROSTER = Path(__file__).parents[3] / "infra/local/intake_local/sandbox/nurse_roster.json"


class Store(FakeStore):
    """The final-status test's store, with a timeline to read the gate from."""

    def __init__(self, referral: ReferralRecord, timeline: list[TimelineEvent]) -> None:
        super().__init__(referral, [])
        self.gate_events = timeline

    def timeline(self, referral_id: str) -> list[TimelineEvent]:
        return self.gate_events


class Table:
    def __init__(self) -> None:
        self.items: dict[str, Visit] = {}

    def roster(self) -> Roster:
        return Roster.model_validate_json(ROSTER.read_text("utf-8"))

    def put_visit(self, visit: Visit) -> bool:
        if visit.visit_id in self.items:
            return False
        self.items[visit.visit_id] = visit
        return True

    def save_visit(self, visit: Visit, *, expect_status: str) -> None:
        self.items[visit.visit_id] = visit

    def get_visit(self, referral_id: str, visit_id: str) -> Visit | None:
        return self.items.get(visit_id)

    def visits_of(self, referral_id: str) -> list[Visit]:
        return list(self.items.values())


def service(
    first: date | None, timeline: list[TimelineEvent] | None = None
) -> tuple[Visits, Store]:
    store = Store(record().model_copy(update={"first_infusion": first}), timeline or [])
    return Visits(store, Table(), clock=lambda: NOW), store  # type: ignore[arg-type]


def test_given_the_gate_passed_yesterday_then_the_nurse_call_is_due_tomorrow() -> None:
    """Given the authorization gate passed at 2027-01-03 15:00, when the nurse's call is
    queued on 2027-01-04, then it is due 2 days after the gate (2027-01-05 15:00), not 2 days
    from now: "within a couple of days" of the authorization in hand."""
    gate = TimelineEvent(
        at=NOW - timedelta(days=1), event="authorization_gate", detail={"gate": "passed"}
    )
    visits, _ = service(None, [gate])
    assert visits.nurse_call_due("r") == NOW + timedelta(days=1)


def test_given_no_gate_event_then_two_days_from_now() -> None:
    visits, _ = service(None)
    assert visits.nurse_call_due("r") == NOW + timedelta(days=2)


def test_given_a_booked_monday_then_the_plan_names_the_nurse_and_the_ship_by_day() -> None:
    """Given the call booked Monday 2027-01-11 for an English speaker in 60613, then the plan
    books rn-okafor 08:00-16:00, ships by 2027-01-08 (3 days ahead), is due the end of the day
    after the visit, and the timeline and the referral say so."""
    visits, store = service(date(2027, 1, 11))
    plan = visits.book_first("r", 1)
    assert plan["details"]["nurse_id"] == "rn-okafor"
    assert plan["details"]["ship_by"] == "2027-01-08"
    assert plan["due_at"] == "2027-01-13T00:00:00+00:00"
    assert store.events == ["first_visit_scheduled"]
    assert store.record_.first_visit == "booked"
    assert visits.book_first("r", 1) == plan  # a repeated step books nothing new
    assert store.events == ["first_visit_scheduled"]


def test_given_no_date_then_the_visit_is_not_booked_and_says_why() -> None:
    visits, _ = service(None)
    details = visits.book_first("r", 1)["details"]
    assert details["booked"] is False and "no date" in details["not_booked"]


def first_visit_task(visit_id: str) -> TaskRecord:
    return TaskRecord(
        task_id="r.first_visit.1",
        referral_id="r",
        task_type=TaskType.FIRST_VISIT,
        status=TaskStatus.CLAIMED,
        reason="r",
        due_at=NOW,
        created_at=NOW,
        details={"visit_id": visit_id},
    )


def test_given_no_record_when_completed_documented_then_refused() -> None:
    """'documented' without the record kept first is refused (the API documents first)."""
    visits, _ = service(date(2027, 1, 11))
    plan = visits.book_first("r", 1)
    task = first_visit_task(plan["visit_id"])
    with pytest.raises(InvalidRequest, match="document the visit first"):
        visits.completion_check(task, Completion(outcome="documented", liaison="n"))


def test_given_a_missed_visit_then_it_is_marked_and_the_call_is_queued_again() -> None:
    """Given the visit missed, then the visit and the referral say so, and the next step is
    the nurse's call of round 2, due within two days."""
    visits, store = service(date(2027, 1, 11))
    plan = visits.book_first("r", 1)
    mark = visits.completion_check(
        first_visit_task(plan["visit_id"]), Completion(outcome="missed", liaison="n")
    )
    assert mark is not None
    mark()
    assert store.record_.first_visit == "missed"
    nxt = visits.after_first_visit("r", 1, "missed")
    assert (nxt["next"], nxt["round"], nxt["due_at"]) == (
        "rebook",
        2,
        (NOW + timedelta(days=2)).isoformat(),
    )
    assert visits.after_first_visit("r", 2, "documented") == {"next": "done"}


def test_the_sample_roster_file_is_json_the_pharmacy_can_edit() -> None:
    assert json.loads(ROSTER.read_text("utf-8"))["nurses"]
