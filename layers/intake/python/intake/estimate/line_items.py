"""Line items: every amount in an estimate, with the rule that produced it.

Items are summed over the course per code (allowed) or per part, kind and rule (patient), so a
daily antibiotic gives a handful of lines rather than hundreds, and each still says which
infusions it covers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from intake.estimate.accumulators import ZERO
from intake.estimate.claim import ServiceDay
from intake.estimate.model import LineItem
from intake.estimate.walk import DayResult, PartKind, Walk
from intake.models.billing import Component
from intake.reference.contracts import Code

CENT = Decimal("0.01")
_WASTE = " (discarded from single-dose vials, JW)"
COMPONENT_LABELS = {
    Component.DRUG: "drug",
    Component.PER_DIEM: "per diem (pharmacy services, supplies, pump)",
    Component.NURSING: "nursing visits",
}
KIND_LABELS = {
    PartKind.DEDUCTIBLE: "Deductible",
    PartKind.COPAY: "Copay",
    PartKind.COINSURANCE: "Coinsurance",
    PartKind.NOT_COVERED: "Not covered",
}


def cents(value: Decimal) -> Decimal:
    """The one rounding of money: to cents, half up, at the end."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def ranges(numbers: Iterable[int]) -> str:
    """1, 2, 3, 5 → '1-3, 5'."""
    out: list[str] = []
    run: list[int] = []
    for n in sorted(set(numbers)):
        if run and n != run[-1] + 1:
            out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
            run = []
        run.append(n)
    if run:
        out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
    return ", ".join(out)


def _infusions(numbers: Sequence[int]) -> str:
    return f"infusion{'s' if len(numbers) > 1 else ''} {ranges(numbers)}"


def allowed_items(days: Sequence[ServiceDay], codes: Mapping[str, Code]) -> list[LineItem]:
    """Allowed amounts per code, modifiers (a JW waste line is its own), rate and source."""
    totals: dict[tuple[str, tuple[str, ...], Decimal, str], list[Any]] = {}
    for day in days:
        for c in day.charges:
            key = (c.code, c.modifiers, c.rate, c.rate_source)
            entry = totals.get(key)
            if entry is None:
                entry = totals[key] = [c.component, 0, ZERO, []]
            entry[1] += c.units
            entry[2] += c.rate * c.units
            entry[3].append(day.number)
    items = []
    for (code, modifiers, rate, source), (component, units, amount, seen) in totals.items():
        label = "-".join((code, *modifiers))
        waste = _WASTE if "JW" in modifiers else ""
        items.append(
            LineItem(
                kind="allowed",
                description=f"Allowed, {COMPONENT_LABELS[component]}: {label} "
                f"{codes[code].description}{waste}; {units} unit{'s' if units > 1 else ''} "
                f"over {_infusions(seen)}",
                amount=cents(amount),
                rule=f"{source}: ${rate:,.2f} per unit of {code}",
                infusions=tuple(sorted(set(seen))),
            )
        )
    return items


def patient_items(results: Sequence[DayResult]) -> list[LineItem]:
    totals: dict[tuple[Component, PartKind, str], tuple[Decimal, list[int]]] = {}
    for day in results:
        for p in day.parts:
            amount, seen = totals.get((p.component, p.kind, p.rule), (ZERO, []))
            totals[(p.component, p.kind, p.rule)] = (amount + p.amount, [*seen, day.number])
    return [
        LineItem(
            kind="patient",
            description=f"{KIND_LABELS[kind]} on the {COMPONENT_LABELS[component]}, "
            f"{_infusions(seen)}",
            amount=cents(amount),
            rule=rule,
            infusions=tuple(sorted(set(seen))),
        )
        for (component, kind, rule), (amount, seen) in totals.items()
    ]


def note_items(result: Walk, deductible_rule: str) -> list[LineItem]:
    notes: list[LineItem] = []
    if result.deductible_met_on is not None:
        notes.append(
            LineItem(
                kind="note",
                amount=Decimal("0.00"),
                rule=deductible_rule,
                description=f"Deductible met during infusion {result.deductible_met_on}",
                infusions=(result.deductible_met_on,),
            )
        )
    if result.out_of_pocket_reached_on is not None:
        notes.append(
            LineItem(
                kind="note",
                amount=Decimal("0.00"),
                rule=result.out_of_pocket_rule or "",
                description=f"Out-of-pocket maximum reached during infusion "
                f"{result.out_of_pocket_reached_on}: covered care costs nothing more "
                "this plan year",
                infusions=(result.out_of_pocket_reached_on,),
            )
        )
    return notes


def plan_item(allowed: Decimal, patient: Decimal, count: int) -> LineItem:
    return LineItem(
        kind="plan",
        amount=cents(allowed - patient),
        description="Plan pays (allowed amount minus the patient's share)",
        rule="allowed - patient share",
        infusions=tuple(range(1, count + 1)),
    )
