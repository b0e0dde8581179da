"""The dose check's comparisons: what moved between two 271 readings, and whether the
certifications cover a dose's date and units."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from intake.course.dose_check import _cost_for, benefit_changes, certified_cover
from intake.models import benefits as b271
from intake.models.records import (
    AuthorizationRecord,
    ReferralRecord,
    ReferralStatus,
    SourceDocument,
)


def _deductible_left(remaining: str) -> b271.Accumulators:
    individual = b271.ByLevel(individual=b271.Accumulator(remaining=Decimal(remaining)))
    return b271.Accumulators(deductible=b271.ByNetwork(in_network=individual))


BEFORE = b271.BenefitsSummary(
    status=b271.CoverageStatus.ACTIVE,
    payer=b271.Party(id="SBX01"),
    plan=b271.Plan(group_number="SBXGRP100", description="PPO GOLD 1500", begin=date(2026, 1, 1)),
    summary=_deductible_left("1200.50"),
)


def _after(**changes: Any) -> b271.BenefitsSummary:
    return BEFORE.model_copy(update=changes)


def test_given_the_same_answer_when_compared_then_nothing_moved() -> None:
    assert benefit_changes(BEFORE, _after()) == []


def test_given_an_inactive_answer_when_compared_then_coverage_ended() -> None:
    assert benefit_changes(BEFORE, _after(status=b271.CoverageStatus.INACTIVE)) == [
        "coverage_ended"
    ]


def test_given_a_new_plan_year_of_the_same_plan_then_only_the_accumulators_moved() -> None:
    # Given January's answer: same group and plan, begin 2027-01-01, deductible 1500 left again
    after = _after(
        plan=BEFORE.plan.model_copy(update={"begin": date(2027, 1, 1)}),
        summary=_deductible_left("1500.00"),
    )
    # Then a rollover is not a plan change: the accumulators moved (a new estimate version)
    assert benefit_changes(BEFORE, after) == ["accumulators_moved"]


def test_given_another_payer_and_group_then_payer_and_plan_changed() -> None:
    after = _after(
        payer=b271.Party(id="SBX02"), plan=BEFORE.plan.model_copy(update={"group_number": "HMO9"})
    )
    assert benefit_changes(BEFORE, after) == ["payer_changed", "plan_changed"]


def _auth(status: str, lines: list[dict[str, Any]], frm: str, to: str) -> AuthorizationRecord:
    return AuthorizationRecord(
        referral_id="ref-00000000000000000001",
        auth_id="PA1",
        status=status,  # type: ignore[arg-type]
        drug="J1569",
        payer_id="SBX01",
        reasons=[],
        documentation=[],
        packet={},
        decision={"effective_from": frm, "effective_to": to, "lines": lines},
        submitted_at=datetime(2026, 12, 1, tzinfo=UTC),
        deadline_at=datetime(2026, 12, 8, tzinfo=UTC),
    )


def test_given_170_units_certified_when_asked_then_the_drug_line_counts_not_the_jw_line() -> None:
    # Given J1569 certified for 170 units given plus a JW line of 4 discarded, 2026-12-10..2027-06-09
    lines = [
        {"procedure_code": "J1569", "modifiers": [], "approved_units": 170},
        {"procedure_code": "J1569", "modifiers": ["JW"], "approved_units": 4},
        {"procedure_code": "S9338", "modifiers": [], "approved_units": 7},
    ]
    auth = _auth("certified", lines, "2026-12-10", "2027-06-09")
    # Then a dose inside the period is covered with 170 units (JW and per diem lines not counted)
    assert certified_cover([auth], "J1569", "J1569", date(2027, 3, 4)) == (
        True,
        170,
        date(2027, 6, 9),
    )
    # And a dose after the period is not covered
    assert certified_cover([auth], "J1569", "J1569", date(2027, 6, 10))[0] is False


def test_given_a_denied_request_when_asked_then_it_covers_nothing() -> None:
    auth = _auth("denied", [], "2026-12-10", "2027-06-09")
    assert certified_cover([auth], "J1569", "J1569", date(2027, 1, 7)) == (False, None, None)


def test_given_an_estimate_by_plan_year_when_a_2027_dose_is_called_about_then_2027_cost() -> None:
    record = ReferralRecord(
        referral_id="ref-00000000000000000001",
        status=ReferralStatus.SCHEDULED,
        stage="scheduled",
        source=SourceDocument(bucket="b", key="k", size=1, sha256="0" * 64),
        uploaded_at=datetime(2026, 11, 30, tzinfo=UTC),
        created_at=datetime(2026, 11, 30, tzinfo=UTC),
        updated_at=datetime(2026, 11, 30, tzinfo=UTC),
        estimate={
            "version": 2,
            "per_infusion_patient": "296.05",
            "course_patient": "2396.05",
            "course_infusions": 7,
            "in_network": True,
            "assistance_recommended": False,
            "confidence": "high",
            "plan_years": [
                {"start": "2026-01-01", "end": "2026-12-31", "infusions": 1, "patient": "296.05"},
                {"start": "2027-01-01", "end": "2027-12-31", "infusions": 6, "patient": "2100.00"},
            ],
        },
    )
    cost = _cost_for(record, date(2027, 2, 4))
    assert cost == {
        "estimate_version": 2,
        "plan_year_start": "2027-01-01",
        "plan_year_patient": "2100.00",
        "plan_year_infusions": 6,
        "per_infusion_patient": "296.05",
    }


def test_given_a_reported_certification_when_read_then_number_dates_and_units() -> None:
    from intake.authorization.reauthorization import read_certification

    corrections = {
        "certification_number": "SBX-RA-3401",
        "effective_from": "2027-01-15",
        "effective_to": "2027-12-31",
        "approved_units": 400,
    }
    assert read_certification(corrections) == (
        "SBX-RA-3401",
        date(2027, 1, 15),
        date(2027, 12, 31),
        400,
    )


@pytest.mark.parametrize(
    "corrections",
    [
        {"effective_from": "2027-01-15", "effective_to": "2027-12-31"},  # no number
        {"certification_number": "X", "effective_from": "2027-12-31", "effective_to": "2027-01-15"},
        {"certification_number": "X", "effective_from": "soon", "effective_to": "2027-01-15"},
        {
            "certification_number": "X",
            "effective_from": "2027-01-15",
            "effective_to": "2027-12-31",
            "approved_units": 0,
        },
        {"certification_number": "X", "patient.first_name": "Ann"},
    ],
)
def test_given_a_certification_a_payer_could_not_have_sent_when_read_then_refused(
    corrections: dict[str, Any],
) -> None:
    from intake.authorization.reauthorization import read_certification
    from intake.core.errors import InvalidRequest

    with pytest.raises(InvalidRequest):
        read_certification(corrections)
