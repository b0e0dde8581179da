"""Nothing ships for a held therapy: a hold, end or move cancels the open delivery, check-in
and hold tasks of the doses it touches in the same write as the dose; the dose check writes a
dose and its task together and reads again when it loses a race; a delivery task refuses to
complete once its dose is no longer cleared."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from intake.core.errors import Conflict
from intake.core.ids import task_id_for
from intake.course.delivery import DeliveryCompletion
from intake.course.dose_check import DoseCheck, DoseCheckRequest
from intake.course.model import DoseRecord, DoseStatus
from intake.course.service import Course
from intake.models.records import TaskStatus, TaskType
from intake.tasks.service import CallRequest, Completion, TaskService
from tests.unit.course.memory import MemoryDoses, MemoryNotifier, MemoryTasks

REF = "ref-0123456789abcdef0123"
NOW = datetime(2027, 3, 1, 15, 0, tzinfo=UTC)


def _dose(number: int, day: date, status: DoseStatus, version: int = 1) -> DoseRecord:
    return DoseRecord(
        referral_id=REF,
        number=number,
        day=day,
        kind="maintenance",
        plan_year=day.year,
        status=status,
        version=version,
        check_at=datetime.combine(day - timedelta(days=7), datetime.min.time(), tzinfo=UTC),
        ship_by=day - timedelta(days=3),
        updated_at=NOW - timedelta(days=1),
    )


def _world(*doses: DoseRecord) -> tuple[MemoryTasks, MemoryDoses, TaskService, MemoryNotifier]:
    tasks = MemoryTasks()
    notifier = MemoryNotifier()
    service = TaskService(tasks, notifier, clock=lambda: NOW)  # type: ignore[arg-type]
    return tasks, MemoryDoses(list(doses), tasks), service, notifier


def _course(tasks: MemoryTasks, doses: MemoryDoses, notifier: MemoryNotifier) -> Course:
    return Course(tasks, doses, clock=lambda: NOW, notifier=lambda: notifier)  # type: ignore[arg-type]


def _delivery(service: TaskService, dose: DoseRecord) -> str:
    task = service.open_review_task(
        REF,
        TaskType.DOSE_DELIVERY,
        NOW + timedelta(days=1),
        {"dose": dose.number, "day": dose.day.isoformat(), "ship_by": dose.ship_by},
        round_=100 * dose.number + dose.version,
    )
    return task.task_id


def _checkin(service: TaskService, dose: DoseRecord) -> str:
    task = service.open_from_workflow(
        CallRequest(
            task_token="token-1",
            referral_id=REF,
            task_type=TaskType.DOSE_CHECKIN_CALL,
            round=100 * dose.number + dose.version,
            due_at=NOW + timedelta(days=2),
            details={
                "dose": dose.number,
                "day": dose.day,
                "kind": dose.kind,
                "language": "en",
                "questions": ["Any side effects?"],
            },
        )
    )
    return task.task_id


def test_given_a_cleared_dose_and_one_being_checked_when_held_then_their_tasks_are_cancelled() -> (
    None
):
    """A liaison holds a therapy mid-course (a pharmacist's call): the cleared dose must not
    ship and the patient must not get a check-in call for a dose that will not be given."""
    # Given dose 2 cleared with an open delivery task and dose 3 being checked, its check-in
    # call open (claimed by a liaison), and dose 1 given last week
    given = _dose(1, date(2027, 2, 22), DoseStatus.CLEARED)
    cleared = _dose(2, date(2027, 3, 8), DoseStatus.CLEARED)
    checking = _dose(3, date(2027, 3, 22), DoseStatus.CHECKING)
    tasks, doses, service, notifier = _world(given, cleared, checking)
    past_delivery = _delivery(service, given)
    delivery = _delivery(service, cleared)
    checkin = _checkin(service, checking)
    service.claim(checkin, "ana")

    # When the course is held
    changed = _course(tasks, doses, notifier).hold(REF, "pharmacist: hold for labs", by="ana")

    # Then doses 2 and 3 are held, and both of their tasks are cancelled with the reason
    assert [(d.number, d.status) for d in changed] == [
        (2, DoseStatus.HELD),
        (3, DoseStatus.HELD),
    ]
    for task_id in (delivery, checkin):
        task = tasks.tasks[task_id]
        assert task.status is TaskStatus.CANCELLED
        assert task.cancel_reason == "therapy held by ana: pharmacist: hold for labs"
        assert task.task_token is None
    # And dose 1 (in the past) and its delivery are left as they were
    assert doses.get(REF, 1) == given
    assert tasks.tasks[past_delivery].status is TaskStatus.OPEN
    # And each cancellation is on the timeline and sent to the liaisons
    cancelled = [e.detail["task_id"] for e in tasks.events if e.event == "task_cancelled"]
    assert sorted(cancelled) == sorted([delivery, checkin])
    assert sorted(m["task_id"] for _, m in notifier.sent if m["kind"] == "task_cancelled") == (
        sorted([delivery, checkin])
    )


def test_given_a_dose_held_by_its_check_when_the_therapy_ends_then_it_ends_and_its_task_closes() -> (
    None
):
    """A dose held by its check must not come back on a later resume once the therapy ended,
    and nobody should keep working its hold task."""
    # Given dose 2 held by its check with an open hold task
    dose = _dose(2, date(2027, 3, 8), DoseStatus.HELD)
    tasks, doses, service, notifier = _world(dose)
    hold = service.open_review_task(
        REF, TaskType.DOSE_HOLD, NOW, {"dose": 2, "why": "coverage inactive"}, round_=201
    ).task_id

    # When the therapy ends (discontinued)
    _course(tasks, doses, notifier).end(REF, "discontinued", by="ana")

    # Then the dose is ended and the hold task cancelled
    assert doses.get(REF, 2).status is DoseStatus.ENDED  # type: ignore[union-attr]
    assert tasks.tasks[hold].status is TaskStatus.CANCELLED
    # And a resume brings nothing back
    assert _course(tasks, doses, notifier).resume(REF, by="ana") == []


def test_given_a_cleared_dose_when_moved_then_its_delivery_is_cancelled_and_it_is_checked_again() -> (
    None
):
    """A dose moved to another day ships on the new day's clearance, not the old one's."""
    # Given dose 2 cleared for March 8 (version 1) with its delivery task
    dose = _dose(2, date(2027, 3, 8), DoseStatus.CLEARED)
    tasks, doses, service, notifier = _world(dose)
    delivery = _delivery(service, dose)

    # When it is moved to March 15
    new = _course(tasks, doses, notifier).move(REF, 2, date(2027, 3, 15), by="ana")

    # Then it is version 2, scheduled, its check due 7 days before (March 8, 13:00 UTC)
    assert (new.version, new.status, new.check_at) == (
        2,
        DoseStatus.SCHEDULED,
        datetime(2027, 3, 8, 13, 0, tzinfo=UTC),
    )
    # And the old delivery task is cancelled, naming the move
    assert tasks.tasks[delivery].status is TaskStatus.CANCELLED
    assert tasks.tasks[delivery].cancel_reason == "dose 2 moved to 2027-03-15 by ana"


def test_given_a_delivery_completed_during_the_hold_when_held_then_retried_and_the_dose_held() -> (
    None
):
    """A hold whose transaction loses to a liaison completing the delivery (the drug left) is
    read again and retried: the dose is held, the completed task stays completed."""
    # Given dose 2 cleared with its delivery open
    dose = _dose(2, date(2027, 3, 8), DoseStatus.CLEARED)
    tasks, doses, service, notifier = _world(dose)
    delivery = _delivery(service, dose)
    service.on_complete[TaskType.DOSE_DELIVERY] = DeliveryCompletion(lambda: doses)
    # And the liaison completes the delivery just before the hold's write
    doses.before_write.append(
        lambda: service.complete(delivery, Completion(outcome="resolved", liaison="bo"))
    )

    # When the course is held
    changed = _course(tasks, doses, notifier).hold(REF, "hospitalized", by="ana")

    # Then the first write lost (the task closed), the retry held the dose
    assert [d.status for d in changed] == [DoseStatus.HELD]
    assert tasks.tasks[delivery].status is TaskStatus.COMPLETED
    assert not [e for e in tasks.events if e.event == "task_cancelled"]


def _check(tasks: MemoryTasks, doses: MemoryDoses, service: TaskService) -> DoseCheck:
    def unused() -> Any:
        raise AssertionError("conclude checks no benefits")

    return DoseCheck(tasks, doses, service, unused, unused, clock=lambda: NOW)  # type: ignore[arg-type]


def test_given_a_hold_between_read_and_write_when_the_check_concludes_then_no_delivery_task() -> (
    None
):
    """The patient said yes on the check-in call, but a liaison held the therapy a moment
    before the check wrote its clearance: the check must not open a delivery task."""
    # Given dose 3 being checked (version 1)
    dose = _dose(3, date(2027, 3, 22), DoseStatus.CHECKING)
    tasks, doses, service, notifier = _world(dose)
    # And the course is held just before the check's write
    doses.before_write.append(lambda: _course(tasks, doses, notifier).hold(REF, "labs", by="ana"))

    # When the check concludes with the patient reached
    result = _check(tasks, doses, service).run(
        DoseCheckRequest(
            action="conclude", referral_id=REF, dose=3, version=1, result={"outcome": "reached"}
        )
    )

    # Then the check stops as superseded, the dose stays held, and no delivery task exists
    assert result == {"next": "stop", "why": "superseded"}
    assert doses.get(REF, 3).status is DoseStatus.HELD  # type: ignore[union-attr]
    assert task_id_for(REF, TaskType.DOSE_DELIVERY, 301) not in tasks.tasks
    superseded = [e for e in tasks.events if e.event == "dose_check_superseded"]
    assert [e.detail["status"] for e in superseded] == ["held"]


def test_given_the_sweep_marks_the_dose_checking_meanwhile_when_concluding_then_retried() -> None:
    """A lost race that changed nothing that matters (the sweep marking the dose ``checking``)
    is read again and redone: the dose is cleared with its delivery task, never skipped."""
    # Given dose 3 scheduled (version 1) and the sweep writing ``checking`` just before the
    # check's first write
    dose = _dose(3, date(2027, 3, 22), DoseStatus.SCHEDULED)
    tasks, doses, service, _ = _world(dose)
    checking = dose.model_copy(update={"status": DoseStatus.CHECKING})
    doses.before_write.append(lambda: doses.save(checking, expect_version=1))

    # When the check concludes with the patient reached
    result = _check(tasks, doses, service).run(
        DoseCheckRequest(
            action="conclude", referral_id=REF, dose=3, version=1, result={"outcome": "reached"}
        )
    )

    # Then the dose is cleared and its delivery task (round 3 * 100 + 1 = 301) is open
    delivery = task_id_for(REF, TaskType.DOSE_DELIVERY, 301)
    assert result == {"status": "cleared", "delivery_task": delivery}
    cleared = doses.get(REF, 3)
    assert cleared is not None and cleared.status is DoseStatus.CLEARED
    assert cleared.tasks == [delivery]
    assert tasks.tasks[delivery].status is TaskStatus.OPEN


def test_given_a_hold_when_a_check_holds_the_dose_then_the_hold_and_its_task_are_one_write() -> (
    None
):
    """A check that holds a dose (patient declined) writes the hold task with the hold; a
    course hold that won first makes it stop, leaving no orphan hold task."""
    # Given dose 3 being checked and a course hold winning just before the check's write
    dose = _dose(3, date(2027, 3, 22), DoseStatus.CHECKING)
    tasks, doses, service, notifier = _world(dose)
    doses.before_write.append(lambda: _course(tasks, doses, notifier).hold(REF, "labs", by="ana"))

    # When the check concludes with the patient declining
    _check(tasks, doses, service).run(
        DoseCheckRequest(
            action="conclude", referral_id=REF, dose=3, version=1, result={"outcome": "declined"}
        )
    )

    # Then the course's hold reason stands and no hold task of the check exists
    held = doses.get(REF, 3)
    assert held is not None and held.hold_reason == "labs"
    assert task_id_for(REF, TaskType.DOSE_HOLD, 301) not in tasks.tasks


@pytest.mark.parametrize(
    ("status", "version", "refused"),
    [
        (DoseStatus.CLEARED, 1, False),
        (DoseStatus.HELD, 1, True),
        (DoseStatus.ENDED, 1, True),
        (DoseStatus.SCHEDULED, 2, True),  # moved: the version-1 clearance is spent
    ],
)
def test_given_a_delivery_task_when_completed_then_its_dose_must_still_be_cleared(
    status: DoseStatus, version: int, refused: bool
) -> None:
    """The last guard at the liaison's hand: "shipped" is refused for a dose that is no
    longer cleared at the version the task was opened for."""
    # Given a delivery task opened for dose 2 version 1, and the dose now in ``status``
    opened = _dose(2, date(2027, 3, 8), DoseStatus.CLEARED)
    tasks, doses, service, _ = _world(opened)
    delivery = _delivery(service, opened)
    doses.items[(REF, 2)] = opened.model_copy(update={"status": status, "version": version})
    service.on_complete[TaskType.DOSE_DELIVERY] = DeliveryCompletion(lambda: doses)

    # When the liaison completes it
    def complete() -> TaskStatus:
        return service.complete(delivery, Completion(outcome="resolved", liaison="bo")).status

    # Then it is refused (the task stays open) unless the dose is still cleared
    if refused:
        with pytest.raises(Conflict, match="no longer cleared"):
            complete()
        assert tasks.tasks[delivery].status is TaskStatus.OPEN
    else:
        assert complete() is TaskStatus.COMPLETED
