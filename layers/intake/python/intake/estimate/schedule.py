"""When the infusions fall: the course from its start, cut at the end of the plan year.

Deductibles and out-of-pocket maximums reset when the plan year ends, so an estimate that ran
past it would apply this year's accumulators to next year's claims; infusions after the cut are
counted and reported instead, never priced.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from intake.estimate.dosing import Duration, Frequency

MAX_DATES = 2000
"""A course longer than this (five years of daily doses) is a typo, not a plan."""


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month's end (Jan 31 + 1 month = Feb 28/29)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True, slots=True)
class Course:
    dates: tuple[date, ...]
    """Dosing days within the plan year, first to last."""
    plan_year_end: date
    course_end: date | None
    """First day after the prescribed course; None when open-ended or counted in doses."""
    beyond: int | None
    """Dosing days after the plan year end (None: open-ended, unknown)."""


def _nth(start: date, frequency: Frequency, n: int) -> date:
    if frequency.every_months is not None:
        return add_months(start, n * frequency.every_months)
    return start + timedelta(days=n * (frequency.every_days or 0))


def _end(start: date, duration: Duration) -> date | None:
    if duration.months is not None:
        return add_months(start, duration.months)
    if duration.days is not None:
        return start + timedelta(days=duration.days)
    return None


def course_dates(
    start: date, frequency: Frequency, duration: Duration, plan_year_end: date
) -> Course:
    """Dosing days from ``start`` every interval until the course ends (exclusive) or its dose
    count is reached; those after ``plan_year_end`` are only counted."""
    single = frequency.every_days is None and frequency.every_months is None
    end = _end(start, duration)
    limit = 1 if single else (duration.doses or MAX_DATES)
    within: list[date] = []
    beyond = 0
    for n in range(limit):
        day = _nth(start, frequency, n)
        if end is not None and day >= end:
            break
        if day > plan_year_end:
            if duration.open_ended and not single:
                return Course(tuple(within), plan_year_end, None, None)
            beyond += 1
        else:
            within.append(day)
    return Course(tuple(within), plan_year_end, end, beyond)
