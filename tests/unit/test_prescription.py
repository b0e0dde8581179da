"""The shared reader of prescription text, and the estimate and 278 agreeing on it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from intake.estimate import estimate
from intake.models.referral import Referral
from intake.prescription import (
    Duration,
    Frequency,
    PrescriptionError,
    add_months,
    administrations,
    dosing_days,
    parse_dose,
    parse_dose_plan,
    parse_duration,
    parse_frequency,
    period_end,
)
from intake.prior_auth.schedule import dose_mg, plan_course
from intake.prior_auth.services import requested_services
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
    weight = referral.patient.weight_kg
    # When the copay estimate prices it and the prior-auth packet plans it
    e = estimate(
        benefits(),
        therapy,
        weight_kg=None if weight is None else Decimal(str(weight)),
        start=START,
        payer_id=referral.insurance.payer_id,
    )
    course = plan_course(therapy.frequency, therapy.duration, START)
    # Then the infusions priced (and any after the plan year) are the administrations asked for
    per_day = e.inputs.drug.doses_per_day
    assert e.course.after_plan_year is not None
    assert (e.course.infusions + e.course.after_plan_year) * per_day == course.administrations
    # and the drug units asked for are the units priced for the course
    drug = next(s for s in requested_services(referral, course) if s.code == therapy.hcpcs)
    total_days = e.course.infusions + e.course.after_plan_year
    assert drug.quantity == e.inputs.drug.units_per_infusion * total_days


@pytest.mark.parametrize(
    ("frequency", "duration", "expected"),
    [
        # weeks 0, 2, 6, then every 8 weeks from week 6: weeks 0, 2, 6, 14, 22, 30, 38, 46
        # (week 54 is past 12 months): the 8 first-year infusions of infliximab
        (
            "weeks 0, 2 and 6, then every 8 weeks",
            "12 months",
            [0, 14, 42, 98, 154, 210, 266, 322],
        ),
        ("Week 0, week 2 and week 6 then q8 weeks thereafter", "12 months", None),
        ("at weeks 0, 2, 6; then every 8 weeks", "12 months", None),
        # ocrelizumab: day 1 and day 15, then every 6 months from the first dose
        # 2026-01-05, 01-19, then 07-05 (6 months after the first), 2027-01-05 is past the year
        ("days 1 and 15, then every 6 months from the first dose", "12 months", [0, 14, 181]),
        # every 4 weeks x 6 doses: days 0, 28, ... 140 even with an ongoing duration
        ("every 4 weeks x 6 doses", "ongoing", [0, 28, 56, 84, 112, 140]),
        ("every 4 weeks for 6 doses", "12 months", [0, 28, 56, 84, 112, 140]),
        # the smaller of the two counts wins
        ("weekly x 4", "3 doses", [0, 7, 14]),
    ],
)
def test_given_loading_or_counted_schedule_when_stepped_then_those_days(
    frequency: str, duration: str, expected: list[int] | None
) -> None:
    days = list(dosing_days(START, parse_frequency(frequency), parse_duration(duration)))
    offsets = [(d - START).days for d in days]
    assert offsets == (expected or [0, 14, 42, 98, 154, 210, 266, 322])


def test_given_counted_frequency_then_course_is_finite_and_period_ends_on_last_dose() -> None:
    f, d = parse_frequency("every 4 weeks x 6 doses"), parse_duration("ongoing")
    assert administrations(START, f, d) == 6
    assert period_end(START, f, d) == date(2026, 5, 25)  # 2026-01-05 + 140 days


@pytest.mark.parametrize(
    ("text", "loading", "count", "maintenance"),
    [
        ("300 mg x 2, then 600 mg", "300", 2, "600"),
        ("300 mg for the first 2 doses, then 600 mg maintenance", "300", 2, "600"),
        ("loading 10 mg/kg then 5 mg/kg", "10", None, "5"),
        ("5 mg/kg", None, None, "5"),
    ],
)
def test_given_loading_dose_text_when_read_then_both_sizes(
    text: str, loading: str | None, count: int | None, maintenance: str
) -> None:
    plan = parse_dose_plan(text)
    assert plan.maintenance.amount == Decimal(maintenance)
    assert (None if plan.loading is None else str(plan.loading.amount)) == loading
    assert plan.loading_count == count


def test_given_loading_dose_without_count_then_as_many_as_loading_days() -> None:
    # Given 10 mg/kg loading at weeks 0, 2, 6, then 5 mg/kg
    plan = parse_dose_plan("loading 10 mg/kg then 5 mg/kg")
    f = parse_frequency("weeks 0, 2 and 6, then every 8 weeks")
    # Then doses 0-2 are loading, 3 on maintenance; with no loading days only the first
    assert [plan.for_dose(i, f).amount for i in range(5)] == [10, 10, 10, 5, 5]
    assert [plan.for_dose(i).amount for i in range(3)] == [10, 5, 5]


@pytest.mark.parametrize(
    ("reader", "text", "field"),
    [
        (parse_dose_plan, "as directed", "therapy.dose"),
        (parse_dose_plan, "300 mg then as tolerated", "therapy.dose"),
        (parse_frequency, "weeks 2 and 6, then every 8 weeks", "therapy.frequency"),
        (parse_frequency, "per protocol", "therapy.frequency"),
        (parse_duration, "until better", "therapy.duration"),
    ],
)
def test_given_unreadable_schedule_then_error_names_the_field(
    reader: Callable[[str], object], text: str, field: str
) -> None:
    # When / Then: the referral field to correct is named, for the review task
    with pytest.raises(PrescriptionError) as raised:
        reader(text)
    assert raised.value.field == field
    assert text in str(raised.value)
