"""``plan_services``: the one description of what a course asks for and bills.

The estimate prices it, the 278 and the PAS bundle request it, the PDF packet prints it, so
they cannot disagree: the same dosing days (``intake.therapy.prescription``), drug units from whole
vials (``products``: given + discarded, JW/JZ), the per diem for the therapy and dosing interval
(anti-infectives by doses a day, SS in an infusion suite), nurse visits as 99601 + 99602, and
the place of service the payer takes for the site of care. Pure: dates come from the caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from intake.models.billing import Component
from intake.models.referral import Referral, Therapy
from intake.therapy.body import body_of
from intake.therapy.lines import summarize
from intake.therapy.model import (
    DayCharge,
    FieldProblem,
    ServiceDay,
    ServiceLine,
    ServicePlan,
)
from intake.therapy.nursing import nursing_units, self_given, visit_hours
from intake.therapy.prescription import (
    MAX_DATES,
    DosePlan,
    Duration,
    Frequency,
    PrescriptionError,
    dosing_days,
    is_open_ended,
    parse_dose_plan,
    parse_duration,
    parse_frequency,
    period_end,
)
from intake.therapy.products import Products, drug_lines, fill, load_products
from intake.therapy.regimens import label_schedule
from intake.therapy.site import per_diem_modifiers, place_of_service, suite_nursing

if TYPE_CHECKING:
    from intake.reference.contracts import Contracts, DrugProfile

DEFAULT_PER_DIEM = "S9379"
"""Home infusion therapy not otherwise classified: for a drug with no billing profile."""
DEFAULT_VISIT_HOURS = Decimal(2)


def _catalog(catalog: Contracts | None) -> Contracts:
    # The estimate package imports this module, so its contracts are loaded on first use.
    from intake.reference.contracts import load_contracts

    return catalog or load_contracts()


def _read(
    therapy: Therapy, problems: list[FieldProblem]
) -> tuple[DosePlan | None, Frequency | None, Duration | None]:
    out: list[object] = []
    for parse, text in (
        (parse_dose_plan, therapy.dose),
        (parse_frequency, therapy.frequency),
        (parse_duration, therapy.duration),
    ):
        try:
            out.append(parse(text))  # type: ignore[operator]
        except PrescriptionError as exc:
            problems.append(FieldProblem(exc.field, str(exc)))
            out.append(None)
    dose, frequency, duration = out
    assert dose is None or isinstance(dose, DosePlan)
    assert frequency is None or isinstance(frequency, Frequency)
    assert duration is None or isinstance(duration, Duration)
    return dose, frequency, duration


def _dates(
    start: date, frequency: Frequency, duration: Duration, through: date | None
) -> tuple[tuple[date, ...], date | None, int | None, bool]:
    """(dosing days in the period, its last day, course days after it, open-ended)."""
    if is_open_ended(frequency, duration):
        if through is None:
            return (), None, None, True
        days = []
        for day in dosing_days(start, frequency, duration):
            if day > through:
                break
            days.append(day)
        return tuple(days), through, None, True
    end = period_end(start, frequency, duration)
    if through is not None and (end is None or through < end):
        end = through
    every = list(dosing_days(start, frequency, duration))
    within = tuple(d for d in every if end is None or d <= end)
    return within, end, len(every) - len(within), False


def _drug_charges(
    dose: Decimal | None,
    per_day: int,
    unit: Decimal | None,
    code: str,
    products: Products,
    ndc: str | None,
) -> tuple[DayCharge, ...]:
    if dose is None or unit is None:
        return ()
    product = products.for_drug(code, ndc)
    return tuple(
        DayCharge(Component.DRUG, code, modifiers, units * per_day)
        for modifiers, units in drug_lines(fill(dose, unit, product), product)
    )


def _profile(catalog: Contracts, therapy: Therapy) -> DrugProfile | None:
    try:
        return catalog.drug_for(therapy)
    except ValueError:  # no billing profile: the lines say what is unknown
        return None


def plan_therapy(
    therapy: Therapy,
    start: date,
    *,
    payer_id: str,
    weight_kg: Decimal | float | None = None,
    through: date | None = None,
    catalog: Contracts | None = None,
    products: Products | None = None,
    diagnoses: Sequence[str] = (),
) -> ServicePlan:
    """The plan for ``therapy`` from ``start`` (the first dose, as the caller decided it).

    ``through`` (inclusive) ends the period early, or gives an ongoing course one; without it
    an ongoing course has no end, no dosing days and no totals. A per-kg dose without
    ``weight_kg`` leaves the drug units unknown. Unreadable prescription fields are listed in
    ``problems`` (the lines then say "to be confirmed"); nothing raises."""
    catalog = _catalog(catalog)
    products = products or load_products()
    weight = None if weight_kg is None else Decimal(str(weight_kg))
    problems: list[FieldProblem] = []
    dose_plan, frequency, duration = _read(therapy, problems)
    label_notes: tuple[str, ...] = ()
    if frequency is not None:  # what the order leaves open, from the drug's label
        frequency, label_notes = label_schedule(therapy.drug_name, dose_plan, frequency, diagnoses)
    drug = _profile(catalog, therapy)
    code = drug.hcpcs if drug else therapy.hcpcs
    unit_info = catalog.codes[drug.hcpcs].unit if drug else None
    per_day = frequency.doses_per_day if frequency else 1
    per_diem = catalog.per_diem_for(drug, per_day) if drug else DEFAULT_PER_DIEM
    hours = drug.visit_hours if drug else DEFAULT_VISIT_HOURS
    site = therapy.site_of_care
    nursing_rule = suite_nursing(site, payer_id)
    bundled = nursing_rule == "in_per_diem"  # the suite's nurse is paid in the SS per diem
    dates: tuple[date, ...] = ()
    end: date | None = None
    beyond: int | None = None
    open_ended = False
    if frequency is not None and duration is not None:
        dates, end, beyond, open_ended = _dates(start, frequency, duration, through)
    days: list[ServiceDay] = []
    diem = DayCharge(Component.PER_DIEM, per_diem, per_diem_modifiers(site), 1)
    drug_memo: dict[Decimal | None, tuple[DayCharge, ...]] = {}
    nurse_memo: dict[Decimal, tuple[DayCharge, ...]] = {}
    unit = None if unit_info is None else unit_info.amount
    for number, day in enumerate(dates, start=1):
        assert frequency is not None
        dose = None
        if dose_plan is not None:
            given = dose_plan.for_dose(number - 1, frequency)
            if unit_info is None or given.measure == unit_info.measure:
                dose = given.per_administration(weight)
        if dose not in drug_memo:  # a course repeats the same few doses and visits
            drug_memo[dose] = (
                _drug_charges(dose, per_day, unit, code, products, therapy.ndc) if code else ()
            )
        nurse = Decimal(0) if bundled else visit_hours(hours, frequency, start, day)
        if nurse not in nurse_memo:
            nurse_memo[nurse] = tuple(
                DayCharge(Component.NURSING, c, (), n) for c, n in nursing_units(nurse) if nurse
            )
        charges = (*drug_memo[dose], diem, *nurse_memo[nurse])
        days.append(ServiceDay(number, day, dose, charges, nurse))
    lines, notes = summarize(
        therapy=therapy,
        catalog=catalog,
        products=products,
        drug_code=code,
        unit=unit_info,
        dose_plan=dose_plan,
        frequency=frequency,
        weight=weight,
        days=days,
        per_diem=per_diem,
        site=site,
        visit_hours=hours,
        countable=bool(dates) and not problems,
        self_given=frequency is not None and self_given(frequency),
        nursing_in_per_diem=bundled,
    )
    return ServicePlan(
        start=start,
        end=end,
        dose_dates=dates,
        site_of_care=site,
        place_of_service=place_of_service(site, payer_id),
        lines=lines,
        days=tuple(days),
        frequency=frequency,
        duration=duration,
        dose_plan=dose_plan,
        drug_code=code,
        per_diem_code=per_diem,
        nurse_visit_hours=hours,
        open_ended=open_ended,
        beyond=beyond,
        problems=tuple(problems),
        notes=(*label_notes, *notes),
        suite_nursing=nursing_rule,
    )


def plan_services(
    referral: Referral,
    start: date,
    *,
    through: date | None = None,
    weight_kg: Decimal | float | None = None,
    catalog: Contracts | None = None,
    products: Products | None = None,
) -> ServicePlan:
    """The plan for a referral's therapy from ``start``: its payer's place of service, its
    patient's weight (``weight_kg`` overrides it)."""
    weight = body_of(referral).weight_kg if weight_kg is None else weight_kg
    return plan_therapy(
        referral.therapy,
        start,
        payer_id=referral.coverage.payer_id,
        weight_kg=weight,
        through=through,
        catalog=catalog,
        products=products,
        diagnoses=[d.code for d in referral.diagnoses],
    )


def cap_visits(plan: ServicePlan, visits_left: int | None) -> ServicePlan:
    """The plan as requested from a payer whose benefit has ``visits_left`` nurse visits: the
    nursing lines ask for no more (the days keep every visit the patient needs)."""
    if visits_left is None:
        return plan
    visit_days = [d for d in plan.days if d.nurse_hours]
    if len(visit_days) <= visits_left:
        return plan
    kept = visit_days[:visits_left]
    lines: list[ServiceLine] = []
    for line in plan.lines:
        if line.component is not Component.NURSING:
            lines.append(line)
            continue
        units = sum(c.units for d in kept for c in d.charges if c.code == line.code)
        lines.append(
            ServiceLine(
                line.component,
                line.code,
                line.modifiers,
                line.description,
                units,
                line.units_per_dose,
                f"{line.basis}; limited to the {visits_left} visits the plan's benefit has "
                f"left ({len(visit_days)} planned)",
            )
        )
    return replace(plan, lines=tuple(lines))


def from_day(plan: ServicePlan, first: date) -> ServicePlan:
    """The plan's doses from ``first`` on, as a request of their own (a certification left
    them uncovered): the same doses, units and codes, never a schedule restarted at ``first``
    (which would repeat loading doses)."""
    days = tuple(d for d in plan.days if d.day >= first)
    lines: list[ServiceLine] = []
    for line in plan.lines:
        units = sum(
            c.units
            for d in days
            for c in d.charges
            if c.code == line.code and c.modifiers == line.modifiers
        )
        lines.append(
            replace(
                line,
                units=None if line.units is None else units,
                basis=f"{line.basis}; the doses from {first.isoformat()} only",
            )
        )
    return replace(
        plan,
        start=first,
        dose_dates=tuple(d for d in plan.dose_dates if d >= first),
        days=days,
        lines=tuple(lines),
    )


__all__ = ["MAX_DATES", "cap_visits", "from_day", "plan_services", "plan_therapy"]
