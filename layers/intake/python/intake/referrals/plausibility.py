"""Plausible ranges for what a referral prescribes, checked when the referral is read.

The workflow counts doses, prices them and dates them. A duration of "9999 years", a dose of
10^20 g/kg or a start in year 9999 passes the model's shape checks and then fails a step
later (``year 12025``, ``OverflowError``, ``InvalidOperation``), after the patient has been
called. Here such values send the referral to review with a plain reason instead. Reasons
name the field and the range, never the value (problems are logged as counts and shown to
liaisons, who see the value on the document).

The prescription's text is read with the one prescription reader (``intake.therapy.prescription``);
only its public ``parse_dose_plan``, ``parse_frequency`` and ``parse_duration`` are used.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from intake.models.referral import Referral, Therapy
from intake.referrals.diagnoses import diagnosis_problems
from intake.therapy.prescription import (
    Dose,
    Duration,
    Frequency,
    PrescriptionError,
    parse_dose_plan,
    parse_duration,
    parse_frequency,
)


@dataclass(frozen=True)
class DoseRange:
    """Largest plausible single dose: per kg of body weight and in total (base measure)."""

    measure: str  # "mg" or "units"
    max_per_kg: Decimal
    max_total: Decimal


# Generous bounds (about twice the labelled maximum single dose) for drugs intake sees often;
# any other drug gets the generic bounds for its measure.
_DRUGS: dict[str, DoseRange] = {
    "infliximab": DoseRange("mg", Decimal(20), Decimal(2_000)),
    "immune globulin": DoseRange("mg", Decimal(4_000), Decimal(300_000)),
    "ivig": DoseRange("mg", Decimal(4_000), Decimal(300_000)),
    "scig": DoseRange("mg", Decimal(4_000), Decimal(300_000)),
    "ocrelizumab": DoseRange("mg", Decimal(20), Decimal(1_200)),
    "natalizumab": DoseRange("mg", Decimal(10), Decimal(600)),
    "tocilizumab": DoseRange("mg", Decimal(16), Decimal(1_600)),
    "rituximab": DoseRange("mg", Decimal(50), Decimal(2_000)),
    "vedolizumab": DoseRange("mg", Decimal(10), Decimal(600)),
    "ertapenem": DoseRange("mg", Decimal(40), Decimal(2_000)),
    "ceftriaxone": DoseRange("mg", Decimal(200), Decimal(4_000)),
    "vancomycin": DoseRange("mg", Decimal(60), Decimal(4_000)),
    "daptomycin": DoseRange("mg", Decimal(24), Decimal(2_500)),
}
_GENERIC = {
    "mg": DoseRange("mg", Decimal(4_000), Decimal(300_000)),
    "units": DoseRange("units", Decimal(1_000), Decimal(1_000_000)),
}
MAX_DOSES_PER_DAY = 8
MAX_INTERVAL_DAYS = 366
MAX_COURSE_DAYS = 5 * 366
MAX_ADMINISTRATIONS = 2_000


@dataclass(frozen=True)
class Window:
    """How far from its receipt a referral's dates may lie. A start in the past is allowed
    (the workflow treats it as "as soon as possible")."""

    start_ahead: timedelta = timedelta(days=365)
    received_ahead: timedelta = timedelta(days=1)


DEFAULT_WINDOW = Window()


def _range_for(drug_name: str, measure: str) -> tuple[DoseRange, bool]:
    """The bounds for this drug, and whether the measure is the one the drug is dosed in."""
    name = drug_name.lower()
    for key, bounds in _DRUGS.items():
        if key in name:
            return bounds, bounds.measure == measure
    return _GENERIC[measure], True


def _dose_problems(therapy: Therapy) -> list[str]:
    if therapy.dose.lstrip().startswith("-"):
        return ["therapy.dose: is negative; a dose is more than zero"]
    try:  # a loading dose then the maintenance dose ("300 mg x 2, then 600 mg") is a dose
        doses: tuple[Dose, ...] = parse_dose_plan(therapy.dose).doses
    except PrescriptionError:
        return [
            "therapy.dose: cannot be read as a dose; write an amount and unit such as "
            "'600 mg', '5 mg/kg', '0.4 g/kg' or '300 mg x 2, then 600 mg'"
        ]
    for dose in doses:
        if problems := _one_dose_problems(therapy, dose):
            return problems
    return []


def _one_dose_problems(therapy: Therapy, dose: Dose) -> list[str]:
    if dose.amount <= 0:
        return ["therapy.dose: is zero; a dose is more than zero"]
    bounds, same_measure = _range_for(therapy.drug_name, dose.measure)
    if not same_measure:
        return [f"therapy.dose: this drug is dosed in {bounds.measure}, not {dose.measure}"]
    limit = bounds.max_per_kg if dose.per_kg else bounds.max_total
    if dose.amount > limit:
        per = f" {bounds.measure}/kg" if dose.per_kg else f" {bounds.measure}"
        return [f"therapy.dose: is above the plausible maximum for this drug ({limit:,}{per})"]
    return []


def _course_days(duration: Duration) -> int | None:
    if duration.days is not None:
        return duration.days
    if duration.months is not None:
        return duration.months * 31
    return None


def _schedule_problems(therapy: Therapy) -> list[str]:
    problems: list[str] = []
    frequency: Frequency | None = None
    duration: Duration | None = None
    try:
        frequency = parse_frequency(therapy.frequency)
    except PrescriptionError:
        problems.append(
            "therapy.frequency: cannot be read as a schedule; write e.g. 'every 8 weeks', "
            "'daily' or 'every 12 hours'"
        )
    try:
        duration = parse_duration(therapy.duration)
    except PrescriptionError:
        problems.append(
            "therapy.duration: cannot be read as a length of therapy; write e.g. '12 months', "
            "'6 doses' or 'ongoing'"
        )
    if frequency is not None:
        if frequency.doses_per_day > MAX_DOSES_PER_DAY:
            problems.append(
                f"therapy.frequency: more than {MAX_DOSES_PER_DAY} doses a day is not a home "
                "infusion schedule"
            )
        if frequency.interval_days > MAX_INTERVAL_DAYS:
            problems.append("therapy.frequency: the interval between doses is over a year")
    if duration is None:
        return problems
    days = _course_days(duration)
    if days is not None and days > MAX_COURSE_DAYS:
        problems.append("therapy.duration: is longer than 5 years; check the units")
    elif duration.doses is not None and duration.doses > MAX_ADMINISTRATIONS:
        problems.append(f"therapy.duration: is more than {MAX_ADMINISTRATIONS:,} doses")
    elif days is not None and frequency is not None and not frequency.single:
        count = (days // max(1, frequency.interval_days) + 1) * frequency.doses_per_day
        if count > MAX_ADMINISTRATIONS:
            problems.append(
                f"therapy.duration: with this frequency the course is more than "
                f"{MAX_ADMINISTRATIONS:,} doses"
            )
    return problems


def _date_problems(referral: Referral, received_at: datetime, window: Window) -> list[str]:
    problems: list[str] = []
    upload = received_at if received_at.tzinfo else received_at.replace(tzinfo=UTC)
    receipt = upload
    sent = referral.received_at
    if sent is not None:
        if sent > upload + window.received_ahead:
            problems.append("received_at: the send time is in the future")
        else:
            receipt = min(sent, upload)
    start = referral.therapy.start_date
    if start is not None and start > (receipt + window.start_ahead).date():
        days = window.start_ahead.days
        problems.append(
            f"therapy.start_date: is more than {days} days after the referral was received"
        )
    return problems


def plausibility_problems(
    referral: Referral, *, received_at: datetime, window: Window = DEFAULT_WINDOW
) -> list[str]:
    """Why ``referral`` is implausible ("path: reason", empty when it is plausible).

    ``received_at`` is when the file arrived (the upload time); the document's own send time
    may not be later than a day after it."""
    return [
        *_dose_problems(referral.therapy),
        *_schedule_problems(referral.therapy),
        *_date_problems(referral, received_at, window),
        *diagnosis_problems(referral),
    ]
