"""From a prescription's free text (dose, frequency, duration) to what a 278 asks for.

The text is read by ``intake.prescription``, the same reader the copay estimate uses, so the
administrations asked for are the infusions the patient was quoted for. This module only turns
that reading into the 278's terms: the requested period, the administration count and the HSD
delivery pattern. Anything that cannot be read stays ``None`` and the packet says "to be
confirmed" rather than inventing a number a reviewer would approve or deny on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypeVar

from intake.prescription import (
    Duration,
    Frequency,
    PrescriptionError,
    administrations,
    parse_dose,
    parse_duration,
    parse_frequency,
    period_end,
)
from intake.x12.t278.request import DeliveryPattern

_T = TypeVar("_T")


def _read(parse: Callable[[str], _T], text: str) -> _T | None:
    try:
        return parse(text)
    except PrescriptionError:
        return None


def dose_mg(dose: str, weight_kg: float | None) -> float | None:
    """Milligrams per administration; None for a unit dose, unreadable text, or a per-kg dose
    without the weight."""
    read = _read(parse_dose, dose)
    if read is None or read.measure != "mg":
        return None
    mg = read.per_administration(None if weight_kg is None else Decimal(str(weight_kg)))
    return None if mg is None else float(mg)


@dataclass(frozen=True, slots=True)
class Course:
    """The requested course: how often, how long, how many administrations."""

    start: date
    end: date | None
    """Last day of the requested period (inclusive); None when open-ended or unreadable."""
    frequency: Frequency | None
    duration: Duration | None
    administrations: int | None
    """Doses over the course (a q8h day is 3); None when open-ended or unreadable."""

    @property
    def days(self) -> int | None:
        return None if self.end is None else (self.end - self.start).days + 1

    @property
    def continuous(self) -> bool:
        """Daily or more often: per diem for every day, nursing weekly (line care)."""
        return self.frequency is not None and self.frequency.every_days == 1

    def delivery(self) -> DeliveryPattern | None:
        """HSD: N visits per day, or 1 every N days/weeks/months, for the duration; a single
        dose is one visit."""
        f, d = self.frequency, self.duration
        if f is None:
            return None
        if f.single:
            return DeliveryPattern("VS", 1)
        if f.every_months is not None:
            quantity, unit, modulus = 1, "MO", f.every_months
        elif f.every_days == 1:
            quantity, unit, modulus = f.doses_per_day, "DA", None
        elif f.every_days is not None and f.every_days % 7 == 0:
            quantity, unit, modulus = 1, "WK", f.every_days // 7
        else:
            quantity, unit, modulus = 1, "DA", f.every_days
        period, periods = ("", None) if d is None else _period(d)
        return DeliveryPattern(
            "VS", quantity, unit, modulus if modulus and modulus > 1 else None, period, periods
        )


def _period(duration: Duration) -> tuple[str, int | None]:
    """HSD05/06: months (34) or days (7); a course counted in doses has no period."""
    if duration.months is not None:
        return "34", duration.months
    if duration.days is not None:
        return "7", duration.days
    return "", None


def plan_course(frequency: str, duration: str, start: date) -> Course:
    f, d = _read(parse_frequency, frequency), _read(parse_duration, duration)
    end = None if d is None else period_end(start, f, d)
    count = None if f is None or d is None else administrations(start, f, d)
    return Course(start, end, f, d, count)
