"""Reading the prescription's free text, and the course's dates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from intake.estimate import EstimateError
from intake.estimate.dosing import (
    Dose,
    Duration,
    billing_units,
    parse_dose,
    parse_duration,
    parse_frequency,
)
from intake.estimate.schedule import add_months, course_dates
from intake.reference.contracts import BillingUnit


@pytest.mark.parametrize(
    ("text", "amount", "per_kg"),
    [
        ("5 mg/kg", "5", True),
        ("600 mg", "600", False),
        ("0.4 g/kg", "400.0", True),
        ("1 g", "1000", False),
        ("1,000 mg", "1000", False),
        ("10mg per kg", "10", True),
        ("500 mcg", "0.500", False),
    ],
)
def test_given_dose_text_when_parsed_then_mg_and_per_kg(
    text: str, amount: str, per_kg: bool
) -> None:
    dose = parse_dose(text)
    assert dose.amount == Decimal(amount) and dose.measure == "mg" and dose.per_kg is per_kg


@pytest.mark.parametrize("text", ["as directed", "5 tablets", "mg/kg 5"])
def test_given_unreadable_dose_when_parsed_then_plain_error(text: str) -> None:
    with pytest.raises(EstimateError, match=f"cannot read the dose '{text}'"):
        parse_dose(text)


@pytest.mark.parametrize(
    ("text", "days", "months", "per_day"),
    [
        ("every 8 weeks", 56, None, 1),
        ("every 6 months", None, 6, 1),
        ("daily", 1, None, 1),
        ("every 4 weeks", 28, None, 1),
        ("q8h", 1, None, 3),
        ("every 12 hours", 1, None, 2),
        ("BID", 1, None, 2),
        ("weekly", 7, None, 1),
        ("every 2 days", 2, None, 1),
        ("every 48 hours", 2, None, 1),
        ("monthly", None, 1, 1),
        ("every 3-4 weeks", 21, None, 1),
        ("Every Six Months", None, 6, 1),
        ("q4w", 28, None, 1),
    ],
)
def test_given_frequency_text_when_parsed_then_interval(
    text: str, days: int | None, months: int | None, per_day: int
) -> None:
    f = parse_frequency(text)
    assert (f.every_days, f.every_months, f.doses_per_day) == (days, months, per_day)


def test_given_unreadable_frequency_when_parsed_then_plain_error() -> None:
    with pytest.raises(EstimateError, match="cannot read the frequency 'as needed'"):
        parse_frequency("as needed")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12 months", Duration(months=12)),
        ("14 days", Duration(days=14)),
        ("6 months", Duration(months=6)),
        ("6 weeks", Duration(days=42)),
        ("1 year", Duration(months=12)),
        ("6 doses", Duration(doses=6)),
        ("for 3 infusions", Duration(doses=3)),
        ("ongoing", Duration()),
        ("indefinite", Duration()),
    ],
)
def test_given_duration_text_when_parsed_then_length(text: str, expected: Duration) -> None:
    assert parse_duration(text) == expected


def test_given_per_kg_dose_when_units_then_rounded_up_to_whole_units() -> None:
    # 5 mg/kg x 71.5 kg = 357.5 mg / 10 mg = 35.75 -> 36 units
    unit = BillingUnit(amount=Decimal(10), measure="mg")
    assert billing_units(parse_dose("5 mg/kg"), Decimal("71.5"), unit) == 36
    # 3 doses a day of 1 g at 500 mg a unit: 6 units
    assert (
        billing_units(
            Dose(Decimal(1000), "mg", False),
            None,
            BillingUnit(amount=Decimal(500), measure="mg"),
            doses_per_day=3,
        )
        == 6
    )


def test_given_units_dose_for_mg_code_when_units_then_error() -> None:
    with pytest.raises(EstimateError, match="billed per 10 mg"):
        billing_units(parse_dose("100 units"), None, BillingUnit(amount=Decimal(10), measure="mg"))


def test_given_month_end_when_adding_months_then_clamped() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)


def test_given_dose_count_when_scheduled_then_that_many_infusions() -> None:
    course = course_dates(
        date(2026, 1, 5), parse_frequency("every 4 weeks"), Duration(doses=3), date(2026, 12, 31)
    )
    assert course.dates == (date(2026, 1, 5), date(2026, 2, 2), date(2026, 3, 2))
    assert course.beyond == 0


def test_given_ongoing_therapy_when_scheduled_then_through_plan_year_beyond_unknown() -> None:
    course = course_dates(
        date(2026, 10, 1), parse_frequency("every 4 weeks"), Duration(), date(2026, 12, 31)
    )
    assert len(course.dates) == 4 and course.beyond is None  # Oct 1, 29, Nov 26, Dec 24
