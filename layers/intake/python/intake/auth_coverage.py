"""Does a certification cover the doses we plan? The authorization gate's arithmetic.

A payer's "certified" is only as good as its dates and units: a certification ending in
March does not cover a June dose, and one certified for 2 of 8 doses does not cover the third.
The gate passes only when every planned dose date falls inside some certification for the drug;
doses left outside get a request of their own before anything is scheduled.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from intake.models.referral import Referral
from intake.prescription import (
    PrescriptionError,
    course_end,
    dosing_days,
    parse_duration,
    parse_frequency,
)

OPEN_ENDED_HORIZON = timedelta(days=365)
"""An open-ended course is planned (and authorized) a year at a time."""

Period = tuple[date, date]


def drug_key(referral: Referral) -> str:
    """What an authorization is for: the drug's HCPCS, else its NDC."""
    return referral.therapy.hcpcs or referral.therapy.ndc or referral.therapy.drug_name


def planned_doses(referral: Referral) -> tuple[date, ...]:
    """The dosing days of the course from its (planned) start; just the start when the
    schedule cannot be read (the first dose must be covered, whatever comes after)."""
    start = referral.therapy.start_date
    if start is None:
        return ()
    try:
        frequency = parse_frequency(referral.therapy.frequency)
        duration = parse_duration(referral.therapy.duration)
    except PrescriptionError:
        return (start,)
    horizon = course_end(start, duration) or start + OPEN_ENDED_HORIZON
    days: list[date] = []
    for day in dosing_days(start, frequency, duration):
        if day >= horizon:
            break
        days.append(day)
    return tuple(days) or (start,)


def uncovered(doses: Sequence[date], periods: Iterable[Period]) -> tuple[date, ...]:
    """The doses no certification period covers (periods inclusive at both ends)."""
    spans = list(periods)
    return tuple(d for d in doses if not any(lo <= d <= hi for lo, hi in spans))


def remaining_course(referral: Referral, first_uncovered: date, last_dose: date) -> Referral:
    """The referral as a request for the uncovered part: from the first uncovered dose to
    the last planned one, so the 278 asks for exactly those dates and their units."""
    days = (last_dose - first_uncovered).days + 1
    therapy = referral.therapy.model_copy(
        update={"start_date": first_uncovered, "duration": f"{days} days"}
    )
    return referral.model_copy(update={"therapy": therapy})
