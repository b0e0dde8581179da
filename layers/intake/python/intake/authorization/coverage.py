"""Does a certification cover the doses we plan? The authorization gate's arithmetic.

A payer's "certified" is only as good as its dates and units: a certification ending in
March does not cover a June dose. The gate passes only when every planned dose date (from the
one service plan the estimate and the 278 also read) falls inside some certification for the
drug; doses left outside get a request of their own before anything is scheduled.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from intake.models.referral import Referral
from intake.therapy import ServicePlan, plan_services

OPEN_ENDED_HORIZON = timedelta(days=365)
"""An open-ended course is planned (and authorized) a year at a time."""

Period = tuple[date, date]


def drug_key(referral: Referral) -> str:
    """What an authorization is for: the drug's HCPCS, else its NDC."""
    return referral.therapy.hcpcs or referral.therapy.ndc or referral.therapy.drug_name


def requested_plan(referral: Referral) -> ServicePlan:
    """The service plan a request asks for: the course from its (planned) start, ongoing
    therapy for its first year."""
    start = referral.therapy.start_date
    if start is None:
        raise ValueError(
            "plan the referral's start (intake.models.dates.planned) before requesting"
        )
    plan = plan_services(referral, start)
    if plan.open_ended:
        plan = plan_services(referral, start, through=start + OPEN_ENDED_HORIZON - timedelta(1))
    return plan


def planned_doses(plan: ServicePlan) -> tuple[date, ...]:
    """The plan's dosing days; just its start when the schedule cannot be read (the first
    dose must be covered, whatever comes after)."""
    return plan.dose_dates or (plan.start,)


def uncovered(doses: Sequence[date], periods: Iterable[Period]) -> tuple[date, ...]:
    """The doses no certification period covers (periods inclusive at both ends)."""
    spans = list(periods)
    return tuple(d for d in doses if not any(lo <= d <= hi for lo, hi in spans))


def home_ivig_listed(code: str) -> bool:
    """Whether an ICD-10-CM code is on the Medicare home IVIG list (MBPM Ch.15 §50.6), by
    exact code: no category prefix (D80.1 sits between listed codes and is not listed). The
    one predicate every Medicare home IVIG decision asks, answered from the policy's list as
    vendored with its revision (``intake/data/coverage_lists.json``)."""
    from intake.reference.coverage_lists import on_home_ivig_list

    return on_home_ivig_list(code)
