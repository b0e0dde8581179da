"""``estimate``: what a patient will owe for a home infusion course, explained.

Pure: the same 271 summaries, therapy, weight, dates and data files always give the same
estimate (no clock, no I/O beyond the cached data files), so a stored estimate can be re-derived.
The course is the one service plan (``intake.therapy``) the prior-authorization request
asks for, priced at the contract's rates, walked day by day per plan year (the 271's year from
its remaining amounts, later years from the plan amounts reset), then any secondary coverage
applied to what the primary leaves.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from intake.core.estimate_errors import EstimateError, UnreadablePrescription
from intake.estimate import assemble
from intake.estimate.accumulators import ZERO, Pool, Start, start_pool
from intake.estimate.assistance import AssistanceCatalog, load_assistance
from intake.estimate.assistance_model import AssistanceOutcome, EnrolledProgram, StatedIncome
from intake.estimate.assistance_plan import AssistancePlan, assistance_plan
from intake.estimate.claim import Pricer, ServiceDay, price_days
from intake.estimate.explain import Notes, schedule_notes, services_notes, weight_for
from intake.estimate.line_items import allowed_items, note_items, patient_items, plan_item
from intake.estimate.model import (
    AssistanceProgram,
    Confidence,
    CourseAmounts,
    DrugBilling,
    Estimate,
    EstimateInputs,
)
from intake.estimate.payers import (
    MA_IN_NETWORK_MOOP,
    PayerType,
    by_year,
    payer_type,
)
from intake.estimate.plan_years import PlanYear, YearWalk, plan_years, reset, split
from intake.estimate.rules import Setup, setup_for
from intake.estimate.secondary import (
    Applied,
    SecondaryCoverage,
    apply_secondary,
    merge_qmb,
    qmb_protection,
)
from intake.estimate.visits import visit_overrides
from intake.estimate.walk import DayHook, DayResult, walk
from intake.models.benefits import BenefitsSummary, CoverageStatus
from intake.models.billing import Component
from intake.models.referral import Language, Therapy
from intake.reference.contracts import Contracts, ContractTerms, load_contracts, plan_class
from intake.reference.medicare import part_b_deductible
from intake.therapy import JW, JZ, Products, ServicePlan, plan_therapy
from intake.therapy.prescription import (
    PrescriptionError,
    add_months,
    is_open_ended,
    parse_dose_plan,
    parse_duration,
    parse_frequency,
)

ONGOING_MONTHS = 12
"""An ongoing therapy is estimated for its first year."""


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


def _plan(
    therapy: Therapy,
    first_day: date,
    terms: ContractTerms,
    benefits: BenefitsSummary,
    weight_kg: Decimal | float | None,
    contracts: Contracts,
    products: Products | None,
    notes: Notes,
) -> tuple[ServicePlan, Decimal | None, bool]:
    try:
        dose = parse_dose_plan(therapy.dose)
    except PrescriptionError as exc:
        raise UnreadablePrescription(str(exc), exc.field) from exc
    try:
        frequency = parse_frequency(therapy.frequency)
        duration = parse_duration(therapy.duration)
    except PrescriptionError as exc:
        raise UnreadablePrescription(str(exc), exc.field) from exc
    weight, assumed = weight_for(dose, weight_kg, notes)  # an unreadable order is named first
    through = None
    if is_open_ended(frequency, duration):
        through = add_months(first_day, ONGOING_MONTHS) - timedelta(days=1)
    plan = plan_therapy(
        therapy,
        first_day,
        payer_id=terms.payer_id or benefits.payer.id or "",
        weight_kg=weight,
        through=through,
        catalog=contracts,
        products=products,
    )
    if plan.problems:
        raise UnreadablePrescription(plan.problems[0].message, plan.problems[0].field)
    drug = plan.line(Component.DRUG)
    if drug is not None and drug.units is None:
        raise EstimateError(f"the drug cannot be counted: {drug.basis}")
    if not plan.days:
        raise EstimateError("the course has no infusions")
    return plan, weight, assumed


def _pools(
    benefits: BenefitsSummary,
    in_network: bool,
    year: PlanYear,
    setup: Setup,
    notes: Notes,
) -> tuple[Start, Start]:
    side = "in_network" if in_network else "out_of_network"
    acc = benefits.summary
    ded_levels = getattr(acc.deductible, side)
    oop_levels = getattr(acc.out_of_pocket, side)
    if not year.from_271:
        ded_levels, oop_levels = reset(ded_levels), reset(oop_levels)
    deductible = start_pool("deductible", in_network, ded_levels)
    network = deductible.pool.network
    if setup.part_b_deductible and (not deductible.pool.known or not year.from_271):
        deductible = _part_b_deductible(year, network, notes)
    if setup.oop == "none":
        oop = Start(Pool("out-of-pocket maximum", network, None, None), (), False)
    else:
        oop = start_pool("out-of-pocket maximum", in_network, oop_levels)
        if setup.oop == "moop" and not oop.pool.known:
            cap = by_year(MA_IN_NETWORK_MOOP, year.start.year)
            oop = Start(
                Pool("out-of-pocket maximum", network, cap, None),
                (
                    f"the 271 gave no out-of-pocket maximum: Medicare's in-network limit for "
                    f"Medicare Advantage plans, ${cap:,.2f}, is assumed",
                ),
                True,
            )
    if not year.from_271:
        when = f"plan year {year.start.isoformat()} to {year.end.isoformat()}"
        notes.assume(
            f"{when}: the deductible and out-of-pocket maximum start again from the plan "
            "amounts, assuming the plan renews unchanged"
        )
        notes.doubt(Confidence.MEDIUM, "later plan years assume the plan renews unchanged")
    for text in (*deductible.notes, *oop.notes):
        notes.assume(text if year.from_271 else f"from {year.start.isoformat()}: {text}")
    if year.from_271 and deductible.uncertain:
        notes.doubt(Confidence.MEDIUM, "the 271 lacked the remaining deductible")
    return deductible, oop


def _part_b_deductible(year: PlanYear, network: str, notes: Notes) -> Start:
    """Part B's deductible is the calendar year's, from CMS's figure for that year (a new year
    starts it again in full); a year CMS has not published is given last year's, named."""
    figure = part_b_deductible(year.start.year)
    if figure.published:
        text = (
            f"the Part B deductible for {year.start.year} is taken as ${figure.amount:,.2f} "
            f"({figure.cite})"
        )
    else:
        text = (
            f"the {year.start.year} Part B deductible is not yet known: {figure.year}'s "
            f"${figure.amount:,.2f} is used ({figure.cite})"
        )
        notes.doubt(Confidence.MEDIUM, f"the {year.start.year} Part B deductible is not known")
    return Start(Pool("deductible", network, figure.amount, None), (text,), False)


def walk_course(
    benefits: BenefitsSummary,
    days: Sequence[ServiceDay],
    setup: Setup,
    *,
    in_network: bool,
    as_of: date,
    notes: Notes,
    on_day: DayHook | None = None,
) -> tuple[list[PlanYear], list[YearWalk]]:
    """Who pays the priced days: each plan year walked against its own accumulators
    (``on_day``: an assistance program's ledger, run inside the walk)."""
    years = plan_years(benefits, days[-1].day, as_of, notes)
    walks: list[YearWalk] = []
    for year, year_days in zip(years, split(days, years), strict=True):
        if not year_days:
            continue
        deductible, oop = _pools(benefits, in_network, year, setup, notes)
        if deductible.pool.known and oop.pool.known:
            notes.assume(
                "the deductible and coinsurance paid count toward the out-of-pocket maximum "
                "(as 45 CFR 156.130 requires of non-grandfathered plans; the 271 does not say)"
            )
        before = (
            (deductible.pool.remaining, deductible.pool.binding),
            (oop.pool.remaining, oop.pool.binding),
        )
        overrides = visit_overrides(benefits, year, year_days, in_network, notes)
        result = walk(year_days, setup.rules, deductible.pool, oop.pool, overrides, on_day)
        walks.append(YearWalk(year, year_days, result, deductible, oop, before))
    return years, walks


def _typical(day: ServiceDay, setup: Setup) -> tuple[Decimal, Decimal]:
    """A maintenance infusion with the deductible met and no maximum reached."""
    free, uncapped = Pool("deductible", "", ZERO, None), Pool("oop", "", None, None)
    result = walk([day], setup.rules, free, uncapped)
    return day.allowed, result.days[0].patient


def estimate(
    benefits: BenefitsSummary,
    therapy: Therapy,
    *,
    weight_kg: Decimal | float | None = None,
    start: date | None = None,
    as_of: date | None = None,
    language: Language = Language.ENGLISH,
    contracts: Contracts | None = None,
    assistance: AssistanceCatalog | None = None,
    assistance_threshold: Decimal | None = None,
    payer_id: str | None = None,
    diagnoses: Sequence[str] = (),
    secondary: SecondaryCoverage | None = None,
    products: Products | None = None,
    income: StatedIncome | None = None,
    enrolled: EnrolledProgram | None = None,
) -> Estimate:
    """The patient's share of ``therapy`` under ``benefits`` (one patient's 271 summary).

    ``start`` (the first dose) defaults to ``therapy.start_date``; ``as_of`` (the day the 271's
    remaining amounts were true) to ``start``; ``payer_id`` (the referral's) to the 271's payer
    id; ``diagnoses`` (ICD-10) decide Original Medicare's home IVIG and a foundation's fund;
    ``secondary`` pays after; ``income`` (as stated, never assumed) decides income-judged
    programs; ``enrolled`` applies the program the patient is enrolled in (else an eligible
    manufacturer program with known terms is projected).
    Raises ``EstimateError`` (``UnreadablePrescription`` naming the field to review).
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

    # What is billed: the one service plan, priced.
    terms = _terms(benefits, contracts, payer_id, notes)
    kind = payer_type(benefits, terms)
    drug = contracts.drug_for(therapy)
    code = contracts.codes[drug.hcpcs]
    assert code.unit is not None  # checked when the contracts were loaded
    plan, weight, weight_assumed = _plan(
        therapy, first_day, terms, benefits, weight_kg, contracts, products, notes
    )
    assert plan.frequency is not None
    schedule_notes(plan, plan.frequency, notes)
    services_notes(plan, plan.frequency, therapy, notes)
    if kind is not PayerType.MEDICARE_PART_B and any(
        JW in c.modifiers or JZ in c.modifiers for d in plan.days for c in d.charges
    ):
        notes.assume(
            "drug waste is billed on a JW line (JZ when none): Medicare requires it; this "
            "payer's use of JW/JZ may differ"
        )
    pricer = Pricer(terms, therapy.ndc)
    priced = price_days(plan.days, pricer)
    assumed = (
        contracts.assumed_coinsurance.in_network
        if terms.in_network
        else contracts.assumed_coinsurance.out_of_network
    )
    setup = setup_for(
        kind,
        benefits=benefits,
        terms=terms,
        drug=drug,
        contracts=contracts,
        days=priced,
        pricer=pricer,
        diagnoses=diagnoses,
        assumed=assumed,
        notes=notes,
    )
    if pricer.fallbacks:
        notes.doubt(Confidence.MEDIUM, f"no contracted rate for {', '.join(pricer.fallbacks)}")
    days = setup.days

    # Which programs fit, and the one applied inside the walk (accumulators may not count it).
    klass = plan_class(terms, benefits.plan.insurance_type)
    helping = assistance_plan(
        assistance,
        benefits=benefits,
        hcpcs=drug.hcpcs,
        plan_class=klass,
        diagnoses=diagnoses,
        income=income,
        enrolled=enrolled,
        first_day=days[0].day,
        payer_id=payer_id or terms.payer_id,
        has_secondary=secondary is not None,
        notes=notes,
    )

    # Who pays it: each plan year walked against its own accumulators.
    years, walks = walk_course(
        benefits,
        days,
        setup,
        in_network=terms.in_network,
        as_of=as_of or first_day,
        notes=notes,
        on_day=helping.ledger if helping.enrolled else None,
    )
    results: list[DayResult] = [r for w in walks for r in w.result.days]
    applied: Applied | None = None
    if secondary is not None:
        applied = apply_secondary(
            secondary, days=days, primary=results, years=years, assumed=assumed, notes=notes
        )
    protected = qmb_protection(kind, benefits, secondary, results, notes)
    if protected is not None:
        applied = merge_qmb(applied, protected)
    pays = applied.pays if applied else {}
    year_amounts = tuple(assemble.plan_year_amounts(w, pays) for w in walks)
    course = assemble.course_total(year_amounts)
    allowed, patient = course.allowed, course.patient
    if walks[0].oop.uncertain and patient > 0:
        notes.doubt(Confidence.MEDIUM, "the 271 lacked the remaining out-of-pocket maximum")
    reasons = assemble.assistance_reasons(patient, threshold, terms.in_network, results)
    programs = (
        ()
        if kind is PayerType.MEDICAID
        else (assistance.programs_for(drug.hcpcs, klass) if reasons else ())
    )
    if kind is PayerType.MEDICAID:
        reasons = []
    first_walk = walks[0]
    first = results[0]
    typical_allowed, typical_patient = _typical(days[-1], setup)
    first_plan_day = plan.days[0]
    given = sum(
        c.units
        for c in first_plan_day.charges
        if c.component is Component.DRUG and JW not in c.modifiers
    )
    wasted = sum(c.units for c in first_plan_day.charges if JW in c.modifiers)
    single = any(JW in c.modifiers or JZ in c.modifiers for c in first_plan_day.charges)
    return Estimate(
        per_infusion=assemble.amounts(first.allowed, first.patient - pays.get(first.number, ZERO)),
        course=CourseAmounts(
            infusions=len(days),
            first=days[0].day,
            last=days[-1].day,
            plan_year_end=years[0].end,
            after_plan_year=plan.beyond,
            **course.model_dump(include={"allowed", "patient", "plan"}),
        ),
        typical_infusion=assemble.amounts(typical_allowed, typical_patient),
        plan_years=year_amounts,
        payer_type=kind.value,
        cost_share_by_part=assemble.parts(setup),
        secondary=assemble.secondary(secondary, applied, year_amounts)
        or assemble.qmb_secondary(protected, year_amounts),
        alternatives=setup.alternatives,
        infusions=tuple(assemble.infusion_amounts(d, pays.get(d.number, ZERO)) for d in results),
        line_items=(
            *allowed_items(days, contracts.codes),
            *patient_items(results),
            plan_item(allowed, patient, len(days)),
            *(
                item
                for w in walks
                for item in note_items(w.result, f"{w.deductible.pool.label()} (271 EB C)")
            ),
        ),
        in_network=terms.in_network,
        payer_known=terms.known,
        plan_class=klass,
        deductible=assemble.accumulator_status(
            first_walk.deductible, first_walk.before[0], first_walk.result.deductible_met_on
        ),
        out_of_pocket=assemble.accumulator_status(
            first_walk.oop, first_walk.before[1], first_walk.result.out_of_pocket_reached_on
        ),
        assistance_recommended=bool(reasons),
        assistance_reasons=tuple(reasons),
        assistance_programs=tuple(
            AssistanceProgram(name=p.name, kind=p.kind, eligibility=p.eligibility) for p in programs
        ),
        assistance=_assistance(helping, benefits, days, setup, terms, as_of or first_day)
        or helping.outcome(results, year_amounts),
        confidence=notes.confidence,
        confidence_reasons=tuple(reason for _, reason in notes.reasons),
        assumptions=tuple(notes.assumptions),
        contract_version=contracts.version,
        language=language,
        inputs=EstimateInputs(
            benefits=assemble.benefits_figures(benefits, terms.in_network, setup.rules),
            therapy=therapy,
            weight_kg=None if weight_assumed else weight,
            weight_assumed=weight_assumed,
            start=first_day,
            as_of=as_of,
            diagnoses=tuple(diagnoses),
            assistance_threshold=threshold,
            assistance_version=assistance.version,
            assistance_enrolled=enrolled,
            income=income,
            contract=assemble.contract_used(contracts, terms, klass, days, therapy.ndc),
            drug=DrugBilling(
                hcpcs=drug.hcpcs,
                description=code.description,
                unit=f"{code.unit.amount.normalize():f} {code.unit.measure}",
                dose_per_infusion=_dose_text(first_plan_day.dose, code.unit.measure),
                units_per_infusion=given + wasted,
                doses_per_day=plan.frequency.doses_per_day,
                per_diem_code=plan.per_diem_code or "",
                nurse_visit_hours=drug.visit_hours,
                benefit="pharmacy" if setup.benefit[Component.DRUG] == "pharmacy" else "medical",
                units_given_per_infusion=given,
                units_wasted_per_infusion=wasted if single else None,
                place_of_service=plan.place_of_service,
                site_of_care=plan.site_of_care.value,
            ),
        ),
    )


def _assistance(
    helping: AssistancePlan,
    benefits: BenefitsSummary,
    days: Sequence[ServiceDay],
    setup: Setup,
    terms: ContractTerms,
    as_of: date,
) -> AssistanceOutcome | None:
    """A projected program's figures from a walk of their own (the estimate's walk is the
    plan's without it: the patient is not enrolled, so nothing she owes changes yet)."""
    if helping.ledger is None or helping.enrolled:
        return None
    _, walks = walk_course(
        benefits,
        days,
        setup,
        in_network=terms.in_network,
        as_of=as_of,
        notes=Notes(),
        on_day=helping.ledger,
    )
    results = [r for w in walks for r in w.result.days]
    return helping.outcome(results, [assemble.plan_year_amounts(w, {}) for w in walks])


def _dose_text(dose: Decimal | None, measure: str) -> str:
    return "unknown" if dose is None else f"{dose.normalize():f} {measure}"
