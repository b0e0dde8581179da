"""The shared reader of prescription text, and the estimate and 278 agreeing on it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from intake.authorization.packet.schedule import dose_mg
from intake.estimate import estimate
from intake.models.billing import Component
from intake.models.referral import Referral
from intake.therapy import plan_services
from intake.therapy.body import body_of
from intake.therapy.prescription import (
    Duration,
    Frequency,
    PrescriptionError,
    add_months,
    administrations,
    dosing_days,
    parse_dose,
    parse_duration,
    parse_frequency,
    period_end,
)
from tests.unit.estimate.builders import benefits

EVENTS = Path(__file__).resolve().parents[2] / "events" / "referrals"
START = date(2026, 1, 5)


def _samples() -> list[tuple[str, Referral]]:
    """Sample referrals whose frequency and duration can be read (and that have a course)."""
    found = []
    for path in sorted(EVENTS.glob("*.json")):
        try:
            referral = Referral.model_validate_json(path.read_text(encoding="utf-8"))
            parse_frequency(referral.therapy.frequency)
            duration = parse_duration(referral.therapy.duration)
        except (ValidationError, PrescriptionError):
            continue
        if not duration.open_ended:
            found.append((path.name, referral))
    return found


SAMPLES = _samples()


@pytest.mark.parametrize(
    ("text", "amount", "measure", "per_kg"),
    [
        ("5 mg/kg", "5", "mg", True),
        ("600 mg", "600", "mg", False),
        ("0.4 g/kg", "400", "mg", True),
        ("1,000 mg", "1000", "mg", False),
        ("500 mcg", "0.5", "mg", False),
        ("10mg per kg", "10", "mg", True),
        ("100 units/kg", "100", "units", True),
        ("40 IU", "40", "units", False),
    ],
)
def test_given_dose_text_when_parsed_then_amount_in_base_measure(
    text: str, amount: str, measure: str, per_kg: bool
) -> None:
    # When
    dose = parse_dose(text)
    # Then mass is in mg whatever the written unit
    assert (dose.amount, dose.measure, dose.per_kg) == (Decimal(amount), measure, per_kg)


def test_given_per_kg_dose_when_weighed_then_amount_per_administration() -> None:
    # Given 0.4 g/kg
    dose = parse_dose("0.4 g/kg")
    # When / Then: 70 kg gives 28 g; without a weight the amount is unknown
    assert dose.per_administration(Decimal(70)) == Decimal(28000)
    assert dose.per_administration(None) is None
    assert dose_mg("0.4 g/kg", 70) == 28000 and dose_mg("0.4 g/kg", None) is None
    assert dose_mg("100 units", 70) is None  # not a mass: the 278 line says "to be confirmed"


@pytest.mark.parametrize(
    ("text", "every_days", "every_months", "per_day"),
    [
        ("every 8 weeks", 56, None, 1),
        ("Q8W", 56, None, 1),
        ("each 4 weeks", 28, None, 1),
        ("every 6 months", None, 6, 1),
        ("every six months", None, 6, 1),
        ("q8h", 1, None, 3),
        ("q 12 h", 1, None, 2),
        ("every 48 hours", 2, None, 1),
        ("daily", 1, None, 1),
        ("once-daily", 1, None, 1),
        ("BID", 1, None, 2),
        ("every other week", 14, None, 1),
        ("every other day", 2, None, 1),
        ("every 3-4 weeks", 21, None, 1),
        ("once monthly", None, 1, 1),
        ("every year", None, 12, 1),
        ("every 2 years", None, 24, 1),
        ("once", None, None, 1),
    ],
)
def test_given_frequency_text_when_parsed_then_interval_and_doses_a_day(
    text: str, every_days: int | None, every_months: int | None, per_day: int
) -> None:
    # When
    f = parse_frequency(text)
    # Then
    assert (f.every_days, f.every_months, f.doses_per_day, f.text) == (
        every_days,
        every_months,
        per_day,
        text,
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12 months", Duration(months=12)),
        ("a year", Duration(months=12)),
        ("2 years", Duration(months=24)),
        ("x 6 months", Duration(months=6)),
        ("6 weeks", Duration(days=42)),
        ("14 days", Duration(days=14)),
        ("for 3 infusions", Duration(doses=3)),
        ("ongoing", Duration()),
        ("long-term", Duration()),
        ("Indefinite", Duration()),
    ],
)
def test_given_duration_text_when_parsed_then_length(text: str, expected: Duration) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("reader", "text"),
    [
        (parse_dose, "as directed"),
        (parse_frequency, "as needed"),
        (parse_frequency, "every 36 hours"),
        (parse_frequency, "IV every 4 weeks"),
        (parse_duration, "1.5 months"),
        (parse_duration, "until better"),
    ],
)
def test_given_unreadable_text_when_parsed_then_error_quotes_it(
    reader: Callable[[str], object], text: str
) -> None:
    # When / Then: no guessed schedule, a message naming the text
    with pytest.raises(PrescriptionError, match=f"cannot read the .*'{text}'"):
        reader(text)


def test_given_monthly_course_when_stepped_then_calendar_days_clamped_to_month_end() -> None:
    # Given monthly from January 31
    days = list(dosing_days(date(2026, 1, 31), parse_frequency("monthly"), Duration(months=3)))
    # Then each dose keeps day 31 where the month has one (no drift after February)
    assert days == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)]
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)


@pytest.mark.parametrize(
    ("frequency", "duration", "start", "count"),
    [
        # a 184-day period / 91.3-day average quarter would say 3: the calendar says 2
        ("every 3 months", "6 months", date(2026, 3, 1), 2),
        # a leap-year 366 days / 182.6 days would say 3: Jan 5 and Jul 5 only
        ("every 6 months", "12 months", date(2028, 1, 5), 2),
        ("every 8 weeks", "12 months", START, 7),
        ("q8h", "14 days", START, 42),
        ("every 4 weeks", "6 doses", START, 6),
        ("once", "6 months", START, 1),
    ],
)
def test_given_course_when_counted_then_administrations_by_calendar(
    frequency: str, duration: str, start: date, count: int
) -> None:
    assert administrations(start, parse_frequency(frequency), parse_duration(duration)) == count


def test_given_open_ended_course_when_counted_then_unknown() -> None:
    every_8_weeks = parse_frequency("every 8 weeks")
    assert administrations(START, every_8_weeks, Duration()) is None
    assert period_end(START, every_8_weeks, Duration()) is None


def test_given_course_when_period_asked_then_last_day_inclusive() -> None:
    weekly = Frequency(7, None, 1, "weekly")
    # months and days: the day before the course ends
    assert period_end(START, weekly, Duration(months=6)) == date(2026, 7, 4)
    assert period_end(START, weekly, Duration(days=14)) == date(2026, 1, 18)
    # a dose count: the last dose
    assert period_end(START, weekly, Duration(doses=3)) == date(2026, 1, 19)
    assert period_end(START, None, Duration(doses=3)) is None


def test_given_sample_referrals_then_enough_to_compare() -> None:
    assert len(SAMPLES) >= 10


@pytest.mark.parametrize(("name", "referral"), SAMPLES, ids=[name for name, _ in SAMPLES])
def test_given_sample_referral_when_estimated_and_requested_then_same_course(
    name: str, referral: Referral
) -> None:
    # Given the referral starting 2026-01-05, a plan year to 2026-12-31
    therapy = referral.therapy
    weight = body_of(referral).weight_kg  # structured, coded, or read from the notes (38)
    # When the copay estimate prices it and the prior-auth packet plans it
    e = estimate(
        benefits(),
        therapy,
        weight_kg=weight,
        start=START,
        payer_id=referral.insurance.payer_id,
    )
    plan = plan_services(referral, START)
    # Then the infusions priced are the dosing days asked for, across every plan year
    per_day = e.inputs.drug.doses_per_day
    assert e.course.after_plan_year == 0
    assert e.course.infusions * per_day == plan.administrations
    assert tuple(i.date for i in e.infusions) == plan.dose_dates
    # and the drug units asked for (given + discarded) are the units priced for the course
    asked = sum(s.units or 0 for s in plan.lines if s.component is Component.DRUG)
    priced = sum(
        int(i.description.split("; ")[1].split(" unit")[0])
        for i in e.line_items
        if i.kind == "allowed" and i.description.startswith("Allowed, drug")
    )
    assert asked == priced
