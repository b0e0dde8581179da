"""Nurse visits: when a nurse comes, and how a visit is coded (CPT 99601 and +99602).

Infusions a week or more apart each get a nurse for the drug's visit length. Doses more often
than weekly are given by the patient or caregiver after teaching: a nurse comes the first day,
then weekly (line care, labs).

The coding rule is data (``intake/data/nursing_time.json``, each value with its source):
99601 covers a visit up to 2 hours; +99602 is each additional hour, and a remaining part of an
hour counts as one more only once its mid-point is passed (31 minutes or more; CPT's time rule,
restated for 99602 by BCBSM, The Record, May 2013). 2 h 30 min is 99601 alone; 2 h 31 min adds
one 99602.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache
from importlib import resources

from intake.therapy.prescription import Frequency


@dataclass(frozen=True, slots=True)
class NursingTimeRule:
    """CPT's units of time for a home infusion visit, as ``nursing_time.json`` gives them."""

    first_visit_code: str
    first_visit_minutes: int
    extra_hour_code: str
    extra_hour_minutes: int
    partial_hour_min_minutes: int

    def units(self, minutes: int) -> list[tuple[str, int]]:
        """99601 once, and 99602 for each full hour past the first two plus one for a
        remainder of at least ``partial_hour_min_minutes``."""
        if minutes <= 0:
            return []
        extra = max(minutes - self.first_visit_minutes, 0)
        full, rest = divmod(extra, self.extra_hour_minutes)
        count = full + (1 if rest >= self.partial_hour_min_minutes else 0)
        out = [(self.first_visit_code, 1)]
        if count:
            out.append((self.extra_hour_code, count))
        return out


@cache
def nursing_time_rule() -> NursingTimeRule:
    raw = json.loads(
        resources.files("intake.data").joinpath("nursing_time.json").read_text(encoding="utf-8")
    )
    return NursingTimeRule(
        first_visit_code=str(raw["first_visit_code"]),
        first_visit_minutes=int(raw["first_visit_minutes"]),
        extra_hour_code=str(raw["extra_hour_code"]),
        extra_hour_minutes=int(raw["extra_hour_minutes"]),
        partial_hour_min_minutes=int(raw["partial_hour_min_minutes"]),
    )


NURSE_FIRST_VISIT_CODE = "99601"
"""CPT 99601: a home infusion visit, up to 2 hours (``nursing_time.json``)."""
NURSE_EXTRA_HOUR_CODE = "99602"
"""CPT 99602: each additional hour; a part-hour counts from 31 minutes (``nursing_time.json``)."""
NURSE_FIRST_HOURS = Decimal(2)
WEEKLY_VISIT_HOURS = Decimal(1)
"""Line care and labs for therapies the patient gives between visits."""
SELF_GIVEN_BELOW_DAYS = 7


def self_given(frequency: Frequency) -> bool:
    """Doses more often than weekly: the patient or caregiver gives them after teaching."""
    return frequency.every_days is not None and frequency.every_days < SELF_GIVEN_BELOW_DAYS


def visit_hours(drug_hours: Decimal, frequency: Frequency, start: date, day: date) -> Decimal:
    """Nurse hours on a dosing day (0: no visit)."""
    if not self_given(frequency) or day == start:
        return drug_hours
    return WEEKLY_VISIT_HOURS if (day - start).days % 7 == 0 else Decimal(0)


def visit_minutes(start: time, end: time) -> int:
    """Minutes from the documented visit start to its stop (same day)."""
    day = date(2000, 1, 1)
    minutes = (datetime.combine(day, end) - datetime.combine(day, start)).total_seconds() // 60
    if minutes < 0:
        raise ValueError("the visit ends before it starts")
    return int(minutes)


def nursing_units_for_minutes(minutes: int) -> list[tuple[str, int]]:
    """The CPT units of a visit of ``minutes`` (documented start to stop)."""
    return nursing_time_rule().units(minutes)


def nursing_units(hours: Decimal) -> list[tuple[str, int]]:
    """The CPT units of a visit of ``hours`` (a planned visit length; minutes rounded down)."""
    return nursing_units_for_minutes(int(hours * 60))
