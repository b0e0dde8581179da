"""The dose and its tasks in one ``TransactWriteItems`` against the table built from the
template (moto): a hold cancels the tasks with the dose, a lost condition writes nothing, a
task already stored is kept and the dose still written."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from intake.adapters.dynamodb_doses import DynamoDbDoses
from intake.adapters.dynamodb_store import DynamoDbStore
from intake.core.errors import Conflict
from intake.course.model import DoseRecord, DoseStatus
from intake.course.ports import TaskCancel
from intake.models.records import TaskRecord, TaskStatus, TaskType
from tests.integration.conftest import IntakeResources

REF = "ref-00112233445566778899"
NOW = datetime(2027, 3, 1, 15, 0, tzinfo=UTC)


def _dose(status: DoseStatus = DoseStatus.CLEARED) -> DoseRecord:
    day = date(2027, 3, 8)
    return DoseRecord(
        referral_id=REF,
        number=2,
        day=day,
        kind="maintenance",
        plan_year=2027,
        status=status,
        check_at=NOW - timedelta(days=1),
        ship_by=day - timedelta(days=3),
        updated_at=NOW,
    )


def _task(kind: TaskType, round_: int) -> TaskRecord:
    return TaskRecord(
        task_id=f"{REF}.{kind.value}.{round_}",
        referral_id=REF,
        task_type=kind,
        status=TaskStatus.OPEN,
        reason="test",
        due_at=NOW + timedelta(days=1),
        created_at=NOW,
        details={"dose": 2, "day": "2027-03-08", "why": "test"}
        if kind is TaskType.DOSE_HOLD
        else {"dose": 2, "day": "2027-03-08"},
    )


@pytest.fixture
def tables(resources: IntakeResources) -> tuple[DynamoDbStore, DynamoDbDoses]:
    return DynamoDbStore(resources.table_name), DynamoDbDoses(resources.table_name)


def _cleared_with_delivery(
    store: DynamoDbStore, doses: DynamoDbDoses
) -> tuple[DoseRecord, TaskRecord]:
    dose = _dose()
    doses.put_if_new(dose)
    delivery = _task(TaskType.DOSE_DELIVERY, 201)
    store.put_task_if_new(delivery)
    return dose, delivery


def _hold(doses: DynamoDbDoses, dose: DoseRecord, task: TaskRecord, why: str) -> None:
    held = dose.model_copy(update={"status": DoseStatus.HELD, "hold_reason": why})
    doses.save_with_tasks(
        held,
        expect_version=1,
        expect_status="cleared",
        cancel=[TaskCancel(task.task_id, why, NOW)],
    )


def test_given_a_cleared_dose_when_held_with_its_delivery_then_both_change_in_one_write(
    tables: tuple[DynamoDbStore, DynamoDbDoses],
) -> None:
    """The hold and the cancellation of the delivery task are one transaction."""
    # Given dose 2 cleared and its delivery task open on the work queue
    store, doses = tables
    dose, delivery = _cleared_with_delivery(store, doses)

    # When the dose is held with the delivery cancelled
    _hold(doses, dose, delivery, "therapy held")

    # Then the dose is held, the task cancelled with the reason and off the work queue
    assert doses.get(REF, 2).status is DoseStatus.HELD  # type: ignore[union-attr]
    task = store.get_task(delivery.task_id)
    assert task is not None and task.status is TaskStatus.CANCELLED
    assert task.cancel_reason == "therapy held"
    assert store.open_tasks("open") == []


def test_given_a_completed_task_when_a_hold_would_cancel_it_then_nothing_is_written(
    tables: tuple[DynamoDbStore, DynamoDbDoses],
) -> None:
    """All or nothing: a task closed meanwhile makes the whole write lose (Conflict)."""
    # Given dose 2 cleared and its delivery task already completed
    store, doses = tables
    dose, delivery = _cleared_with_delivery(store, doses)
    store.update_task(delivery.task_id, {"status": "completed"}, remove_from_work_queue=True)

    # When a hold tries to cancel it
    with pytest.raises(Conflict):
        _hold(doses, dose, delivery, "held")

    # Then the dose is still cleared
    assert doses.get(REF, 2).status is DoseStatus.CLEARED  # type: ignore[union-attr]


def test_given_a_dose_changed_meanwhile_when_the_check_writes_with_its_task_then_neither_lands(
    tables: tuple[DynamoDbStore, DynamoDbDoses],
) -> None:
    """A check's clearance and its delivery task lose together to a hold."""
    # Given dose 2 held (the check read it while it was checking)
    store, doses = tables
    doses.put_if_new(_dose(DoseStatus.HELD))

    # When the check writes it cleared with a delivery task, expecting ``checking``
    delivery = _task(TaskType.DOSE_DELIVERY, 201)
    with pytest.raises(Conflict):
        doses.save_with_tasks(
            _dose(DoseStatus.CLEARED),
            expect_version=1,
            expect_status="checking",
            new_tasks=[delivery],
        )

    # Then no delivery task exists
    assert store.get_task(delivery.task_id) is None


def test_given_the_task_already_stored_when_written_again_then_the_dose_lands_and_it_is_kept(
    tables: tuple[DynamoDbStore, DynamoDbDoses],
) -> None:
    """A repeated step (its Lambda retried) finds its task stored: the dose is still written,
    the stored task is not replaced, and it is not reported as created."""
    # Given dose 2 checking and its hold task already stored (claimed by a liaison)
    store, doses = tables
    doses.put_if_new(_dose(DoseStatus.CHECKING))
    hold = _task(TaskType.DOSE_HOLD, 201)
    store.put_task_if_new(hold)
    store.update_task(hold.task_id, {"status": "claimed", "claimed_by": "ana"})

    # When the hold is written with the same task
    created = doses.save_with_tasks(
        _dose(DoseStatus.HELD), expect_version=1, expect_status="checking", new_tasks=[hold]
    )

    # Then nothing new was created, the dose is held, the task still claimed
    assert created == []
    assert doses.get(REF, 2).status is DoseStatus.HELD  # type: ignore[union-attr]
    assert store.get_task(hold.task_id).claimed_by == "ana"  # type: ignore[union-attr]
