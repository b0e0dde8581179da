"""The authorization gate for Medicare patients whose 271 names another plan: nothing is filed
with the MAC; a person verifies and authorizes with the plan the 271 names. The gate runs on a
small fake context (the workflow's store and clock), the 271s are the case book's."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from intake.authorization.gate import AuthorizationGate
from intake.eligibility.benefits.interpret import interpret_271
from intake.models.benefits import BenefitsSummary
from intake.tasks.service import TaskPlan
from tests.casebook.book import load

NOW = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
CASES = {c.id: c for c in load("medicare.yaml")}


@dataclass
class _Store:
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def record(self, referral_id: str, event: str, **detail: Any) -> None:
        self.events.append((event, detail))


@dataclass
class _Ctx:
    summary: BenefitsSummary
    store: _Store = field(default_factory=_Store)
    headline: dict[str, Any] = field(default_factory=dict)

    def clock(self) -> datetime:
        return NOW

    def planned(self, referral_id: str) -> tuple[Any, Any]:
        insurance = SimpleNamespace(payer_id="SBX06")
        # Referral.coverage (issue 26): the insurance, once known, as the steps past benefits read it
        referral = SimpleNamespace(insurance=insurance, coverage=insurance)
        return SimpleNamespace(referral_id=referral_id), referral

    def benefits(self, record: Any) -> BenefitsSummary:
        return self.summary

    def update_summary(self, referral_id: str, **fields: Any) -> None:
        self.headline.update(fields)

    def plan(self, referral_id: str, kind: Any, details: dict[str, Any], now: datetime) -> Any:
        return TaskPlan.due_in(kind, timedelta(days=1), now, details)


@pytest.mark.parametrize(
    ("case_id", "plan", "program"),
    [
        ("mcr-advantage-treated-like-commercial", "SUNSHINE HEALTH MA", "medicare_advantage"),
        (
            "mcr-msp-working-aged-employer-primary",
            "BIGCO EMPLOYEE HEALTH PLAN",
            "medicare_secondary",
        ),
    ],
)
def test_a_plan_named_by_medicares_271_is_verified_and_authorized_with_that_plan(
    case_id: str, plan: str, program: str
) -> None:
    """Given Medicare's 271 naming a Medicare Advantage plan (EB*R HN) or the primary plan of a
    working-aged beneficiary (EB*R 12), When the gate runs, Then no 278 is filed (nothing goes
    to the MAC): the timeline cites the rule, and a follow-up task names the plan to verify and
    authorize with."""
    (summary,) = interpret_271(CASES[case_id].input["x12"])
    ctx = _Ctx(summary)
    step = AuthorizationGate(ctx).submit("r1")  # type: ignore[arg-type]
    assert step.route == "task" and step.status == "other_plan_first"
    assert step.task is not None and step.task.task_type == "prior_auth_followup"
    assert plan in step.task.details.model_dump()["suggest"]
    (event, detail), *_ = ctx.store.events
    assert event == "other_plan_first" and detail["send_278_to_mac"] is False
    assert detail["program"] == program and detail["plan"] == plan and detail["cites"]
    assert ctx.headline["gate"] == "waiting"
