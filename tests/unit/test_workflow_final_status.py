"""The final status of a referral comes from what was recorded, and only from the documented
set; a contradiction (a scheduling call without a passed authorization gate) fails loudly."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from intake.models.benefits import BenefitsSummary, CoverageStatus, Party, StoredBenefits
from intake.models.records import (
    FINAL_STATUSES,
    ReferralRecord,
    ReferralStatus,
    SourceDocument,
    TaskRecord,
    TaskStatus,
    TaskType,
)
from intake.models.referral import Referral
from intake.workflow.steps import Conclude, Started, WorkflowInconsistent, WorkflowSteps
from tests.conftest import EVENTS

NOW = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)


class FakeStore:
    def __init__(self, record: ReferralRecord, tasks: list[TaskRecord]) -> None:
        self.record_ = record
        self.tasks = tasks
        self.events: list[str] = []

    def get_referral(self, referral_id: str) -> ReferralRecord:
        return self.record_

    def tasks_of(self, referral_id: str) -> list[TaskRecord]:
        return self.tasks

    def update_referral(self, referral_id: str, **fields: Any) -> None:
        self.record_ = self.record_.model_copy(update=fields)

    def record(self, referral_id: str, event: str, **detail: Any) -> None:
        self.events.append(event)


def record(prior_auth: dict[str, Any] | None = None, received: datetime = NOW) -> ReferralRecord:
    data = json.loads((EVENTS / "referrals" / "01-ppo-deductible-coinsurance.json").read_text())
    return ReferralRecord(
        referral_id="ref-0123456789abcdef0123",
        status=ReferralStatus.IN_PROGRESS,
        stage="workflow",
        referral=Referral.model_validate(data),
        source=SourceDocument(bucket="b", key="k", size=1, sha256="0" * 64),
        uploaded_at=received,
        created_at=received,
        updated_at=received,
        benefits=StoredBenefits(
            answer=BenefitsSummary(status=CoverageStatus.ACTIVE, payer=Party(id="SBX01")),
            outcome="verified",
            headline="plan active",
            checked_at=received,
        ),
        prior_auth=prior_auth,
    )


DETAILS: dict[TaskType, dict[str, object]] = {
    TaskType.CONFIRM_ORDER: {"order_date": "2026-01-02", "age_days": 120, "reason": "old"},
}
"""What the writers give the task types whose details have required fields."""


def task(kind: TaskType, outcome: str | None) -> TaskRecord:
    return TaskRecord(
        task_id=f"ref-0123456789abcdef0123.{kind.value}.1",
        referral_id="ref-0123456789abcdef0123",
        task_type=kind,
        status=TaskStatus.COMPLETED if outcome else TaskStatus.OPEN,
        reason="r",
        due_at=NOW,
        created_at=NOW,
        details=DETAILS.get(kind, {}),
        outcome=outcome,
    )


def steps(store: FakeStore) -> WorkflowSteps:
    return WorkflowSteps(
        store=store,  # type: ignore[arg-type]
        tasks=None,  # type: ignore[arg-type]
        welcome_call_sla=timedelta(hours=48),
        escalation_repeat=timedelta(hours=4),
        clock=lambda: NOW,
    )


def conclude(store: FakeStore) -> str:
    return str(steps(store).run(Conclude(action="conclude", referral_id="r"))["status"])


REACHED_ALL = [
    task(TaskType.WELCOME_CALL, "reached"),
    task(TaskType.COST_AND_OPTIONS_CALL, "reached"),
    task(TaskType.SCHEDULING_CALL, "reached"),
]


@pytest.mark.parametrize(
    ("gate", "tasks", "expected"),
    [
        ("passed", REACHED_ALL, "scheduled"),
        ("self_pay", REACHED_ALL, "self_pay"),
        ("declined", [task(TaskType.WELCOME_CALL, "reached")], "closed_declined"),
        (None, [task(TaskType.WELCOME_CALL, "declined")], "closed_declined"),
        (None, [task(TaskType.WELCOME_CALL, "unreachable")], "closed_unreachable"),
        (None, [task(TaskType.CONFIRM_ORDER, "rejected")], "closed_order_not_current"),
    ],
)
def test_each_path_ends_in_its_documented_status(
    gate: str | None, tasks: list[TaskRecord], expected: str
) -> None:
    store = FakeStore(record({"gate": gate} if gate else None), tasks)
    assert conclude(store) == expected
    assert ReferralStatus(expected) in FINAL_STATUSES
    assert store.record_.status == ReferralStatus(expected)


@pytest.mark.parametrize("gate", [None, "waiting"])
def test_a_scheduling_call_without_a_passed_gate_is_a_contradiction(gate: str | None) -> None:
    # Given every call reached but no authorization gate passed (a denied or pended request)
    store = FakeStore(record({"gate": gate} if gate else None), REACHED_ALL)
    # Then concluding refuses to call it scheduled: the workflow fails into a person's task
    with pytest.raises(WorkflowInconsistent, match="authorization gate"):
        conclude(store)


def test_welcome_call_clock_starts_at_receipt_and_asks_what_to_confirm() -> None:
    # Given a referral received at NOW, prescribed to start in 2025, with no weight
    rec = record()
    assert rec.referral is not None
    therapy = rec.referral.therapy.model_copy(update={"start_date": datetime(2025, 4, 1).date()})
    patient = rec.referral.patient.model_copy(update={"weight_kg": None})
    rec = rec.model_copy(
        update={
            "referral": rec.referral.model_copy(update={"therapy": therapy, "patient": patient})
        }
    )
    out = steps(FakeStore(rec, [])).run(Started(action="started", referral_id="r"))
    welcome = out["welcome_call"]
    # Then it is due 48 h after receipt, planned from receipt, and lists what to confirm
    assert welcome["due_at"] == (NOW + timedelta(hours=48)).isoformat()
    assert welcome["details"]["planned_start"] == "2026-11-30"
    assert len(welcome["details"]["confirm"]) == 2  # the start date, and the weight
    assert out["order"] == {"check": "current"}
