"""Walk the course day by day, so a deductible met or a maximum reached mid-course is exact.

For each charge: the remaining deductible first, then the copay (once per visit per copay
line) and the coinsurance on what is left; everything the patient pays counts toward the
out-of-pocket maximum and stops at it. Non-covered charges are the patient's in full and count
toward nothing. Amounts stay unrounded here; the estimate rounds once, at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum

from intake.estimate.accumulators import ZERO, Pool
from intake.estimate.claim import Charge, ServiceDay
from intake.estimate.cost_share import CostShareRule
from intake.models.billing import Component


class PartKind(StrEnum):
    DEDUCTIBLE = "deductible"
    COPAY = "copay"
    COINSURANCE = "coinsurance"
    NOT_COVERED = "not_covered"


@dataclass(frozen=True, slots=True)
class Part:
    component: Component
    kind: PartKind
    amount: Decimal
    rule: str


@dataclass(frozen=True, slots=True)
class DayResult:
    number: int
    day: date
    allowed: Decimal
    patient: Decimal
    parts: tuple[Part, ...]
    deductible_left: Decimal | None
    out_of_pocket_left: Decimal | None


@dataclass(frozen=True, slots=True)
class Walk:
    days: tuple[DayResult, ...]
    deductible_met_on: int | None
    """The infusion during which the deductible was met (None: not met, or none left)."""
    out_of_pocket_reached_on: int | None
    out_of_pocket_rule: str | None


DayHook = Callable[[ServiceDay, Sequence[Part]], Decimal]
"""Called with each day's parts (an assistance program paying its share); returns what the
plan does not count of it (an accumulator). Only the patient's own payment is then credited:
to the deductible first (up to the day's deductible part), and to the maximum."""


class _Walker:
    def __init__(self, deductible: Pool, oop: Pool) -> None:
        self.deductible = deductible
        self.oop = oop

    def _cap(self, amount: Decimal) -> Decimal:
        left = self.oop.remaining
        return amount if left is None else min(amount, left)

    def _pay(self, amount: Decimal) -> None:
        if amount:
            self.deductible.take(amount)
            self.oop.take(amount)

    def charge(
        self,
        charge: Charge,
        rule: CostShareRule,
        copay_left: dict[str, Decimal],
    ) -> list[Part]:
        allowed = charge.allowed
        if rule.not_covered:
            return [Part(charge.component, PartKind.NOT_COVERED, allowed, rule.source)]
        parts: list[Part] = []
        deductible = ZERO
        left = self.deductible.remaining
        if left:
            deductible = self._cap(min(allowed, left))
            self._pay(deductible)
        if deductible:
            rule_text = f"{self.deductible.label()} (271 EB C)"
            parts.append(Part(charge.component, PartKind.DEDUCTIBLE, deductible, rule_text))
        rest = allowed - deductible
        copay = ZERO
        if rule.copay is not None:
            copay = self._cap(min(copay_left.get(rule.copay_key, rule.copay), rest))
            copay_left[rule.copay_key] = copay_left.get(rule.copay_key, rule.copay) - copay
            if copay:
                self.oop.take(copay)
                parts.append(Part(charge.component, PartKind.COPAY, copay, rule.source))
        if rule.coinsurance is not None:
            coinsurance = self._cap(rule.coinsurance * (rest - copay))
            if coinsurance:
                self.oop.take(coinsurance)
                parts.append(Part(charge.component, PartKind.COINSURANCE, coinsurance, rule.source))
        return parts


def walk(
    days: Sequence[ServiceDay],
    rules: Mapping[Component, CostShareRule],
    deductible: Pool,
    oop: Pool,
    overrides: Mapping[int, Mapping[Component, CostShareRule]] | None = None,
    on_day: DayHook | None = None,
) -> Walk:
    """The patient's share day by day; ``overrides`` (by day number) replace a part's rule on
    that day (a nurse visit beyond the plan's visit limit is not covered); ``on_day`` sees each
    day's parts, and what it returns is given back to the accumulators (not counted)."""
    walker = _Walker(deductible, oop)
    results: list[DayResult] = []
    met_on: int | None = None
    reached_on: int | None = None
    reached_rule: str | None = None
    for day in days:
        had_deductible = (deductible.remaining or ZERO) > 0
        had_room = (oop.remaining or ZERO) > 0
        binding = oop.binding
        copay_left: dict[str, Decimal] = {}
        changed = overrides.get(day.number) if overrides else None
        today = {**rules, **changed} if changed else rules
        parts = [p for c in day.charges for p in walker.charge(c, today[c.component], copay_left)]
        if on_day is not None:
            uncounted = on_day(day, parts)
            if uncounted > 0:
                # Only the patient's own payment counts, toward the deductible first.
                on_deductible = sum(
                    (p.amount for p in parts if p.kind is PartKind.DEDUCTIBLE), ZERO
                )
                own = sum((p.amount for p in parts), ZERO) - uncounted
                deductible.give_back(max(on_deductible - own, ZERO))
                oop.give_back(uncounted)
        if met_on is None and had_deductible and deductible.remaining == ZERO:
            met_on = day.number
        if reached_on is None and had_room and oop.remaining == ZERO:
            reached_on = day.number
            reached_rule = f"{oop.network} {binding} {oop.kind} (271 EB G)"
        results.append(
            DayResult(
                day.number,
                day.day,
                day.allowed,
                sum((p.amount for p in parts), ZERO),
                tuple(parts),
                deductible.remaining,
                oop.remaining,
            )
        )
    return Walk(tuple(results), met_on, reached_on, reached_rule)


def patient_range(
    days: Sequence[ServiceDay],
    rules: Mapping[Component, CostShareRule],
    deductible: Pool,
    oop: Pool,
) -> tuple[Decimal, Decimal] | None:
    """What the patient could owe when a part's coinsurance was assumed (the 271 reported
    none): the walk with each assumed coinsurance at 0% and at 100%, the out-of-pocket maximum
    capping both. None when nothing was assumed. The pools are not drawn down."""
    if not any(r.assumed for r in rules.values()):
        return None

    def total(coinsurance: Decimal) -> Decimal:
        swapped = {
            c: replace(r, coinsurance=coinsurance) if r.assumed else r for c, r in rules.items()
        }
        result = walk(days, swapped, replace(deductible), replace(oop))
        return sum((d.patient for d in result.days), ZERO)

    return total(ZERO), total(Decimal(1))
