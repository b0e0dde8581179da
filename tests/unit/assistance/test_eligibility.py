"""Which programs fit: decided from the plan class, the drug, the diagnoses and the stated
income, against the shipped catalog (``assistance.json``) and the HHS poverty guidelines
(``poverty_guidelines.json``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from intake.estimate.assistance import load_assistance
from intake.estimate.assistance_model import ProgramDecision, StatedIncome
from intake.estimate.assistance_rules import decide
from intake.estimate.poverty import IncomeLevel, percent_of_poverty
from intake.reference.contracts import PlanClass

ON = date(2027, 1, 4)


def _full(
    hcpcs: str, klass: PlanClass, diagnoses: list[str], income: StatedIncome | None = None
) -> tuple[dict[str, ProgramDecision], tuple[str, ...], IncomeLevel | None]:
    decisions, asks, level = decide(
        load_assistance(), hcpcs=hcpcs, plan_class=klass, diagnoses=diagnoses, income=income, on=ON
    )
    return {d.program_id: d for d in decisions}, asks, level


def _decide(
    hcpcs: str, klass: PlanClass, diagnoses: list[str], income: StatedIncome | None = None
) -> dict[str, ProgramDecision]:
    return _full(hcpcs, klass, diagnoses, income)[0]


def test_medicare_never_gets_a_manufacturer_program() -> None:
    """Given a Medicare patient on Gammagard, when decided, then the manufacturer program is
    refused, citing the OIG bulletin and the anti-kickback statute, and never applied."""
    d = _decide("J1569", PlanClass.MEDICARE, ["D83.9"])["takeda-onepath-gammagard"]
    assert d.status == "not_eligible"
    assert "Medicare" in d.reasons[0] and "1320a-7b(b)" in d.reasons[0]
    assert "Special Advisory Bulletin" in d.reasons[0]


def test_every_government_class_is_refused_a_manufacturer_program() -> None:
    """Given Medicaid and other government plans (TRICARE, VA), when decided, then no
    manufacturer program is eligible; for a commercial plan it is."""
    for klass in (PlanClass.MEDICAID, PlanClass.GOVERNMENT):
        assert (
            _decide("J1745", klass, ["K50.90"])["janssen-carepath-remicade"].status
            == "not_eligible"
        )
    assert (
        _decide("J1745", PlanClass.COMMERCIAL, ["K50.90"])["janssen-carepath-remicade"].status
        == "eligible"
    )


def test_plan_type_unknown_is_asked_not_assumed() -> None:
    """Given a plan whose class is unknown, when decided, then the manufacturer program waits
    for the plan type and the liaison is asked for it."""
    by_id, asks, _ = _full("J1745", PlanClass.UNKNOWN, ["K50.90"])
    assert by_id["janssen-carepath-remicade"].status == "plan_type_needed"
    assert any("commercial" in a for a in asks)


def test_foundation_fund_closed_is_named_with_the_date_read() -> None:
    """Given a Medicare patient with Crohn's disease (K50), when decided, then PAN's Crohn's and
    colitis fund is closed (as read 2026-12-06) and HealthWell's Crohn's fund is open but needs
    the income."""
    got = _decide("J1745", PlanClass.MEDICARE, ["K50.90"])
    assert got["pan-foundation"].status == "fund_closed"
    assert got["pan-foundation"].fund_status_read == date(2026, 12, 6)
    assert got["healthwell-foundation"].status == "income_needed"


def test_income_unknown_is_income_needed_never_assumed() -> None:
    """Given no income stated, when decided, then income-judged programs say income_needed and
    the ask names what to get; an amount without the household size is still not enough."""
    by_id, asks, level = _full("J1569", PlanClass.MEDICARE, ["D83.9"])
    assert by_id["pan-foundation"].status == "income_needed"
    assert by_id["pharmacy-financial-assistance"].status == "income_needed"
    assert level is None and asks == ("the household's size and yearly income (not stated)",)
    half = StatedIncome(annual_income=Decimal(30000))
    assert (
        _decide("J1569", PlanClass.MEDICARE, ["D83.9"], half)["pan-foundation"].status
        == "income_needed"
    )


def test_income_above_the_funds_limit() -> None:
    """Given a household of 2 with $90,000 a year, when decided against the 2026 guideline
    (2 persons: $21,640; 90,000 / 21,640 = 415.9%), then PAN's immunodeficiency fund (400%)
    refuses and the pharmacy's bands (to 400%) too."""
    income = StatedIncome(
        household_size=2,
        annual_income=Decimal(90000),
        stated_on=date(2026, 12, 6),
        proof_received=True,
    )
    got = _decide("J1569", PlanClass.MEDICARE, ["D83.9"], income)
    assert got["pan-foundation"].status == "not_eligible"
    assert got["pan-foundation"].income_fpl_percent == Decimal("415.9")
    assert got["pharmacy-financial-assistance"].status == "not_eligible"


def test_income_within_the_limit_and_the_pharmacy_band() -> None:
    """Given a household of 2 with $50,000 (50,000 / 21,640 = 231.1% of the 2026 guideline),
    when decided, then PAN's open immunodeficiency fund is eligible (≤ 400%) and the pharmacy
    pays half (the band to 300%) once the application and proof are in."""
    income = StatedIncome(
        household_size=2,
        annual_income=Decimal(50000),
        stated_on=date(2026, 12, 6),
        proof_received=True,
    )
    got = _decide("J1569", PlanClass.MEDICARE, ["D83.9"], income)
    assert got["pan-foundation"].status == "eligible"
    assert got["pan-foundation"].fund_id == "pan-immunodeficiency"
    assert got["pharmacy-financial-assistance"].pays_share == Decimal("0.50")
    # Without the application and proof, a Medicare patient's waiver waits (never routine).
    stated = income.model_copy(update={"proof_received": False})
    waiting = _decide("J1569", PlanClass.MEDICARE, ["D83.9"], stated)
    assert waiting["pharmacy-financial-assistance"].status == "income_needed"


def test_poverty_table_year_source_and_own_state_tables() -> None:
    """Given the guideline data, when a household of 10 is judged in 2026, then the table adds
    $5,680 per person past 8 (55,720 + 2 x 5,680 = 67,080: $67,080 is 100.0%), names 91 FR 1797,
    and Alaska's income is not judged on the contiguous states' table."""
    level = percent_of_poverty(Decimal(67080), 10, date(2026, 3, 1))
    assert level is not None and level.percent == Decimal("100.0") and "91 FR 1797" in level.source
    assert percent_of_poverty(Decimal(10000), 1, date(2026, 3, 1), "AK") is None
