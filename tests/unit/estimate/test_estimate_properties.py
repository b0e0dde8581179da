"""Properties that hold for any benefits: the patient's share is never negative, never above
the allowed amount or the out-of-pocket maximum left, and never falls as the deductible grows."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from intake.benefits.summary import Accumulator, BenefitLine, BenefitsSummary
from intake.estimate import estimate
from intake.estimate.model import Estimate
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
def scenarios(draw: st.DrawFn) -> tuple[BenefitsSummary, Therapy, Decimal]:
    out_of_network = draw(st.booleans())
    summary = benefits(
        payer_id="OON" if out_of_network else "PPO",
        lines=draw(cost_lines(not out_of_network)),
        deductible=acc(remaining=_s(draw(maybe_money))),
        family_deductible=acc(remaining=_s(draw(maybe_money))),
        oop=acc(remaining=_s(draw(maybe_money))),
        family_oop=acc(remaining=_s(draw(maybe_money))),
        out_of_network=out_of_network,
    )
    weight = draw(st.decimals(min_value=20, max_value=200, places=1))
    return summary, draw(therapies), weight


def _s(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _run(summary: BenefitsSummary, therapy: Therapy, weight: Decimal) -> Estimate:
    return estimate(summary, therapy, weight_kg=weight, start=START, contracts=CONTRACTS)


def _oop_left(summary: BenefitsSummary, in_network: bool) -> Decimal | None:
    side = (
        summary.summary.out_of_pocket.in_network
        if in_network
        else (summary.summary.out_of_pocket.out_of_network)
    )
    known = [a.remaining for a in (side.individual, side.family) if a.remaining is not None]
    return min(known) if known else None


@settings(max_examples=150, deadline=None)
@given(scenarios())
def test_patient_share_is_between_zero_allowed_and_oop_left(
    scenario: tuple[BenefitsSummary, Therapy, Decimal],
) -> None:
    summary, therapy, weight = scenario
    e = _run(summary, therapy, weight)
    assert Decimal(0) <= e.course.patient <= e.course.allowed
    for infusion in e.infusions:
        assert Decimal(0) <= infusion.patient <= infusion.allowed
        assert infusion.plan >= 0
    left = _oop_left(summary, e.in_network)
    if left is not None:
        assert e.course.patient <= left


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
