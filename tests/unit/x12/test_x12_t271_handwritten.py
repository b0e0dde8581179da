"""Hand-written 271s (tests/fixtures/x12) covering what the public samples lack."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from intake.eligibility.benefits.interpret import interpret_271
from intake.eligibility.benefits.render import benefits_json
from intake.models.benefits import BenefitsSummary, CoverageStatus, ExpectedPatient

Reader = Callable[[str], str]


@pytest.fixture
def ppo(local_x12: Reader) -> BenefitsSummary:
    [summary] = interpret_271(local_x12("ppo-accumulators.271"))
    return summary


def test_given_ppo_then_deductible_totals_and_remainders_in_and_out(ppo: BenefitsSummary) -> None:
    d = ppo.summary.deductible
    assert (d.in_network.individual.total, d.in_network.individual.remaining) == (
        Decimal("2000.00"),
        Decimal("1250.25"),
    )
    assert d.in_network.individual.met == Decimal("749.75")  # EB06 24 year to date
    assert (d.in_network.family.total, d.in_network.family.remaining) == (
        Decimal("4000.00"),
        Decimal("3100.00"),
    )
    assert (d.out_of_network.individual.total, d.out_of_network.individual.remaining) == (
        Decimal("4000"),
        Decimal("4000"),
    )
    assert (d.out_of_network.family.total, d.out_of_network.family.remaining) == (
        Decimal("8000"),
        Decimal("7500"),
    )


def test_given_ppo_then_out_of_pocket_uses_plan_periods_not_lifetime(
    ppo: BenefitsSummary,
) -> None:
    oop = ppo.summary.out_of_pocket
    assert (oop.in_network.individual.total, oop.in_network.individual.remaining) == (
        Decimal("6000.00"),
        Decimal("5100.00"),
    )
    assert oop.in_network.family.total == Decimal("12000.00")  # EB06 22 service year
    assert oop.in_network.family.remaining == Decimal("10200.00")
    # the lifetime line (EB06 32) is not a plan year's maximum: out of network stays unknown
    assert oop.out_of_network.individual.total is None
    assert oop.out_of_network.individual.remaining is None


def test_given_ppo_then_home_health_coinsurance_beats_plan_level(ppo: BenefitsSummary) -> None:
    assert ppo.coinsurance.in_network == Decimal("0.1")
    assert ppo.coinsurance.out_of_network == Decimal("0.5")
    # the only copays are the pharmacy's (EB03 88): a retail pharmacy copay is not the medical
    # benefit's, so the home infusion summary reports none (they stay on their lines)
    assert ppo.copay.in_network is None
    assert ppo.copay.out_of_network is None
    pharmacy = [b for b in ppo.benefits if b.code == "B" and b.domain == "pharmacy"]
    assert [b.amount for b in pharmacy] == [Decimal("15.00"), Decimal("40.00")]
    assert ppo.auth_required is True
    assert ppo.messages == ("PRIOR AUTHORIZATION REQUIRED FOR HOME HEALTH",)


def test_given_ppo_then_visit_limits_for_infusion_types_only(ppo: BenefitsSummary) -> None:
    limits = [(v.quantity_qualifier, v.quantity, v.time_period) for v in ppo.visit_limits]
    assert limits == [("VS", Decimal("60"), "23"), ("VS", Decimal("45"), "29")]  # not AL vision


def test_given_ppo_then_plan_and_echo(ppo: BenefitsSummary) -> None:
    assert ppo.status is CoverageStatus.ACTIVE
    assert ppo.plan.group_number == "GRP-7781"
    assert (ppo.plan.begin, ppo.plan.end) == (date(2026, 1, 1), date(2026, 12, 31))
    assert ppo.plan.insurance_type == "PR"
    assert ppo.coverage_level == "FAM"
    assert ppo.subscriber.member_id == "FPP100200300"


def test_given_expected_patient_then_mismatch_flags_name_and_dob(local_x12: Reader) -> None:
    text = local_x12("ppo-accumulators.271")
    same = ExpectedPatient(first_name="Jane", last_name="Doe", dob=date(1980, 2, 14))
    other = ExpectedPatient(first_name="Janet", last_name="DOE", dob=date(1980, 2, 15))
    assert interpret_271(text, expected=same)[0].demographics_mismatch is False
    assert interpret_271(text, expected=other)[0].mismatches == ("first_name", "dob")
    assert interpret_271(text)[0].mismatches is None


def test_given_custom_service_types_then_summary_uses_them(local_x12: Reader) -> None:
    [s] = interpret_271(local_x12("ppo-accumulators.271"), service_types=("30",))
    assert s.coinsurance.in_network == Decimal("0.2")  # '.2' as sent
    assert s.copay.in_network is None  # the copay lines are for 88 only
    assert s.auth_required is None


@pytest.mark.parametrize(
    ("name", "loop", "codes", "follow_up"),
    [
        ("aaa-2100a.271", "2100A", ["42"], ["R"]),
        ("aaa-2100b.271", "2100B", ["43", "51"], ["C", "N"]),
        ("aaa-2100c.271", "2100C", ["75"], ["C"]),
    ],
)
def test_given_aaa_at_each_loop_then_rejected_with_loop_and_codes(
    local_x12: Reader, name: str, loop: str, codes: list[str], follow_up: list[str]
) -> None:
    [s] = interpret_271(local_x12(name))
    assert s.status is CoverageStatus.REJECTED
    assert [r.loop for r in s.rejections] == [loop] * len(codes)
    assert [r.code for r in s.rejections] == codes
    assert [r.follow_up for r in s.rejections] == follow_up
    assert all(r.description for r in s.rejections)


def test_given_2100c_rejection_then_subscriber_is_echoed(local_x12: Reader) -> None:
    out: Any = benefits_json(interpret_271(local_x12("aaa-2100c.271")))
    assert out["subscriber"]["member_id"] == "FPP999999999"
    assert out["rejections"][0]["description"] == "Subscriber/Insured Not Found"


def test_given_several_patients_then_a_list_in_document_order(local_x12: Reader) -> None:
    out: Any = benefits_json(interpret_271(local_x12("multi-patient.271")))
    assert isinstance(out, list)
    assert [(p["status"], p["patient"]["first_name"]) for p in out] == [
        ("active", "ROSA"),
        ("inactive", "EMMA"),
        ("rejected", "TERESA"),
    ]
    rosa, emma, teresa = out
    assert rosa["rejections"] == [
        {
            "code": "56",
            "follow_up": "C",
            "loop": "2110C",
            "description": "Inappropriate Date",
            "follow_up_description": "Please Correct and Resubmit",
        }
    ]
    assert rosa["summary"]["deductible"]["in_network"]["individual"] == {
        "total": "500.00",
        "remaining": "0",
        "met": None,
        "period": "23",
    }
    assert rosa["coinsurance"]["in_network"] == "0.15"
    assert emma["subscriber"]["last_name"] == "PARK"
    assert emma["patient"]["is_dependent"] is True
    # DTP*357 under her EB*6 is Eligibility End (X12 374), not the plan's end
    assert emma["plan"]["eligibility_end"] == "2025-12-31"
    assert emma["plan"]["end"] is None
    assert teresa["rejections"][0]["code"] == "72"


def test_given_pipe_delimiters_and_crlf_then_read_like_default(local_x12: Reader) -> None:
    [s] = interpret_271(local_x12("custom-delimiters-pipe.271"))
    assert s.payer.name == "FICTIONAL HMO*PLUS"  # '*' is data here
    assert s.subscriber.last_name == "O:BRIEN"
    assert s.benefits[0].service_types == ("30", "1", "42", "88")
    assert s.benefits[1].procedure == "HC:J1745:JA"
    assert s.copay.in_network == Decimal("20.00")
    assert [
        (v.quantity, v.auth_required if hasattr(v, "auth_required") else None)
        for v in s.visit_limits
    ] == [(Decimal("30"), None)]
    assert s.benefits[2].auth_required is False
    assert s.auth_required is False


def test_given_newline_terminated_bang_delimited_then_read(local_x12: Reader) -> None:
    [s] = interpret_271(local_x12("custom-delimiters-newline.271"))
    assert s.payer.name == "FICTIONAL MEDICAID*~PLAN"
    assert s.subscriber.dob == date(2000, 2, 29)
    assert s.benefits[0].service_types == ("30", "42", "88")
    assert s.copay.in_network == Decimal("0.00")
    [limit] = s.visit_limits
    assert (limit.quantity, limit.time_period_description) == (Decimal("8"), "Month")
    assert s.benefits[2].messages == ("VISITS PER MONTH",)
