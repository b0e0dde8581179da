"""Home health visit limits, applied to nursing: visits past the limit are not covered.

Only visit quantities count (EB09 VS, on the nursing service types 44 and 42): the 271's
remainder (EB06 29) for its own plan year, the plan-year limit for the years after.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from intake.eligibility.benefits.parts import CostShareRule
from intake.estimate.claim import ServiceDay
from intake.estimate.explain import Notes
from intake.estimate.plan_years import PlanYear
from intake.models.benefits import BenefitsSummary, VisitLimit
from intake.models.billing import Component

NURSING_TYPES = frozenset({"44", "42"})
_LIFETIME = frozenset({"32", "33"})


def visits_left(
    benefits: BenefitsSummary, in_network: bool, from_271: bool
) -> tuple[int, VisitLimit] | None:
    limits = [
        v
        for v in benefits.visit_limits
        if v.in_network in (in_network, None)
        and NURSING_TYPES & set(v.service_types)
        and v.time_period not in _LIFETIME
    ]
    remaining = [v for v in limits if v.time_period == "29"]
    totals = [v for v in limits if v.time_period != "29"]
    chosen = (remaining or totals) if from_271 else totals
    if not chosen:
        return None
    best = min(chosen, key=lambda v: v.quantity)
    return int(best.quantity), best


def visit_overrides(
    benefits: BenefitsSummary,
    year: PlanYear,
    days: Sequence[ServiceDay],
    in_network: bool,
    notes: Notes,
) -> Mapping[int, Mapping[Component, CostShareRule]]:
    """Day number → nursing not covered, for visit days past the plan year's limit."""
    found = visits_left(benefits, in_network, year.from_271)
    if found is None:
        return {}
    visit_days = [d for d in days if any(c.component is Component.NURSING for c in d.charges)]
    if len(visit_days) <= found[0]:
        return {}
    left, limit = found
    words = "left" if limit.time_period == "29" else "a plan year"
    rule = CostShareRule(
        None,
        None,
        True,
        f"not covered: past the plan's {left} home health visits {words} "
        f"(271 EB {limit.code}, {Decimal(limit.quantity).normalize():f} VS)",
    )
    notes.assume(
        f"plan year from {year.start.isoformat()}: {len(visit_days)} nurse visits planned, the "
        f"plan covers {left}; the other {len(visit_days) - left} are the patient's to pay"
    )
    return {d.number: {Component.NURSING: rule} for d in visit_days[left:]}
