"""The one reader of a prescription's free text (dose, frequency, duration) and its dosing days.

Clinics write these by hand ("5 mg/kg", "every 8 weeks", "q8h", "12 months"). The copay
estimate and the prior-authorization request both need them, and two readings of the same
prescription could price 7 infusions while asking the payer to authorize 6; so both read them
here. Readers are strict: text that matches no known spelling raises ``PrescriptionError``
naming it, rather than guessing a schedule a patient would be billed or a payer would approve on.
Dosing days step from the start by whole intervals (``start + n * interval``, calendar months
for monthly schedules), so the count never depends on an average month length.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

Measure = Literal["mg", "units"]

MAX_DATES = 2000
"""A course longer than this (five years of daily doses) is a typo, not a plan."""


class PrescriptionError(ValueError):
    """Prescription text that cannot be read; the message quotes it and suggests a spelling."""


_TO_BASE: dict[str, tuple[Measure, Decimal]] = {
    "mg": ("mg", Decimal(1)),
    "milligram": ("mg", Decimal(1)),
    "milligrams": ("mg", Decimal(1)),
    "g": ("mg", Decimal(1000)),
    "gm": ("mg", Decimal(1000)),
    "gram": ("mg", Decimal(1000)),
    "grams": ("mg", Decimal(1000)),
    "mcg": ("mg", Decimal("0.001")),
    "ug": ("mg", Decimal("0.001")),
    "µg": ("mg", Decimal("0.001")),
    "unit": ("units", Decimal(1)),
    "units": ("units", Decimal(1)),
    "iu": ("units", Decimal(1)),
}
_DOSE_RE = re.compile(
    r"^\s*(?P<amount>\d+(?:\.\d+)?|\.\d+)\s*(?P<unit>[a-zµ]+)\s*"
    r"(?:(?:/|per)\s*(?P<per>kg|kilogram))?\s*$",
    re.IGNORECASE,
)
_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
_NUM = r"(\d+|" + "|".join(_WORDS) + ")"


@dataclass(frozen=True, slots=True)
class Dose:
    amount: Decimal
    """In ``measure`` (mg for any mass)."""
    measure: Measure
    per_kg: bool

    def per_administration(self, weight_kg: Decimal | None) -> Decimal | None:
        """The amount given each time; a per-kg dose without a weight is unknown (None)."""
        if not self.per_kg:
            return self.amount
        return None if weight_kg is None else self.amount * weight_kg


@dataclass(frozen=True, slots=True)
class Frequency:
    """How often: a dosing interval in days or months, and doses given on a dosing day.

    Neither interval set means a single dose. Months stay months (not 30 days) so "every 6
    months" lands on the same calendar day."""

    every_days: int | None
    every_months: int | None
    doses_per_day: int
    text: str

    @property
    def single(self) -> bool:
        return self.every_days is None and self.every_months is None

    @property
    def interval_days(self) -> int:
        """Approximate interval, to decide nurse visits (months count as 30 days)."""
        return self.every_days if self.every_days is not None else 30 * (self.every_months or 0)


@dataclass(frozen=True, slots=True)
class Duration:
    """How long: days or months, a number of doses, or open-ended (ongoing therapy)."""

    days: int | None = None
    months: int | None = None
    doses: int | None = None

    @property
    def open_ended(self) -> bool:
        return self.days is None and self.months is None and self.doses is None


def _number(token: str) -> int:
    return int(token) if token.isdigit() else _WORDS[token]


def _normalize(text: str) -> str:
    """Lower case, single spaces, no periods ("q.8.h.", but "1.5" stays a number so it fails
    rather than reading as 15), hyphens between words as spaces ("once-daily", "long-term")."""
    t = re.sub(r"(?<!\d)\.|\.(?!\d)", "", text.strip().lower())
    t = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", t)
    return re.sub(r"\s+", " ", t)


def parse_dose(text: str) -> Dose:
    """``5 mg/kg`` → 5 mg per kg; ``0.4 g/kg`` → 400 mg per kg; ``1,000 mg``; ``100 units``."""
    m = _DOSE_RE.match(text.replace(",", ""))
    unit = _TO_BASE.get(m.group("unit").lower()) if m else None
    if m is None or unit is None:
        raise PrescriptionError(
            f"cannot read the dose '{text}': write an amount and unit such as '600 mg', "
            "'5 mg/kg' or '0.4 g/kg'"
        )
    measure, factor = unit
    return Dose(Decimal(m.group("amount")) * factor, measure, m.group("per") is not None)


_PER_DAY = {
    "daily": 1,
    "once daily": 1,
    "once a day": 1,
    "every day": 1,
    "qd": 1,
    "qday": 1,
    "twice daily": 2,
    "twice a day": 2,
    "bid": 2,
    "three times daily": 3,
    "three times a day": 3,
    "tid": 3,
    "four times daily": 4,
    "four times a day": 4,
    "qid": 4,
}
_FIXED: dict[str, tuple[int | None, int | None]] = {
    "every other day": (2, None),
    "qod": (2, None),
    "weekly": (7, None),
    "once a week": (7, None),
    "once weekly": (7, None),
    "every week": (7, None),
    "every other week": (14, None),
    "biweekly": (14, None),
    "monthly": (None, 1),
    "once a month": (None, 1),
    "once monthly": (None, 1),
    "every month": (None, 1),
    "every other month": (None, 2),
    "yearly": (None, 12),
    "annually": (None, 12),
    "once a year": (None, 12),
    "every year": (None, 12),
    "once": (None, None),
    "one time": (None, None),
    "single dose": (None, None),
}
_HOURS_RE = re.compile(r"^(?:every|each|q)\s*(\d+)\s*(?:h|hr|hrs|hours?)$")
_EVERY_RE = re.compile(
    rf"^(?:every|each|q)\s*{_NUM}(?:\s*(?:-|to)\s*{_NUM})?\s*"
    r"(d|days?|w|wks?|weeks?|mo|months?|y|yrs?|years?)$"
)


def parse_frequency(text: str) -> Frequency:
    """``every 8 weeks`` → 56 days; ``every 6 months`` → 6 months; ``q8h`` → 3 doses a day.

    Hours become doses a day when they divide a day (q4h, q6h, q8h, q12h, q24h) or whole days
    when a multiple of one (q48h); a range ("every 3-4 weeks") takes the shorter interval, the
    most doses, so neither the estimate nor the authorization request falls short."""
    t = _normalize(text)
    if t in _PER_DAY:
        return Frequency(1, None, _PER_DAY[t], text)
    if t in _FIXED:
        days, months = _FIXED[t]
        return Frequency(days, months, 1, text)
    if m := _HOURS_RE.match(t):
        hours = int(m.group(1))
        if hours and 24 % hours == 0:
            return Frequency(1, None, 24 // hours, text)
        if hours and hours % 24 == 0:
            return Frequency(hours // 24, None, 1, text)
    elif m := _EVERY_RE.match(t):
        n, unit = _number(m.group(1)), m.group(3)
        if n > 0:
            if unit.startswith("mo"):
                return Frequency(None, n, 1, text)
            if unit.startswith("y"):
                return Frequency(None, 12 * n, 1, text)
            return Frequency(n * (1 if unit.startswith("d") else 7), None, 1, text)
    raise PrescriptionError(
        f"cannot read the frequency '{text}': write e.g. 'every 8 weeks', 'every 6 months', "
        "'daily' or 'every 12 hours'"
    )


_OPEN = (
    "ongoing",
    "indefinite",
    "indefinitely",
    "chronic",
    "long term",
    "lifelong",
    "maintenance",
    "until further notice",
    "continuous",
)
_DURATION_RE = re.compile(
    rf"^(?:for|x|\u00d7)?\s*{_NUM}\s*(d|days?|w|wks?|weeks?|mo|months?|y|yrs?|years?|"
    r"doses?|infusions?|treatments?)$"
)


def parse_duration(text: str) -> Duration:
    """``12 months``, ``1 year`` → 12 months; ``6 weeks`` → 42 days; ``6 doses``; ``ongoing``."""
    t = re.sub(r"^(?:(?:for|x|\u00d7) )?an? (?=[a-z])", "1 ", _normalize(text))
    if any(t.startswith(word) for word in _OPEN):
        return Duration()
    if m := _DURATION_RE.match(t):
        n, unit = _number(m.group(1)), m.group(2)
        if n > 0:
            if unit.startswith("d") and not unit.startswith("dose"):
                return Duration(days=n)
            if unit.startswith("w"):
                return Duration(days=7 * n)
            if unit.startswith("mo"):
                return Duration(months=n)
            if unit.startswith("y"):
                return Duration(months=12 * n)
            return Duration(doses=n)
    raise PrescriptionError(
        f"cannot read the duration '{text}': write e.g. '12 months', '14 days', '6 doses' "
        "or 'ongoing'"
    )


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month's end (Jan 31 + 1 month = Feb 28/29)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def course_end(start: date, duration: Duration) -> date | None:
    """First day after a course of days or months (exclusive); None when open-ended or
    counted in doses."""
    if duration.months is not None:
        return add_months(start, duration.months)
    if duration.days is not None:
        return start + timedelta(days=duration.days)
    return None


def dose_day(start: date, frequency: Frequency, n: int) -> date:
    """The ``n``-th dosing day (0 = start), stepped from the start so months never drift."""
    if frequency.every_months is not None:
        return add_months(start, n * frequency.every_months)
    return start + timedelta(days=n * (frequency.every_days or 0))


def dosing_days(start: date, frequency: Frequency, duration: Duration) -> Iterator[date]:
    """Dosing days from ``start`` every interval until the course ends (exclusive), its dose
    count is reached, or ``MAX_DATES`` (an open-ended course goes on until the caller stops)."""
    end = course_end(start, duration)
    limit = 1 if frequency.single else (duration.doses or MAX_DATES)
    for n in range(limit):
        day = dose_day(start, frequency, n)
        if end is not None and day >= end:
            return
        yield day


def administrations(start: date, frequency: Frequency, duration: Duration) -> int | None:
    """Doses over the whole course (dosing days x doses a day); None when open-ended."""
    if duration.open_ended:
        return None
    return sum(1 for _ in dosing_days(start, frequency, duration)) * frequency.doses_per_day


def period_end(start: date, frequency: Frequency | None, duration: Duration) -> date | None:
    """Last day of the course (inclusive), as a requested period: the day before the course
    ends, or the last dose of a course counted in doses; None when open-ended or unknown."""
    end = course_end(start, duration)
    if end is not None:
        return end - timedelta(days=1)
    if duration.doses is None or frequency is None:
        return None
    return dose_day(start, frequency, 0 if frequency.single else duration.doses - 1)
