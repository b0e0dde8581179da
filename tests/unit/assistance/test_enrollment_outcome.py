"""What an ``enrolled`` completion states, checked against the programs its task offered."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from intake.core.errors import InvalidRequest
from intake.estimate.enrollment import enrollment_from
from intake.models.records import TaskRecord

NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
TASK = TaskRecord.model_validate(
    {
        "task_id": "ref-1.assistance_enrollment.1",
        "referral_id": "ref-1",
        "task_type": "assistance_enrollment",
        "status": "claimed",
        "reason": "r",
        "due_at": NOW.isoformat(),
        "created_at": NOW.isoformat(),
        "details": {
            "estimate_version": 1,
            "offered": [
                {
                    "program_id": "pan-foundation",
                    "name": "PAN Foundation (immunodeficiency)",
                    "kind": "foundation",
                    "status": "eligible",
                    "fund_id": "pan-immunodeficiency",
                }
            ],
        },
    }
)


def test_the_enrollment_carries_the_fund_award_and_the_income_as_stated() -> None:
    """Given PAN offered (its immunodeficiency fund), when the liaison records him enrolled
    with a $4,000 award, a household of 2 with $42,000 and the proof in, then the enrollment
    is dated the completion day, takes the offered fund, and the income is as stated."""
    enrolled, income = enrollment_from(
        TASK,
        {
            "program_id": "pan-foundation",
            "enrollment_id": "PAN-1",
            "annual_maximum": "4000.00",
            "household_size": "2",
            "annual_income": "42000",
            "proof_received": "true",
        },
        NOW,
    )
    assert (enrolled.fund_id, enrolled.annual_maximum) == ("pan-immunodeficiency", Decimal(4000))
    assert enrolled.enrolled_on.isoformat() == "2026-12-07"
    assert income is not None and income.household_size == 2 and income.proof_received


def test_no_income_stated_is_no_income() -> None:
    """Given no income in the completion, then none is recorded (never a guess)."""
    _, income = enrollment_from(TASK, {"program_id": "pan-foundation", "enrollment_id": "P"}, NOW)
    assert income is None


def test_a_field_that_is_not_an_enrollment_field_is_refused() -> None:
    """Given a referral field in the corrections, then the completion is refused (an
    enrollment changes no referral field)."""
    with pytest.raises(InvalidRequest, match="not an enrollment field"):
        enrollment_from(
            TASK,
            {"program_id": "pan-foundation", "enrollment_id": "P", "patient.phone": "1"},
            NOW,
        )
