"""Nurse visits: when a nurse comes, and how a visit is coded (CPT 99601 and +99602).

Infusions a week or more apart each get a nurse for the drug's visit length. Doses more often
than weekly are given by the patient or caregiver after teaching: a nurse comes the first day,
then weekly (line care, labs).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_CEILING, Decimal

from intake.therapy.prescription import Frequency

NURSE_FIRST_VISIT_CODE = "99601"
"""CPT 99601: a home infusion visit, up to 2 hours."""
NURSE_EXTRA_HOUR_CODE = "99602"
"""CPT 99602: each additional hour (any part of an hour is billed as one)."""
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


def nursing_units(hours: Decimal) -> list[tuple[str, int]]:
    """99601 for the first 2 hours; 99602 for each further hour or part of one."""
    extra = max(hours - NURSE_FIRST_HOURS, Decimal(0))
    units = [(NURSE_FIRST_VISIT_CODE, 1)]
    if extra:
        units.append((NURSE_EXTRA_HOUR_CODE, int(extra.to_integral_value(rounding=ROUND_CEILING))))
    return units
