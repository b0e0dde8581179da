"""When the infusions fall: the course from its start, cut at the end of the plan year.

Deductibles and out-of-pocket maximums reset when the plan year ends, so an estimate that ran
past it would apply this year's accumulators to next year's claims; infusions after the cut are
counted and reported instead, never priced. The dosing days themselves come from
``intake.therapy.prescription``, the same ones the prior-authorization request counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from intake.therapy.prescription import (
    MAX_DATES,
    Duration,
    Frequency,
    add_months,
    course_end,
    dosing_days,
)

__all__ = ["MAX_DATES", "Course", "add_months", "course_dates"]


@dataclass(frozen=True, slots=True)
class Course:
    dates: tuple[date, ...]
    """Dosing days within the plan year, first to last."""
    plan_year_end: date
    course_end: date | None
    """First day after the prescribed course; None when open-ended or counted in doses."""
    beyond: int | None
    """Dosing days after the plan year end (None: open-ended, unknown)."""


def course_dates(
    start: date, frequency: Frequency, duration: Duration, plan_year_end: date
) -> Course:
    """Dosing days from ``start`` every interval until the course ends (exclusive) or its dose
    count is reached; those after ``plan_year_end`` are only counted."""
    within: list[date] = []
    beyond = 0
    for day in dosing_days(start, frequency, duration):
        if day > plan_year_end:
            if duration.open_ended and not frequency.single:
                return Course(tuple(within), plan_year_end, None, None)
            beyond += 1
        else:
            within.append(day)
    return Course(tuple(within), plan_year_end, course_end(start, duration), beyond)
