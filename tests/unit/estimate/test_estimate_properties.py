"""Properties that hold for any benefits: the patient's share is never negative, never above
the allowed amount or a plan year's out-of-pocket maximum left, never falls as the deductible
grows, and the course is exactly the sum of its plan years."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from intake.estimate import estimate
from intake.estimate.model import Estimate
from intake.models.benefits import Accumulator, BenefitLine, BenefitsSummary
from intake.models.referral import Therapy
from tests.unit.estimate.builders import START, acc, benefits, infliximab, line, round_contracts

CONTRACTS = round_contracts()
money = st.decimals(min_value=0, max_value=20000, places=2, allow_nan=False, allow_infinity=False)
maybe_money = st.none() | money
percent = st.decimals(min_value=0, max_value=1, places=2)
therapies = st.sampled_from(
    [
        infliximab(),
        infliximab(frequency="every 4 weeks", duration="6 months"),
        infliximab(
            drug_name="Ertapenem", hcpcs="J1335", dose="1 g", frequency="daily", duration="14 days"
        ),
        infliximab(
            drug_name="Immune globulin",
            hcpcs="J1569",
            dose="0.4 g/kg",
            frequency="every 3 weeks",
            duration="ongoing",
        ),
    ]
)


@st.composite
def cost_lines(draw: st.DrawFn, in_network: bool) -> tuple[BenefitLine, ...]:
    """Coinsurance and/or copay at plan level and maybe for home health (42/44)."""
    out: list[BenefitLine] = []
    for types in (("30",), ("42", "44")):
        if draw(st.booleans()):
            out.append(line("A", types, in_network=in_network, percent=str(draw(percent))))
        if draw(st.booleans()):
            out.append(
                line(
                    "B",
                    types,
                    in_network=in_network,
                    amount=str(draw(st.decimals(min_value=0, max_value=200, places=2))),
                )
            )
    return tuple(out)


@st.composite
def _accumulator(draw: st.DrawFn) -> tuple[str | None, str | None]:
    """(plan amount, remaining): either may be missing; remaining never above the amount."""
    total, remaining = draw(maybe_money), draw(maybe_money)
    if total is not None and remaining is not None and remaining > total:
        total, remaining = remaining, total
    return _s(total), _s(remaining)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[BenefitsSummary, Therapy, Decimal]:
    out_of_network = draw(st.booleans())
    summary = benefits(
        payer_id="OON" if out_of_network else "PPO",
        lines=draw(cost_lines(not out_of_network)),
        deductible=acc(*draw(_accumulator())),
        family_deductible=acc(*draw(_accumulator())),
        oop=acc(*draw(_accumulator())),
        family_oop=acc(*draw(_accumulator())),
        out_of_network=out_of_network,
    )
    weight = draw(st.decimals(min_value=20, max_value=200, places=1))
    return summary, draw(therapies), weight


def _s(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _run(summary: BenefitsSummary, therapy: Therapy, weight: Decimal, delay: int = 0) -> Estimate:
    start = START + timedelta(days=delay)
    return estimate(summary, therapy, weight_kg=weight, start=start, contracts=CONTRACTS)


def _oop_left(summary: BenefitsSummary, in_network: bool, first_year: bool) -> Decimal | None:
    """The out-of-pocket maximum left at a plan year's start, from the inputs: the 271's
    remainder (else its plan amount) in its own year, the plan amount in later years."""
    side = (
        summary.summary.out_of_pocket.in_network
        if in_network
        else (summary.summary.out_of_pocket.out_of_network)
    )
    levels = (side.individual, side.family)
    if first_year:
        known = [a.remaining if a.remaining is not None else a.total for a in levels]
    else:
        known = [a.total for a in levels]
    values = [v for v in known if v is not None]
    return min(values) if values else None


delays = st.integers(min_value=0, max_value=420)
"""Start up to 14 months after 2026-01-05: courses inside, across and after the 271's year."""


@settings(max_examples=150, deadline=None)
@given(scenarios(), delays)
def test_patient_share_is_between_zero_allowed_and_each_years_oop_left(
    scenario: tuple[BenefitsSummary, Therapy, Decimal], delay: int
) -> None:
    summary, therapy, weight = scenario
    e = _run(summary, therapy, weight, delay)
    assert Decimal(0) <= e.course.patient <= e.course.allowed
    for infusion in e.infusions:
        assert Decimal(0) <= infusion.patient <= infusion.allowed
        assert infusion.plan >= 0
    for year in e.plan_years:
        left = _oop_left(summary, e.in_network, year.from_271)
        if left is not None:
            assert year.patient <= left


@settings(max_examples=150, deadline=None)
@given(scenarios(), delays)
def test_course_is_the_sum_of_its_plan_years(
    scenario: tuple[BenefitsSummary, Therapy, Decimal], delay: int
) -> None:
    summary, therapy, weight = scenario
    e = _run(summary, therapy, weight, delay)
    assert e.course.allowed == sum(y.allowed for y in e.plan_years)
    assert e.course.patient == sum(y.patient for y in e.plan_years)
    assert e.course.plan == sum(y.plan for y in e.plan_years)
    assert e.course.infusions == sum(y.infusions for y in e.plan_years) == len(e.infusions)
    for y in e.plan_years:
        assert y.infusions == sum(1 for i in e.infusions if y.start <= i.date <= y.end)


@settings(max_examples=150, deadline=None)
@given(scenarios(), money, money)
def test_patient_share_never_falls_as_the_deductible_grows(
    scenario: tuple[BenefitsSummary, Therapy, Decimal],
    smaller: Decimal,
    larger: Decimal,
) -> None:
    summary, therapy, weight = scenario
    low, high = sorted((smaller, larger))

    def with_deductible(remaining: Decimal) -> BenefitsSummary:
        side = "out_of_network" if summary.payer.id == "OON" else "in_network"
        ded = summary.summary.deductible.model_copy(
            update={
                side: getattr(summary.summary.deductible, side).model_copy(
                    update={"individual": Accumulator(remaining=remaining)}
                )
            }
        )
        return summary.model_copy(
            update={"summary": summary.summary.model_copy(update={"deductible": ded})}
        )

    assert (
        _run(with_deductible(high), therapy, weight).course.patient
        >= _run(with_deductible(low), therapy, weight).course.patient
    )
