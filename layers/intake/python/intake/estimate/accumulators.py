"""The deductible and out-of-pocket maximum left this plan year, individual and family.

What the patient pays counts toward both levels at once, so whichever has less left binds; an
estimate walks the course and draws both down together.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from intake.models.benefits import Accumulator, ByLevel

ZERO = Decimal(0)
Binding = Literal["individual", "family"]


@dataclass
class Pool:
    """One accumulator (deductible or out-of-pocket maximum) for one network, mutable while an
    estimate walks the course."""

    kind: str
    network: str
    individual: Decimal | None
    family: Decimal | None

    @property
    def known(self) -> bool:
        return self.individual is not None or self.family is not None

    @property
    def remaining(self) -> Decimal | None:
        """Left to meet (None: no limit reported); the smaller level binds."""
        ind, fam = self.individual, self.family
        if ind is None:
            return fam
        if fam is None or ind <= fam:
            return ind
        return fam

    @property
    def binding(self) -> Binding:
        if self.family is not None and (self.individual is None or self.family < self.individual):
            return "family"
        return "individual"

    def label(self) -> str:
        return f"{self.network} {self.binding} {self.kind}"

    def give_back(self, amount: Decimal) -> None:
        """Undo a ``take`` (a payment the plan does not count: an accumulator program's)."""
        if self.individual is not None:
            self.individual += amount
        if self.family is not None:
            self.family += amount

    def take(self, amount: Decimal) -> None:
        if self.individual is not None:
            self.individual = max(self.individual - amount, ZERO)
        if self.family is not None:
            self.family = max(self.family - amount, ZERO)


@dataclass(frozen=True, slots=True)
class Remaining:
    amount: Decimal | None
    note: str | None
    uncertain: bool


def _remaining(acc: Accumulator, what: str) -> Remaining:
    if acc.remaining is not None:
        return Remaining(max(acc.remaining, ZERO), None, False)
    if acc.total is not None and acc.met is not None:
        left = max(acc.total - acc.met, ZERO)
        return Remaining(
            left,
            f"{what}: ${left:,.2f} left, from the plan amount "
            f"${acc.total:,.2f} minus ${acc.met:,.2f} met",
            False,
        )
    if acc.total is not None:
        if acc.total == ZERO:
            return Remaining(ZERO, None, False)
        return Remaining(
            acc.total,
            f"{what}: the 271 gave no remaining amount, so the full "
            f"${acc.total:,.2f} is assumed to remain",
            True,
        )
    return Remaining(None, None, False)


@dataclass(frozen=True, slots=True)
class Start:
    pool: Pool
    notes: tuple[str, ...]
    uncertain: bool


def start_pool(kind: str, in_network: bool, levels: ByLevel) -> Start:
    """The pool at the start of the course, with what had to be assumed to fill it."""
    network = "in-network" if in_network else "out-of-network"
    ind = _remaining(levels.individual, f"{network} individual {kind}")
    fam = _remaining(levels.family, f"{network} family {kind}")
    notes = [n for n in (ind.note, fam.note) if n]
    pool = Pool(kind, network, ind.amount, fam.amount)
    uncertain = ind.uncertain or fam.uncertain
    if not pool.known:
        uncertain = True
        notes.append(
            f"the 271 reported no {network} {kind}: "
            + ("none is assumed" if kind == "deductible" else "the estimate is not capped")
        )
    return Start(pool, tuple(notes), uncertain)
