"""Turn the walked course into the parts of an ``Estimate``: every amount rounded once, here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from intake.benefits.summary import BenefitsSummary
from intake.estimate.accumulators import ZERO, Binding, Start
from intake.estimate.claim import ServiceDay
from intake.estimate.contracts import Contracts, ContractTerms, PlanClass
from intake.estimate.cost_share import CostShareRule
from intake.estimate.line_items import cents
from intake.estimate.model import (
    AccumulatorStatus,
    Amounts,
    BenefitsFigures,
    ContractUsed,
    InfusionAmounts,
)
from intake.estimate.walk import DayResult, PartKind, Walk
from intake.models.billing import Component


def totals(days: Sequence[ServiceDay], result: Walk) -> tuple[Decimal, Decimal]:
    """Allowed and patient amounts of the course, unrounded."""
    return sum((d.allowed for d in days), ZERO), sum((d.patient for d in result.days), ZERO)


def amounts(allowed: Decimal, patient: Decimal) -> Amounts:
    return Amounts(allowed=cents(allowed), patient=cents(patient), plan=cents(allowed - patient))


def _maybe(value: Decimal | None) -> Decimal | None:
    return None if value is None else cents(value)


def infusion_amounts(day: DayResult) -> InfusionAmounts:
    return InfusionAmounts(
        number=day.number,
        date=day.day,
        allowed=cents(day.allowed),
        patient=cents(day.patient),
        plan=cents(day.allowed - day.patient),
        deductible_left=_maybe(day.deductible_left),
        out_of_pocket_left=_maybe(day.out_of_pocket_left),
    )


def accumulator_status(
    start: Start, before: tuple[Decimal | None, Binding], reached: int | None
) -> AccumulatorStatus:
    remaining, binding = before
    return AccumulatorStatus(
        network=start.pool.network,
        remaining_before=_maybe(remaining),
        remaining_after=_maybe(start.pool.remaining),
        binding=binding,
        reached_on_infusion=reached,
        assumed=start.uncertain,
    )


def benefits_figures(
    benefits: BenefitsSummary, in_network: bool, rules: Mapping[Component, CostShareRule]
) -> BenefitsFigures:
    side = "in_network" if in_network else "out_of_network"
    plan = benefits.plan
    return BenefitsFigures(
        payer_id=benefits.payer.id,
        payer_name=benefits.payer.name,
        status=benefits.status.value,
        plan_description=plan.description,
        group_number=plan.group_number,
        insurance_type=plan.insurance_type,
        plan_begin=plan.begin,
        plan_end=plan.end,
        network=side,
        deductible=getattr(benefits.summary.deductible, side),
        out_of_pocket=getattr(benefits.summary.out_of_pocket, side),
        cost_share={c.value: r.source for c, r in rules.items()},
        trace_numbers=benefits.trace_numbers,
    )


def contract_used(
    contracts: Contracts,
    terms: ContractTerms,
    klass: PlanClass,
    days: Sequence[ServiceDay],
    ndc: str | None,
) -> ContractUsed:
    """The contract entry as used: only the rates that priced this course."""
    used = {c.code for d in days for c in d.charges}
    if ndc and ndc in terms.rates:
        used.add(ndc)
    return ContractUsed(
        version=contracts.version,
        effective=contracts.effective,
        payer_id=terms.payer_id,
        known=terms.known,
        name=terms.name,
        plan_key=terms.plan_key,
        plan_class=klass,
        in_network=terms.in_network,
        schedule=terms.schedule,
        rates={k: terms.rates.get(k, terms.default_rates.get(k, ZERO)) for k in sorted(used)},
        pharmacy_benefit=terms.pharmacy_benefit,
    )


def assistance_reasons(
    patient: Decimal, threshold: Decimal, in_network: bool, result: Walk
) -> list[str]:
    """Why help should be offered (empty: it need not be)."""
    reasons = []
    if cents(patient) > threshold:
        reasons.append(
            f"the patient's share of the course, ${cents(patient):,.2f}, is over ${threshold:,.2f}"
        )
    if not in_network:
        reasons.append("the pharmacy is out of network for this plan")
    if any(p.kind is PartKind.NOT_COVERED for d in result.days for p in d.parts):
        reasons.append("part of the therapy is not covered by the plan")
    return reasons
