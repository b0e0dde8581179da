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
from intake.therapy.orders import plan_order, read_order
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
        if (
            referral.insurance is None
        ):  # issue 26: planned only once discovery's coverage is confirmed
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


# ---- whole order lines (intake.therapy.orders): the forms prescribers write ---------------


@pytest.mark.parametrize(
    ("text", "every_days", "per_day", "count"),
    [
        ("Privigen 400 mg/kg q4wk", 28, 1, None),
        ("Privigen 1 g/kg every 3 weeks", 21, 1, None),
        ("Natalizumab 300 mg IV Q4WK", 28, 1, None),
        ("Natalizumab 300 mg IV q4w", 28, 1, None),
        ("Privigen 400 mg/kg IV qow", 14, 1, None),
        ("Ceftriaxone 2 g IV BID", 1, 2, None),
        ("Vancomycin 1 g IV TID", 1, 3, None),
        ("Vancomycin 1.5 g IV q12h", 1, 2, None),
        ("Tocilizumab 4 mg/kg IV every 4 weeks x 6 doses", 28, 1, 6),
    ],
)
def test_given_order_line_when_read_then_interval_doses_a_day_and_count(
    text: str, every_days: int, per_day: int, count: int | None
) -> None:
    """Given an order line as written, when read, then one phase with its interval in days
    (q4wk = 4 x 7 = 28; qow = every other week = 14), doses a day (BID 2, TID 3, q12h 24/12 = 2)
    and count ("x 6 doses"), and nothing left unread."""
    order = read_order(text)
    assert order.unreadable == ()
    (phase,) = order.phases
    assert (phase.every_days, phase.per_day, phase.count) == (every_days, per_day, count)


def test_given_loading_then_maintenance_order_when_read_then_two_phases() -> None:
    """Given "300 mg x 2 two weeks apart, then 600 mg every 6 months", when read, then the
    loading phase is days 0 and 14 (2 doses, 14 days apart) of 300 mg and the maintenance phase
    600 mg every 6 months (its anchor is the label's, not the reader's)."""
    order = read_order("Ocrelizumab 300 mg IV x 2 two weeks apart, then 600 mg every 6 months")
    loading, maintenance = order.phases
    assert loading.at_days == (0, 14) and loading.dose and loading.dose.amount_mg == 300
    assert maintenance.every_months == 6 and maintenance.dose
    assert maintenance.dose.amount_mg == 600
    assert order.drug is not None and order.drug.hcpcs == "J2350"


def test_given_divided_loading_dose_when_read_then_split_over_the_days() -> None:
    """Given "2 g/kg divided over 5 days", when read, then 2,000 mg/kg split over 5 days."""
    (phase, _) = read_order("Privigen 2 g/kg divided over 5 days, then 1 g/kg every 3 weeks").phases
    assert phase.split_days == 5 and phase.dose and phase.dose.amount_mg == 2000
    assert phase.dose.per == "kg"


def test_given_course_of_days_when_read_then_course_length() -> None:
    """Given "1.5 g IV q12h x 14 days", when read, then 1,500 mg twice a day for 14 days."""
    order = read_order("Vancomycin 1.5 g IV q12h x 14 days")
    assert order.course_days == 14 and order.phases[0].per_day == 2


def test_given_unreadable_phrase_when_planned_then_named_and_nothing_planned() -> None:
    """Given "5 rng/kg" (OCR of "5 mg/kg"), when planned, then the phrase is named and no dose
    is planned: the estimate, the 278 and the calendar never guess."""
    plan = plan_order(read_order("Infliximab 5 rng/kg IV q8 wks"), first=date(2027, 2, 1))
    assert plan.doses == ()
    assert [r.kind for r in plan.review] == ["unreadable"]
    assert "5 rng/kg" in plan.review[0].text


def test_given_per_kg_order_without_weight_when_planned_then_weight_needed() -> None:
    """Given 5 mg/kg and no weight, when planned, then the dates stand, no amount is guessed,
    and a review item asks for the weight."""
    plan = plan_order(
        read_order("Infliximab 5 mg/kg IV at 0, 2 and 6 weeks then every 8 weeks"),
        first=date(2027, 2, 1),
        through=date(2027, 3, 31),
        indication="Crohn's disease",
    )
    assert [d.day for d in plan.doses] == [date(2027, 2, 1), date(2027, 2, 15), date(2027, 3, 15)]
    assert all(d.amount_mg is None for d in plan.doses)
    assert [r.kind for r in plan.review] == ["weight_needed"]


def test_given_loading_total_without_its_days_when_planned_then_asked_not_guessed() -> None:
    """Given "Privigen 2 g/kg, then 1 g/kg every 3 weeks" for CIDP (the label divides the
    loading dose over 2 to 5 days), when planned for 70 kg, then the loading day has no amount
    (140 g on one day, or 28 g over five, would be a guess) and the pharmacist is asked; the
    maintenance is 1 g/kg x 70 kg = 70,000 mg, 21 days after loading day 1."""
    plan = plan_order(
        read_order("Privigen 2 g/kg, then 1 g/kg every 3 weeks"),
        first=date(2027, 1, 4),
        through=date(2027, 2, 1),
        weight_kg=Decimal(70),
        indication="CIDP",
    )
    assert [(d.day, d.amount_mg) for d in plan.doses] == [
        (date(2027, 1, 4), None),
        (date(2027, 1, 25), Decimal(70000)),
    ]
    assert [r.kind for r in plan.review] == ["no_label_rule"]
    assert "2 to 5 days" in plan.review[0].text
