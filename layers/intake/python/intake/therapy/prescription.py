"""The one reader of a prescription's free text (dose, frequency, duration) and its dosing days.

Clinics write these by hand ("5 mg/kg", "every 8 weeks", "q8h", "12 months"). The copay
estimate and the prior-authorization request both need them, and two readings of the same
prescription could price 7 infusions while asking the payer to authorize 6; so both read them
here. Readers are strict: text that matches no known spelling raises ``PrescriptionError``
naming it, rather than guessing a schedule a patient would be billed or a payer would approve on.
Readings are pure and immutable, so they are cached by text (the estimate and the 278 read the
same prescription). Dosing days step from the start by whole intervals (``start + n * interval``, calendar months
for monthly schedules), so the count never depends on an average month length.

Schedules may open with loading doses ("weeks 0, 2 and 6, then every 8 weeks"; "days 1 and 15,
then every 6 months"), be capped by a count ("every 4 weeks x 6 doses"), and give the loading
doses another size ("300 mg x 2, then 600 mg"). Each ``PrescriptionError`` names the referral
field it came from (``therapy.dose``, ``therapy.frequency``, ``therapy.duration``) so the workflow
can send the referral to review with that field, rather than estimate nothing in silence.
"""

from __future__ import annotations

import calendar
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

Measure = Literal["mg", "units"]

MAX_DATES = 2000
"""A course longer than this (five years of daily doses) is a typo, not a plan."""


DOSE_FIELD = "therapy.dose"
FREQUENCY_FIELD = "therapy.frequency"
DURATION_FIELD = "therapy.duration"


class PrescriptionError(ValueError):
    """Prescription text that cannot be read; the message quotes it and suggests a spelling,
    ``field`` names the referral field to correct (``therapy.frequency``...)."""

    def __init__(self, message: str, field: str = "therapy") -> None:
        super().__init__(message)
        self.field = field


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
    loading_days: tuple[int, ...] = ()
    """Loading doses as days after the first (weeks 0, 2, 6 → 0, 14, 42); the interval then
    runs from the last of them (or from the first dose when ``from_first``)."""
    count: int | None = None
    """A cap on dosing days written into the frequency ("every 4 weeks x 6 doses")."""
    from_first: bool = False

    @property
    def repeating(self) -> bool:
        return self.every_days is not None or self.every_months is not None

    @property
    def single(self) -> bool:
        """One dose and no more (no interval, no loading schedule)."""
        return not self.repeating and not self.loading_days

    @property
    def finite(self) -> bool:
        """The frequency alone ends the course (a count, a single dose, loading doses only)."""
        return self.count is not None or not self.repeating

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


@functools.lru_cache(maxsize=512)
def parse_dose(text: str) -> Dose:
    """``5 mg/kg`` → 5 mg per kg; ``0.4 g/kg`` → 400 mg per kg; ``1,000 mg``; ``100 units``."""
    m = _DOSE_RE.match(text.replace(",", ""))
    unit = _TO_BASE.get(m.group("unit").lower()) if m else None
    if m is None or unit is None:
        raise PrescriptionError(
            f"cannot read the dose '{text}': write an amount and unit such as '600 mg', "
            "'5 mg/kg', '0.4 g/kg' or '300 mg x 2, then 600 mg'",
            DOSE_FIELD,
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


def _interval(text: str, t: str) -> Frequency | None:
    """One interval in normalized text ``t`` (None: not one)."""
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
    return None


# A pattern searched for that starts with ``\s*`` starts only where a run of spaces does
# (``(?<!\s)``): the same leftmost match, without re-trying from every space of a long run
# (quadratic). tests/unit/test_regex_backtracking.py feeds each pattern 100 KB of its worst.
_THEN_RE = re.compile(r"(?<!\s)\s*(?:[,;]\s*)?(?:and\s+)?(?:then|followed by|maintenance:?)\s+")
_COUNT_RE = re.compile(
    rf"(?<!\s)\s*(?:[,;]\s*)?(?:\(\s*)?(?:x|\u00d7|for)\s*{_NUM}\s*"
    r"(?:total\s+)?(?:doses?|infusions?|treatments?|times)?\s*\)?$"
)
_LOADING_PREFIX_RE = re.compile(r"^(?:(?:loading|induction)(?:\s+doses?)?:?\s*)?(?:(?:at|on)\s+)?")
# One way to read each separator (its spaces belong to it alone): "0, and  2" with a
# trailing ``\s*`` could split its spaces two ways per separator, 2^n ways to fail.
_LIST = rf"{_NUM}(?:\s*(?:,\s*(?:and\s+)?|and\s+|&\s*){_NUM})*"
_UNIT_FIRST_RE = re.compile(rf"^(?P<unit>weeks?|wks?|days?)\s+(?P<list>{_LIST})$")
_UNIT_LAST_RE = re.compile(rf"^(?P<list>{_LIST})\s+(?P<unit>weeks?|wks?|days?)$")


def _offsets(t: str) -> tuple[int, ...] | None:
    """ "weeks 0, 2 and 6" → (0, 14, 42); "days 1 and 15" → (0, 14) (day 1 is the first dose;
    a list that names day 0 counts from 0)."""
    t = _LOADING_PREFIX_RE.sub("", t).strip()
    t = re.sub(r"(?<=\S)\s+(?:days?|weeks?|wks?)\s+(?=\d)", " ", t)  # "day 1 and day 15"
    m = _UNIT_FIRST_RE.match(t) or _UNIT_LAST_RE.match(t)
    if m is None:
        return None
    numbers = [_number(n) for n in re.findall(rf"{_NUM}", m.group("list"))]
    if m.group("unit").startswith("d"):
        base = 0 if 0 in numbers else 1
        days = [n - base for n in numbers]
    else:
        days = [7 * n for n in numbers]
    if min(days) != 0 or days != sorted(set(days)):
        return None  # the first listed dose is the first dose, and they go forward
    return tuple(days)


@functools.lru_cache(maxsize=512)
def parse_frequency(text: str) -> Frequency:
    """An interval (``every 8 weeks``, ``every 6 months``, ``q8h``), optionally after loading
    doses (``weeks 0, 2 and 6, then every 8 weeks``) and capped by a count (``every 4 weeks x 6
    doses``). The interval after loading doses runs from the last of them, as in "at weeks 0, 2
    and 6, then every 8 weeks" (week 14 next), unless it says ``from the first dose``.

    Hours become doses a day when they divide a day (q4h, q6h, q8h, q12h, q24h) or whole days
    when a multiple of one (q48h); a range ("every 3-4 weeks") takes the shorter interval, the
    most doses, so neither the estimate nor the authorization request falls short."""
    t = _normalize(text).removesuffix(" thereafter")
    count: int | None = None
    if m := _COUNT_RE.search(t):
        count, t = _number(m.group(1)), t[: m.start()].strip()
    from_first = t.endswith(" from the first dose") or t.endswith(" from first dose")
    t = re.sub(r" from (?:the )?first dose$", "", t).removesuffix(" thereafter").strip()
    parts = _THEN_RE.split(t, maxsplit=1)
    loading: tuple[int, ...] = ()
    if len(parts) == 2:
        found = _offsets(parts[0])
        if found is not None:
            loading, t = found, parts[1].strip()
    elif (found := _offsets(t)) is not None and len(found) > 1:
        loading, t = found, ""
    interval = _interval(text, t) if t else Frequency(None, None, 1, text)
    if interval is not None and (count is None or count > 0):
        if not loading and count is None:
            return interval
        return Frequency(
            interval.every_days,
            interval.every_months,
            interval.doses_per_day,
            text,
            loading,
            count,
            from_first and bool(loading),
        )
    raise PrescriptionError(
        f"cannot read the frequency '{text}': write e.g. 'every 8 weeks', 'every 6 months', "
        "'daily', 'every 12 hours', 'weeks 0, 2 and 6, then every 8 weeks' or "
        "'every 4 weeks x 6 doses'",
        FREQUENCY_FIELD,
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


@functools.lru_cache(maxsize=512)
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
        "or 'ongoing'",
        DURATION_FIELD,
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
    """The ``n``-th step of the interval from ``start`` (0 = start), so months never drift."""
    if frequency.every_months is not None:
        return add_months(start, n * frequency.every_months)
    return start + timedelta(days=n * (frequency.every_days or 0))


def _schedule(start: date, frequency: Frequency) -> Iterator[date]:
    """Every dosing day the frequency gives, without the course's end."""
    if frequency.loading_days:
        loading = [start + timedelta(days=d) for d in frequency.loading_days]
        yield from loading
        if not frequency.repeating:
            return
        anchor = start if frequency.from_first else loading[-1]
        for n in range(1, MAX_DATES + 1):
            day = dose_day(anchor, frequency, n)
            if day > loading[-1]:
                yield day
        return
    if frequency.single:
        yield start
        return
    for n in range(MAX_DATES):
        yield dose_day(start, frequency, n)


def is_open_ended(frequency: Frequency, duration: Duration) -> bool:
    """Nothing ends the course: no duration, no count, and a repeating interval."""
    return duration.open_ended and not frequency.finite


def dosing_days(start: date, frequency: Frequency, duration: Duration) -> Iterator[date]:
    """Dosing days from ``start`` until the course ends (exclusive), its dose count (the
    duration's or the frequency's, the smaller) is reached, or ``MAX_DATES`` (an open-ended
    course goes on until the caller stops)."""
    end = course_end(start, duration)
    counts = [c for c in (duration.doses, frequency.count) if c is not None]
    limit = min(counts) if counts else MAX_DATES
    for n, day in enumerate(_schedule(start, frequency)):
        if n >= limit or (end is not None and day >= end):
            return
        yield day


def administrations(start: date, frequency: Frequency, duration: Duration) -> int | None:
    """Doses over the whole course (dosing days x doses a day); None when open-ended."""
    if is_open_ended(frequency, duration):
        return None
    return sum(1 for _ in dosing_days(start, frequency, duration)) * frequency.doses_per_day


def period_end(start: date, frequency: Frequency | None, duration: Duration) -> date | None:
    """Last day of the course (inclusive), as a requested period: the day before the course
    ends, or the last dose of a course counted in doses; None when open-ended or unknown."""
    end = course_end(start, duration)
    if end is not None:
        return end - timedelta(days=1)
    if frequency is None or is_open_ended(frequency, duration):
        return None
    last = None
    for last in dosing_days(start, frequency, duration):  # noqa: B007 (the last one is wanted)
        pass
    return last


@dataclass(frozen=True, slots=True)
class DosePlan:
    """What each dose is: a loading dose of another size for the first ``loading_count`` doses
    ("300 mg x 2, then 600 mg"), then the maintenance dose."""

    maintenance: Dose
    loading: Dose | None = None
    loading_count: int | None = None
    """Doses at the loading size (None: as many as the frequency's loading doses, else one)."""

    def for_dose(self, index: int, frequency: Frequency | None = None) -> Dose:
        """The dose given on the ``index``-th dosing day (0 = first)."""
        if self.loading is None:
            return self.maintenance
        count = self.loading_count
        if count is None:
            count = len(frequency.loading_days) if frequency and frequency.loading_days else 1
        return self.loading if index < count else self.maintenance

    @property
    def doses(self) -> tuple[Dose, ...]:
        return (self.maintenance,) if self.loading is None else (self.loading, self.maintenance)


_LOADING_WORDS_RE = re.compile(
    r"^(?:(?:a\s+)?(?:loading|induction|initial)(?:\s+doses?)?\s*(?:of|:)?\s*)"
    r"|(?<!\s)\s*\((?:loading|induction|initial)(?:\s+doses?)?\)"
    r"|(?<!\s)\s*(?:loading|induction|initial)(?:\s+doses?)?$"
)
_LOADING_COUNT_RE = re.compile(
    rf"(?<!\s)\s*(?:x|\u00d7|for(?:\s+the)?(?:\s+first)?|\(first)\s*{_NUM}\s*"
    r"(?:doses?|infusions?|times)?\s*\)?$"
)
_MAINTENANCE_WORDS_RE = re.compile(
    r"^(?:maintenance(?:\s+doses?)?\s*(?:of|:)?\s*)|(?<!\s)\s*(?:thereafter|maintenance)$"
)


@functools.lru_cache(maxsize=512)
def parse_dose_plan(text: str) -> DosePlan:
    """``5 mg/kg``; ``300 mg x 2, then 600 mg``; ``loading 10 mg/kg then 5 mg/kg``."""
    t = text.strip()
    parts = _THEN_RE.split(t.lower(), maxsplit=1)
    if len(parts) == 1:
        return DosePlan(parse_dose(t))
    first, rest = (p.strip(" ,;") for p in parts)
    count: int | None = None
    if m := _LOADING_COUNT_RE.search(first):
        count, first = _number(m.group(1)), first[: m.start()]
    first = _LOADING_WORDS_RE.sub("", first).strip(" ,;")
    rest = _MAINTENANCE_WORDS_RE.sub("", rest).strip(" ,;")
    try:
        return DosePlan(parse_dose(rest), parse_dose(first), count)
    except PrescriptionError:
        raise PrescriptionError(
            f"cannot read the dose '{text}': write e.g. '5 mg/kg' or a loading dose then the "
            "maintenance dose, '300 mg x 2, then 600 mg'",
            DOSE_FIELD,
        ) from None
