"""``estimate``: what a patient will owe for a home infusion course, explained.

Pure: the same 271 summary, therapy, weight, start date and data files always give the same
estimate (no clock, no I/O beyond the cached data files), so a stored estimate can be re-derived.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from intake.benefits.summary import BenefitsSummary, CoverageStatus
from intake.estimate import assemble
from intake.estimate.accumulators import ZERO, Start, start_pool
from intake.estimate.assistance import AssistanceCatalog, load_assistance
from intake.estimate.claim import per_diem_code, service_days
from intake.estimate.contracts import (
    Contracts,
    ContractTerms,
    DrugProfile,
    load_contracts,
    plan_class,
)
from intake.estimate.cost_share import CostShareRule, medical_rule, pharmacy_rule
from intake.estimate.dosing import billing_units, parse_dose, parse_duration, parse_frequency
from intake.estimate.errors import EstimateError
from intake.estimate.explain import (
    Notes,
    dose_note,
    plan_year_end,
    schedule_notes,
    services_notes,
    weight_for,
)
from intake.estimate.line_items import allowed_items, note_items, patient_items, plan_item
from intake.estimate.model import (
    AssistanceProgram,
    Confidence,
    CourseAmounts,
    DrugBilling,
    Estimate,
    EstimateInputs,
)
from intake.estimate.schedule import course_dates
from intake.estimate.walk import walk
from intake.models.billing import Component
from intake.models.referral import Language, Therapy


def _terms(
    benefits: BenefitsSummary, contracts: Contracts, payer_id: str | None, notes: Notes
) -> ContractTerms:
    terms = contracts.terms_for(payer_id or benefits.payer.id, benefits.plan)
    if not terms.known:
        notes.doubt(
            Confidence.LOW, f"payer '{terms.payer_id or 'unnamed'}' has no contract on file"
        )
        notes.assume(
            "no contract with this payer: treated as out of network, priced at "
            "usual-and-customary charges"
        )
    elif not terms.in_network:
        notes.doubt(Confidence.MEDIUM, "out of network: the payer's allowed amounts vary")
    if not terms.in_network:
        notes.assume(
            "out of network: the pharmacy may bill the difference between its charges "
            "and the plan's allowed amount (balance billing), which this estimate does "
            "not include"
        )
    return terms


def _rules(
    benefits: BenefitsSummary,
    terms: ContractTerms,
    drug: DrugProfile,
    assumed: Decimal,
    notes: Notes,
) -> tuple[dict[Component, CostShareRule], bool]:
    """Cost sharing per part, and whether the drug goes to the pharmacy benefit."""
    rules = {c: medical_rule(benefits, c, terms.in_network, assumed) for c in Component}
    pharmacy = False
    if drug.hcpcs in terms.pharmacy_benefit:
        rule = pharmacy_rule(benefits, terms.in_network)
        if rule is not None:
            rules[Component.DRUG], pharmacy = rule, True
            notes.assume(
                f"the drug is billed under the pharmacy benefit: the contract carves {drug.hcpcs}"
                " out to the payer's specialty pharmacy and the 271 reports pharmacy cost "
                "sharing; pharmacy and medical share one deductible and out-of-pocket maximum"
            )
        else:
            notes.doubt(
                Confidence.MEDIUM,
                "the contract routes the drug to the pharmacy benefit "
                "but the 271 reports no pharmacy cost sharing",
            )
            notes.assume(
                "the drug is estimated under the medical benefit: the 271 reports no "
                "pharmacy (service type 88) cost sharing for the carve-out"
            )
    for component, rule in rules.items():
        if rule.assumed:
            notes.doubt(Confidence.MEDIUM, f"no cost sharing reported for the {component}")
    return rules, pharmacy


def _pools(benefits: BenefitsSummary, in_network: bool, notes: Notes) -> tuple[Start, Start]:
    side = "in_network" if in_network else "out_of_network"
    acc = benefits.summary
    deductible = start_pool("deductible", in_network, getattr(acc.deductible, side))
    oop = start_pool("out-of-pocket maximum", in_network, getattr(acc.out_of_pocket, side))
    notes.assumptions.extend((*deductible.notes, *oop.notes))
    if deductible.uncertain:
        notes.doubt(Confidence.MEDIUM, "the 271 lacked the remaining deductible")
    return deductible, oop


def estimate(
    benefits: BenefitsSummary,
    therapy: Therapy,
    *,
    weight_kg: Decimal | float | None = None,
    start: date | None = None,
    language: Language = Language.ENGLISH,
    contracts: Contracts | None = None,
    assistance: AssistanceCatalog | None = None,
    assistance_threshold: Decimal | None = None,
    payer_id: str | None = None,
) -> Estimate:
    """The patient's share of ``therapy`` under ``benefits`` (one patient's 271 summary).

    ``start`` defaults to ``therapy.start_date``; ``payer_id`` (the referral's) to the 271's
    payer id; the data files to those shipped with the layer. Raises ``EstimateError``.
    """
    if benefits.status in (CoverageStatus.INACTIVE, CoverageStatus.REJECTED):
        raise EstimateError(f"coverage is {benefits.status.value}: there is nothing to estimate")
    first_day = start or therapy.start_date
    if first_day is None:
        raise EstimateError("the therapy has no start date: give one to estimate the course")
    contracts = contracts or load_contracts()
    assistance = assistance or load_assistance()
    threshold = assistance.threshold if assistance_threshold is None else assistance_threshold
    notes = Notes()
    if benefits.status is CoverageStatus.UNKNOWN:
        notes.doubt(Confidence.LOW, "the 271 did not say whether coverage is active")

    # What is billed: units per treatment day, the dosing days in the plan year, their prices.
    terms = _terms(benefits, contracts, payer_id, notes)
    drug = contracts.drug_for(therapy)
    code = contracts.codes[drug.hcpcs]
    assert code.unit is not None  # checked when the contracts were loaded
    dose, frequency = parse_dose(therapy.dose), parse_frequency(therapy.frequency)
    weight, weight_assumed = weight_for(dose, weight_kg, notes)
    units = billing_units(dose, weight, code.unit, frequency.doses_per_day)
    per_dose = dose.amount * (weight or 1) if dose.per_kg else dose.amount
    unit_text = f"{code.unit.amount.normalize():f} {code.unit.measure}"
    notes.assume(dose_note(therapy, dose, weight, per_dose, units, drug.hcpcs, unit_text))
    plan_end = plan_year_end(benefits, first_day, notes)
    course = course_dates(first_day, frequency, parse_duration(therapy.duration), plan_end)
    if not course.dates:
        raise EstimateError("the course has no infusions before the plan year ends")
    schedule_notes(course, frequency, notes)
    per_diem = per_diem_code(contracts, drug, frequency)
    days, fallbacks = service_days(
        course.dates,
        drug=drug,
        drug_units=units,
        per_diem=per_diem,
        frequency=frequency,
        terms=terms,
        ndc=therapy.ndc,
    )
    if fallbacks:
        notes.doubt(Confidence.MEDIUM, f"no contracted rate for {', '.join(fallbacks)}")
    services_notes(drug, frequency, per_diem, therapy, notes)

    # Who pays it: cost sharing per part, walked against the accumulators.
    assumed = (
        contracts.assumed_coinsurance.in_network
        if terms.in_network
        else contracts.assumed_coinsurance.out_of_network
    )
    rules, pharmacy = _rules(benefits, terms, drug, assumed, notes)
    deductible, oop = _pools(benefits, terms.in_network, notes)
    if (deductible.pool.remaining or ZERO) > 0 and any(r.copay is not None for r in rules.values()):
        notes.assume(
            "copays apply per visit, after the deductible left; plans that waive the "
            "deductible for copay services would cost less"
        )
    deductible_rule = f"{deductible.pool.label()} (271 EB C)"
    before = [(p.remaining, p.binding) for p in (deductible.pool, oop.pool)]
    result = walk(days, rules, deductible.pool, oop.pool)
    allowed, patient = assemble.totals(days, result)
    if oop.uncertain and patient > 0:
        notes.doubt(Confidence.MEDIUM, "the 271 lacked the remaining out-of-pocket maximum")

    klass = plan_class(terms, benefits.plan.insurance_type)
    reasons = assemble.assistance_reasons(patient, threshold, terms.in_network, result)
    programs = assistance.programs_for(drug.hcpcs, klass) if reasons else ()
    first = result.days[0]
    return Estimate(
        per_infusion=assemble.amounts(first.allowed, first.patient),
        course=CourseAmounts(
            infusions=len(days),
            first=course.dates[0],
            last=course.dates[-1],
            plan_year_end=plan_end,
            after_plan_year=course.beyond,
            **assemble.amounts(allowed, patient).model_dump(),
        ),
        infusions=tuple(assemble.infusion_amounts(d) for d in result.days),
        line_items=(
            *allowed_items(days, contracts.codes),
            *patient_items(result),
            plan_item(allowed, patient, len(days)),
            *note_items(result, deductible_rule),
        ),
        in_network=terms.in_network,
        payer_known=terms.known,
        plan_class=klass,
        deductible=assemble.accumulator_status(deductible, before[0], result.deductible_met_on),
        out_of_pocket=assemble.accumulator_status(oop, before[1], result.out_of_pocket_reached_on),
        assistance_recommended=bool(reasons),
        assistance_reasons=tuple(reasons),
        assistance_programs=tuple(
            AssistanceProgram(name=p.name, kind=p.kind, eligibility=p.eligibility) for p in programs
        ),
        confidence=notes.confidence,
        confidence_reasons=tuple(reason for _, reason in notes.reasons),
        assumptions=tuple(notes.assumptions),
        contract_version=contracts.version,
        language=language,
        inputs=EstimateInputs(
            benefits=assemble.benefits_figures(benefits, terms.in_network, rules),
            therapy=therapy,
            weight_kg=None if weight_assumed else weight,
            weight_assumed=weight_assumed,
            start=first_day,
            assistance_threshold=threshold,
            assistance_version=assistance.version,
            contract=assemble.contract_used(contracts, terms, klass, days, therapy.ndc),
            drug=DrugBilling(
                hcpcs=drug.hcpcs,
                description=code.description,
                unit=unit_text,
                dose_per_infusion=f"{per_dose.normalize():f} {dose.measure}",
                units_per_infusion=units,
                doses_per_day=frequency.doses_per_day,
                per_diem_code=per_diem,
                nurse_visit_hours=drug.visit_hours,
                benefit="pharmacy" if pharmacy else "medical",
            ),
        ),
    )
