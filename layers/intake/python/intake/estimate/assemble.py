"""Turn the walked course into the parts of an ``Estimate``: every amount rounded once, here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from intake.estimate.accumulators import ZERO, Binding, Start
from intake.estimate.claim import ServiceDay
from intake.estimate.cost_share import CostShareRule
from intake.estimate.line_items import cents
from intake.estimate.model import (
    AccumulatorStatus,
    Amounts,
    BenefitsFigures,
    ContractUsed,
    InfusionAmounts,
    PartCostShare,
    PlanYearAmounts,
    SecondaryEstimate,
)
from intake.estimate.plan_years import YearWalk
from intake.estimate.rules import Setup
from intake.estimate.secondary import Applied, SecondaryCoverage
from intake.estimate.walk import DayResult, PartKind
from intake.models.benefits import BenefitsSummary
from intake.models.billing import Component
from intake.reference.contracts import Contracts, ContractTerms, PlanClass


def amounts(allowed: Decimal, patient: Decimal) -> Amounts:
    return Amounts(allowed=cents(allowed), patient=cents(patient), plan=cents(allowed - patient))


def _maybe(value: Decimal | None) -> Decimal | None:
    return None if value is None else cents(value)


def infusion_amounts(day: DayResult, secondary_pays: Decimal = ZERO) -> InfusionAmounts:
    patient = day.patient - secondary_pays
    return InfusionAmounts(
        number=day.number,
        date=day.day,
        allowed=cents(day.allowed),
        patient=cents(patient),
        plan=cents(day.allowed - patient),
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
    patient: Decimal, threshold: Decimal, in_network: bool, results: Sequence[DayResult]
) -> list[str]:
    """Why help should be offered (empty: it need not be)."""
    reasons = []
    if cents(patient) > threshold:
        reasons.append(
            f"the patient's share of the course, ${cents(patient):,.2f}, is over ${threshold:,.2f}"
        )
    if not in_network:
        reasons.append("the pharmacy is out of network for this plan")
    if any(p.kind is PartKind.NOT_COVERED for d in results for p in d.parts):
        reasons.append("part of the therapy is not covered by the plan")
    return reasons


def plan_year_amounts(w: YearWalk, secondary_pays: dict[int, Decimal]) -> PlanYearAmounts:
    """One plan year, each amount rounded once (the course is the sum of these)."""
    allowed = sum((d.allowed for d in w.days), ZERO)
    primary = sum((d.patient for d in w.result.days), ZERO)
    pays = sum((secondary_pays.get(d.number, ZERO) for d in w.days), ZERO)
    patient = cents(primary - pays)
    return PlanYearAmounts(
        start=w.year.start,
        end=w.year.end,
        infusions=len(w.days),
        from_271=w.year.from_271,
        deductible_left_at_start=_maybe(w.before[0][0]),
        out_of_pocket_left_at_start=_maybe(w.before[1][0]),
        primary_patient=cents(primary),
        secondary_pays=cents(primary) - patient,
        allowed=cents(allowed),
        patient=patient,
        plan=cents(allowed) - patient,
    )


def course_total(years: Sequence[PlanYearAmounts]) -> Amounts:
    """The course: the sum of its plan years' rounded amounts, so they always add up."""
    allowed = sum((y.allowed for y in years), ZERO)
    patient = sum((y.patient for y in years), ZERO)
    return Amounts(allowed=allowed, patient=patient, plan=allowed - patient)


def parts(setup: Setup) -> dict[str, PartCostShare]:
    """The cost share used for each part, with its source (plan-level and assumed marked)."""
    return {
        component.value: PartCostShare(
            benefit=setup.benefit[component],
            coinsurance=rule.coinsurance,
            copay=rule.copay,
            not_covered=rule.not_covered,
            source=(
                "pharmacy benefit (the payer's specialty pharmacy): not readable from a "
                "medical 271, not estimated"
                if setup.benefit[component] == "pharmacy"
                else rule.source
            ),
            service_type=rule.service_type,
            plan_level=rule.plan_level,
            assumed=rule.assumed,
        )
        for component, rule in setup.rules.items()
    }


def secondary(
    coverage: SecondaryCoverage | None,
    applied: Applied | None,
    years: Sequence[PlanYearAmounts],
) -> SecondaryEstimate | None:
    if coverage is None or applied is None:
        return None
    leaves = sum((y.primary_patient for y in years), ZERO)
    pays = sum((y.secondary_pays for y in years), ZERO)
    s = coverage.benefits
    return SecondaryEstimate(
        payer_id=coverage.payer_id or s.payer.id,
        payer_name=s.payer.name,
        payer_type=applied.kind,
        method=applied.method,
        order_reason=coverage.order_reason,
        pays=pays,
        primary_leaves=leaves,
        patient_after=leaves - pays,
    )


def qmb_secondary(
    protected: Applied | None, years: Sequence[PlanYearAmounts]
) -> SecondaryEstimate | None:
    """The QMB protection shown as what pays after Medicare (the state Medicaid program)."""
    if protected is None:
        return None
    leaves = sum((y.primary_patient for y in years), ZERO)
    pays = sum((y.secondary_pays for y in years), ZERO)
    return SecondaryEstimate(
        payer_id=None,
        payer_name="state Medicaid (QMB)",
        payer_type=protected.kind,
        method=protected.method,
        order_reason="QMB: Medicaid pays Medicare's cost sharing",
        pays=pays,
        primary_leaves=leaves,
        patient_after=leaves - pays,
    )
