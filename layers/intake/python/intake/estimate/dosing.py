"""Read the prescription's free text (dose, frequency, duration) into numbers.

Clinics write these by hand ("5 mg/kg", "every 8 weeks", "q8h", "12 months"), so each reader
accepts the common spellings and raises an ``EstimateError`` naming the text it could not read,
rather than guessing a schedule that would misstate what the patient owes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Literal

from intake.estimate.contracts import BillingUnit
from intake.estimate.errors import EstimateError

Measure = Literal["mg", "units"]

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


@dataclass(frozen=True, slots=True)
class Dose:
    amount: Decimal
    """In ``measure`` (mg for any mass)."""
    measure: Measure
    per_kg: bool


@dataclass(frozen=True, slots=True)
class Frequency:
    """How often: a dosing interval in days or months, and doses given on a dosing day."""

    every_days: int | None
    every_months: int | None
    doses_per_day: int
    text: str

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


def parse_dose(text: str) -> Dose:
    m = _DOSE_RE.match(text.replace(",", ""))
    unit = _TO_BASE.get(m.group("unit").lower()) if m else None
    if m is None or unit is None:
        raise EstimateError(
            f"cannot read the dose '{text}': write an amount and unit such as '600 mg', "
            "'5 mg/kg' or '0.4 g/kg'"
        )
    measure, factor = unit
    return Dose(Decimal(m.group("amount")) * factor, measure, m.group("per") is not None)


def billing_units(
    dose: Dose, weight_kg: Decimal | None, unit: BillingUnit, doses_per_day: int = 1
) -> int:
    """Whole billing units for one dosing day: payers pay whole units, so round up."""
    if dose.measure != unit.measure:
        raise EstimateError(
            f"the dose is in {dose.measure} but the drug is billed per {unit.amount} {unit.measure}"
        )
    if dose.per_kg and weight_kg is None:
        raise EstimateError("a per-kg dose needs the patient's weight")
    amount = dose.amount * (weight_kg if dose.per_kg and weight_kg is not None else 1)
    units = (amount * doses_per_day / unit.amount).to_integral_value(rounding=ROUND_CEILING)
    return max(int(units), 1)


def _number(token: str) -> int:
    return int(token) if token.isdigit() else _WORDS[token]


_NUM = r"(\d+|" + "|".join(_WORDS) + ")"
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
_FIXED = {
    "weekly": (7, None),
    "once a week": (7, None),
    "once weekly": (7, None),
    "every week": (7, None),
    "every other week": (14, None),
    "biweekly": (14, None),
    "monthly": (None, 1),
    "once a month": (None, 1),
    "every month": (None, 1),
    "once": (None, None),
    "one time": (None, None),
    "single dose": (None, None),
}
_HOURS_RE = re.compile(r"^(?:every|q)\s*(\d+)\s*(?:h|hr|hrs|hours?)$")
_EVERY_RE = re.compile(
    rf"^(?:every|q)\s*{_NUM}(?:\s*(?:-|to)\s*{_NUM})?\s*(d|days?|w|wks?|weeks?|mo|months?)$"
)


def parse_frequency(text: str) -> Frequency:
    t = re.sub(r"\s+", " ", text.strip().lower().replace(".", ""))
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
        n = _number(m.group(1))  # "every 3-4 weeks": the shorter interval, the higher cost
        unit = m.group(3)
        if n > 0:
            if unit.startswith("mo"):
                return Frequency(None, n, 1, text)
            return Frequency(n * (1 if unit.startswith("d") else 7), None, 1, text)
    raise EstimateError(
        f"cannot read the frequency '{text}': write e.g. 'every 8 weeks', 'every 6 months', "
        "'daily' or 'every 12 hours'"
    )


_OPEN = (
    "ongoing",
    "indefinite",
    "indefinitely",
    "chronic",
    "long term",
    "long-term",
    "lifelong",
    "maintenance",
    "until further notice",
    "continuous",
)
_DURATION_RE = re.compile(
    rf"^(?:for\s+)?{_NUM}\s*(d|days?|w|wks?|weeks?|mo|months?|y|yrs?|years?|"
    r"doses?|infusions?|treatments?)$"
)


def parse_duration(text: str) -> Duration:
    t = re.sub(r"\s+", " ", text.strip().lower())
    if t in ("1 year", "one year", "a year", "12 months", "twelve months"):
        return Duration(months=12)
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
    raise EstimateError(
        f"cannot read the duration '{text}': write e.g. '12 months', '14 days', '6 doses' "
        "or 'ongoing'"
    )
