"""The course split by plan year: deductibles and out-of-pocket maximums reset when one ends.

The 271's own plan year gets its remaining amounts (true on the day the 271 was answered);
every later plan year starts again from the plan amounts, assuming the plan renews unchanged
(stated, and confidence follows). A 271 without plan dates is taken to describe the calendar
year of the day its figures were true (``as_of``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from intake.estimate.accumulators import Binding, Start
from intake.estimate.claim import ServiceDay
from intake.estimate.explain import Notes
from intake.estimate.model import Confidence
from intake.estimate.walk import Walk
from intake.models.benefits import Accumulator, BenefitsSummary, ByLevel
from intake.therapy.prescription import add_months

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class PlanYear:
    start: date
    end: date
    from_271: bool
    """Its accumulators are the 271's remaining amounts (else reset to the plan amounts)."""


@dataclass(frozen=True, slots=True)
class YearWalk:
    """One plan year walked: its days, the result, and the accumulators it started from."""

    year: PlanYear
    days: list[ServiceDay]
    result: Walk
    deductible: Start
    oop: Start
    before: tuple[tuple[Decimal | None, Binding], tuple[Decimal | None, Binding]]


def _first_year(benefits: BenefitsSummary, as_of: date, notes: Notes) -> PlanYear:
    begin, end = benefits.plan.begin, benefits.plan.end
    if end is None and begin is not None:
        end = add_months(begin, 12) - ONE_DAY
    if end is None:
        begin, end = date(as_of.year, 1, 1), date(as_of.year, 12, 31)
        notes.assume(
            f"the 271 gave no plan dates: its plan year is assumed to run {begin.isoformat()} "
            f"to {end.isoformat()}, the calendar year of {as_of.isoformat()}"
        )
    if begin is None:
        begin = add_months(end + ONE_DAY, -12)
    if as_of > end:
        notes.doubt(Confidence.MEDIUM, "the 271 describes a plan year that has ended")
        notes.assume(
            f"the 271's plan year ended {end.isoformat()}, before {as_of.isoformat()}: its "
            "remaining amounts are applied to that year only"
        )
    return PlanYear(begin, end, True)


def plan_years(benefits: BenefitsSummary, last: date, as_of: date, notes: Notes) -> list[PlanYear]:
    """The 271's plan year and each following one up to ``last`` (the last dosing day)."""
    years = [_first_year(benefits, as_of, notes)]
    while years[-1].end < last:
        start = years[-1].end + ONE_DAY
        years.append(PlanYear(start, add_months(start, 12) - ONE_DAY, False))
    return years


def split(days: Sequence[ServiceDay], years: Sequence[PlanYear]) -> list[list[ServiceDay]]:
    """Days per plan year (days before the 271's year count in it)."""
    out: list[list[ServiceDay]] = [[] for _ in years]
    for d in days:
        index = next((i for i, y in enumerate(years) if d.day <= y.end), len(years) - 1)
        out[index].append(d)
    return out


def reset(levels: ByLevel) -> ByLevel:
    """A new plan year's accumulators: the whole plan amount left to meet."""

    def fresh(acc: Accumulator) -> Accumulator:
        return Accumulator(total=acc.total, remaining=acc.total)

    return ByLevel(individual=fresh(levels.individual), family=fresh(levels.family))
