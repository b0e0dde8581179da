"""The course split by plan year: deductibles and out-of-pocket maximums reset when one ends.

The 271's own plan year gets its remaining amounts (true on the day the 271 was answered);
every later plan year starts again from the plan amounts, assuming the plan renews unchanged
(stated, and confidence follows). The plan year is the 271's plan dates (DTP 291 or 346/347;
never the member's eligibility or the policy's dates, so a member who enrolled mid-year keeps
the payer's remaining amounts). Without plan dates, amounts stated per calendar year (EB06 23)
run by the calendar year; otherwise the calendar year of the day the figures were true
(``as_of``) is assumed, named, and the confidence lowered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from intake.eligibility.benefits.codes import CALENDAR_YEAR
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
    basis: str = "assumed renewal of the 271's plan year"
    """Where the year's dates come from: a DTP of the 271, EB06 23, or an assumption."""


@dataclass(frozen=True, slots=True)
class YearWalk:
    """One plan year walked: its days, the result, and the accumulators it started from."""

    year: PlanYear
    days: list[ServiceDay]
    result: Walk
    deductible: Start
    oop: Start
    before: tuple[tuple[Decimal | None, Binding], tuple[Decimal | None, Binding]]


def _calendar_amounts(benefits: BenefitsSummary) -> bool:
    """The 271's deductible and out-of-pocket amounts are per calendar year (EB06 23) and none
    says otherwise: the year is then the calendar year without any plan dates."""
    periods = {
        acc.period
        for by_network in (benefits.summary.deductible, benefits.summary.out_of_pocket)
        for levels in (by_network.in_network, by_network.out_of_network)
        for acc in (levels.individual, levels.family)
        if acc.total is not None
    }
    return periods == {CALENDAR_YEAR}


def _first_year(benefits: BenefitsSummary, as_of: date, notes: Notes) -> PlanYear:
    begin, end = benefits.plan.begin, benefits.plan.end
    if end is None and begin is not None:
        end = add_months(begin, 12) - ONE_DAY
    if end is None and _calendar_amounts(benefits):
        begin, end = date(as_of.year, 1, 1), date(as_of.year, 12, 31)
        return PlanYear(begin, end, True, "EB06 23 Calendar Year")
    if end is None:
        begin, end = date(as_of.year, 1, 1), date(as_of.year, 12, 31)
        notes.assume(
            f"the 271 gave no plan dates (DTP 291/346/347): its plan year is assumed to run "
            f"{begin.isoformat()} to {end.isoformat()}, the calendar year of {as_of.isoformat()}"
        )
        notes.doubt(
            Confidence.MEDIUM,
            "the 271 gave no plan dates: the plan year and when its amounts reset are assumed",
        )
        return PlanYear(begin, end, True, "assumed: the calendar year (no plan dates)")
    if begin is None:
        begin = add_months(end + ONE_DAY, -12)
    if as_of > end:
        notes.doubt(Confidence.MEDIUM, "the 271 describes a plan year that has ended")
        notes.assume(
            f"the 271's plan year ended {end.isoformat()}, before {as_of.isoformat()}: its "
            "remaining amounts are applied to that year only"
        )
    return PlanYear(begin, end, True, benefits.plan.dates_from or "271 plan dates")


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
