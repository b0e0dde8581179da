"""From a prescription's free text (dose, frequency, duration) to what a 278 asks for.

Referrals write "every 4 weeks", "q8h", "daily", "12 months", "5 mg/kg": this turns them into
an administration count, the HSD delivery pattern and the requested period. Anything we
cannot read stays ``None`` and the packet says "to be confirmed" rather than inventing a
number a reviewer would approve or deny on.
"""

from __future__ import annotations

import calendar
import math
import re
from dataclasses import dataclass
from datetime import date, timedelta

from intake.x12.t278.request import DeliveryPattern

_NUMBER = r"(\d+(?:\.\d+)?)"
_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "eight": 8,
    "twelve": 12,
    "other": 2,
}
_UNITS = {
    "day": "day",
    "days": "day",
    "week": "week",
    "weeks": "week",
    "wk": "week",
    "wks": "week",
    "month": "month",
    "months": "month",
    "mo": "month",
    "year": "year",
    "years": "year",
    "hour": "hour",
    "hours": "hour",
    "hr": "hour",
    "hrs": "hour",
    "h": "hour",
}
_EVERY = re.compile(
    r"(?:every|q|each)\s*(\d+|one|two|three|four|six|eight|twelve|other)?\s*"
    r"(hours?|hrs?|h|days?|weeks?|wks?|months?|mo|years?)\b"
)
_SIMPLE = {
    "daily": ("day", 1),
    "once daily": ("day", 1),
    "qd": ("day", 1),
    "weekly": ("week", 1),
    "once weekly": ("week", 1),
    "monthly": ("month", 1),
    "once monthly": ("month", 1),
    "biweekly": ("week", 2),
}
_PER_DAY = {
    "twice daily": 2,
    "bid": 2,
    "three times daily": 3,
    "tid": 3,
    "four times daily": 4,
    "qid": 4,
}
_DURATION = re.compile(rf"{_NUMBER}\s*(days?|weeks?|wks?|months?|mo|years?)\b")
_DOSE = re.compile(rf"{_NUMBER}\s*(mg|g|mcg)\s*(/\s*kg)?\b", re.IGNORECASE)
_MG = {"mg": 1.0, "g": 1000.0, "mcg": 0.001}


@dataclass(frozen=True, slots=True)
class Interval:
    """Every ``count`` ``unit`` (hours, days, weeks, months, years)."""

    unit: str
    count: int

    @property
    def days(self) -> float:
        return (
            self.count
            * {"hour": 1 / 24, "day": 1, "week": 7, "month": 30.4375, "year": 365.25}[self.unit]
        )


def parse_frequency(text: str) -> Interval | None:
    """``every 4 weeks`` → 4 weeks; ``q8h`` → 8 hours; ``twice daily`` → 12 hours."""
    t = " ".join(text.lower().replace("-", " ").split())
    for phrase, per_day in _PER_DAY.items():
        if re.search(rf"\b{phrase}\b", t):
            return Interval("hour", 24 // per_day)
    m = _EVERY.search(t)
    if m:
        raw = m.group(1) or "1"
        count = int(raw) if raw.isdigit() else _WORDS[raw]
        return Interval(_UNITS[m.group(2)], count) if count > 0 else None
    for phrase, (unit, count) in _SIMPLE.items():
        if re.search(rf"\b{phrase}\b", t):
            return Interval(unit, count)
    return None


def add_months(start: date, months: int) -> date:
    month = start.month - 1 + months
    year = start.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def parse_duration(text: str) -> Interval | None:
    """``6 months`` → 6 months; ``14 days`` → 14 days."""
    m = _DURATION.search(text.lower())
    if not m:
        return None
    count = float(m.group(1))
    if count <= 0 or count != int(count):
        return None
    return Interval(_UNITS[m.group(2)], int(count))


def period_end(start: date, duration: Interval) -> date:
    """The last day of a course of ``duration`` starting ``start`` (inclusive)."""
    if duration.unit == "month":
        return add_months(start, duration.count) - timedelta(days=1)
    if duration.unit == "year":
        return add_months(start, 12 * duration.count) - timedelta(days=1)
    return start + timedelta(days=math.ceil(duration.days) - 1)


def dose_mg(dose: str, weight_kg: float | None) -> float | None:
    """Milligrams per administration; weight-based doses need the weight."""
    m = _DOSE.search(dose)
    if not m:
        return None
    mg = float(m.group(1)) * _MG[m.group(2).lower()]
    if m.group(3):
        return None if weight_kg is None else mg * weight_kg
    return mg


_HSD_UNIT = {"hour": "DA", "day": "DA", "week": "WK", "month": "MO", "year": "YR"}
_HSD_PERIOD = {"day": "7", "week": "35", "month": "34", "year": "21"}


@dataclass(frozen=True, slots=True)
class Course:
    """The requested course: how often, how long, how many administrations."""

    start: date
    end: date | None
    frequency: Interval | None
    duration: Interval | None

    @property
    def days(self) -> int | None:
        return None if self.end is None else (self.end - self.start).days + 1

    @property
    def administrations(self) -> int | None:
        if self.frequency is None or self.days is None:
            return None
        return max(1, math.ceil(self.days / self.frequency.days - 1e-9))

    @property
    def continuous(self) -> bool:
        """Daily or more often: per diem for every day, nursing weekly (line care)."""
        return self.frequency is not None and self.frequency.days <= 1

    def delivery(self) -> DeliveryPattern | None:
        """HSD: 1 visit per day (N per day), or 1 every N weeks/months, for the duration."""
        f, d = self.frequency, self.duration
        if f is None:
            return None
        if f.unit == "hour":
            quantity, unit, modulus = max(1, round(24 / f.count)), "DA", None
        else:
            quantity, unit, modulus = 1, _HSD_UNIT[f.unit], f.count if f.count > 1 else None
        return DeliveryPattern(
            "VS",
            quantity,
            unit,
            modulus,
            _HSD_PERIOD.get(d.unit, "") if d else "",
            d.count if d else None,
        )


def plan_course(frequency: str, duration: str, start: date) -> Course:
    d = parse_duration(duration)
    return Course(start, period_end(start, d) if d else None, parse_frequency(frequency), d)
