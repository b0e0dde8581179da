"""The plan's service lines: each code's units over the period, and how they were counted.

Lines are summed from the treatment days, so a line can never ask for other units than the
days bill; the basis says in words how a reviewer can recount them.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from intake.models.billing import Component
from intake.models.referral import SiteOfCare, Therapy
from intake.therapy.model import JW, SS, ServiceDay, ServiceLine
from intake.therapy.nursing import NURSE_EXTRA_HOUR_CODE, NURSE_FIRST_VISIT_CODE
from intake.therapy.prescription import DosePlan, Frequency
from intake.therapy.products import Products, fill

if TYPE_CHECKING:
    from intake.reference.contracts import BillingUnit, Contracts

_TBC = "to be confirmed"


def _n(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _constant(values: Sequence[int]) -> int | None:
    return values[0] if values and all(v == values[0] for v in values) else None


def _fill_text(
    dose: Decimal, unit: BillingUnit, products: Products, code: str, ndc: str | None
) -> str:
    product = products.for_drug(code, ndc)
    vials = fill(dose, unit.amount, product)
    measure = unit.measure
    text = f"{_n(dose)} {measure} a dose = {vials.given_units} units given"
    if vials.vials:
        sizes = " + ".join(f"{_n(v)}" for v in vials.vials)
        text += f" from vials of {sizes} {measure} ({_n(vials.drawn)} {measure})"
        text += (
            f", {vials.wasted_units} units discarded (JW)"
            if vials.wasted_units
            else ", nothing discarded (JZ)"
        )
    return text


def _drug_basis(
    days: Sequence[ServiceDay],
    unit: BillingUnit,
    products: Products,
    code: str,
    ndc: str | None,
    per_day: int,
) -> str:
    groups: list[tuple[Decimal, int]] = []
    for d in days:
        assert d.dose is not None
        if groups and groups[-1][0] == d.dose:
            groups[-1] = (d.dose, groups[-1][1] + 1)
        else:
            groups.append((d.dose, 1))
    parts = [
        f"{_fill_text(dose, unit, products, code, ndc)}, x {_plural(count * per_day, 'dose')}"
        for dose, count in groups
    ]
    return f"per {_n(unit.amount)} {unit.measure} unit: " + "; then ".join(parts)


def _unknown_drug(
    therapy: Therapy, unit: BillingUnit | None, dose_plan: DosePlan | None, weight: Decimal | None
) -> str:
    if unit is None:
        return f"units {_TBC}: no billing unit on file for this drug"
    if dose_plan is None:
        return f"units {_TBC}: the dose '{therapy.dose}' cannot be read"
    if any(d.measure != unit.measure for d in dose_plan.doses):
        return f"units {_TBC}: the dose is in another measure than the code's {unit.measure}"
    if weight is None and any(d.per_kg for d in dose_plan.doses):
        return f"units {_TBC}: the dose is per kg and the patient's weight is missing"
    return f"units {_TBC}: the schedule cannot be counted"


def summarize(
    *,
    therapy: Therapy,
    catalog: Contracts,
    products: Products,
    drug_code: str | None,
    unit: BillingUnit | None,
    dose_plan: DosePlan | None,
    frequency: Frequency | None,
    weight: Decimal | None,
    days: Sequence[ServiceDay],
    per_diem: str,
    site: SiteOfCare,
    visit_hours: Decimal,
    countable: bool,
    self_given: bool,
    nursing_in_per_diem: bool = False,
) -> tuple[tuple[ServiceLine, ...], tuple[str, ...]]:
    """The period's lines (drug, JW waste, per diem, 99601, 99602) and plain-words notes.
    ``nursing_in_per_diem``: the payer pays an infusion suite's nursing in the per diem, so no
    nursing line is asked for or priced."""
    per_day = frequency.doses_per_day if frequency else 1

    def describe(code: str, modifiers: tuple[str, ...] = ()) -> str:
        known = catalog.codes.get(code)
        text = known.description if known else therapy.drug_name
        if JW in modifiers:
            text += ": discarded from single-dose vials"
        return text

    totals: dict[tuple[Component, str, tuple[str, ...]], list[int]] = {}
    for d in days:
        for c in d.charges:
            totals.setdefault((c.component, c.code, c.modifiers), []).append(c.units)
    lines: list[ServiceLine] = []
    drug_days = [d for d in days if d.dose is not None and d.units(Component.DRUG)]
    drug_keys = [k for k in totals if k[0] is Component.DRUG]
    if drug_code and (not drug_keys or not countable or len(drug_days) != len(days)):
        lines.append(
            ServiceLine(
                Component.DRUG,
                drug_code,
                (),
                describe(drug_code),
                None,
                None,
                _unknown_drug(therapy, unit, dose_plan, weight),
            )
        )
        drug_keys = []
    for key in drug_keys:
        _, code, modifiers = key
        assert unit is not None
        per_dose = [u // per_day for u in totals[key]]
        waste = JW in modifiers
        lines.append(
            ServiceLine(
                Component.DRUG,
                code,
                modifiers,
                describe(code, modifiers),
                sum(totals[key]),
                _constant(per_dose),
                "units discarded from the vials opened for each dose (JW line)"
                if waste
                else _drug_basis(drug_days, unit, products, code, therapy.ndc, per_day),
            )
        )
    diem_mods = (SS,) if site == SiteOfCare.INFUSION_SUITE else ()
    diem_units = sum(totals.get((Component.PER_DIEM, per_diem, diem_mods), []))
    suite = "; SS: care in an ambulatory infusion suite" if diem_mods else ""
    lines.append(
        ServiceLine(
            Component.PER_DIEM,
            per_diem,
            diem_mods,
            describe(per_diem),
            diem_units if countable else None,
            1,
            (f"one per treatment day, {_plural(diem_units, 'day')}" if countable else _TBC) + suite,
        )
    )
    if not nursing_in_per_diem:  # else the suite's nurse is paid in the SS per diem
        visits = [d for d in days if d.nurse_hours]
        visit_words = (
            f"a {_n(visit_hours)}-hour visit the first day, then 1-hour weekly visits"
            if self_given
            else f"a {_n(visit_hours)}-hour visit each infusion"
        )
        first = ServiceLine(
            Component.NURSING,
            NURSE_FIRST_VISIT_CODE,
            (),
            describe(NURSE_FIRST_VISIT_CODE),
            len(visits) if countable else None,
            1,
            f"{visit_words}: one per visit, {_plural(len(visits), 'visit')}"
            if countable
            else f"{visit_words}; visits {_TBC}",
        )
        lines.append(first)
        extra = totals.get((Component.NURSING, NURSE_EXTRA_HOUR_CODE, ()), [])
        if extra:
            lines.append(
                ServiceLine(
                    Component.NURSING,
                    NURSE_EXTRA_HOUR_CODE,
                    (),
                    describe(NURSE_EXTRA_HOUR_CODE),
                    sum(extra) if countable else None,
                    _constant(extra),
                    "each hour of a visit after the first 2: "
                    + ", ".join(
                        f"{u} on {_plural(extra.count(u), 'visit')}" for u in sorted(set(extra))
                    ),
                )
            )
    notes = tuple(s.basis for s in lines if s.component is Component.DRUG and JW not in s.modifiers)
    return tuple(lines), notes
