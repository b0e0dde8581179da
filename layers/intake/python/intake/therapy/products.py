"""Drug products as dispensed (``intake/data/products.json``): vial sizes, and the fewest-waste
way to make a dose from whole vials.

A dose is drawn from whole vials; what a single-dose vial has left is discarded and billed
(modifier JW) on its own line, and a claim with nothing discarded says so (JZ). So billed units
are the units given plus the units discarded: 350 mg of infliximab from 100 mg vials is 35 units
given and 5 discarded, 40 billed.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from intake.models.codes import normalize_ndc
from intake.therapy.model import JW, JZ


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    doc: str | None = Field(default=None, alias="_doc")


class Product(_Data):
    hcpcs: str
    name: str
    ndcs: tuple[str, ...] = ()
    measure: Literal["mg", "units"]
    vials: tuple[Decimal, ...] = Field(min_length=1)
    single_dose: bool

    @field_validator("ndcs")
    @classmethod
    def _ndcs(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(normalize_ndc(n) for n in v)

    @field_validator("vials")
    @classmethod
    def _positive(cls, v: tuple[Decimal, ...]) -> tuple[Decimal, ...]:
        if any(size <= 0 for size in v):
            raise ValueError("vial sizes are positive")
        return tuple(sorted(set(v)))


class Products(_Data):
    version: str
    products: tuple[Product, ...]

    _by_ndc: dict[str, Product] = PrivateAttr(default_factory=dict)
    _by_hcpcs: dict[str, Product] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: object, /) -> None:
        for p in reversed(self.products):  # the first listed wins
            self._by_hcpcs[p.hcpcs] = p
            self._by_ndc.update(dict.fromkeys(p.ndcs, p))

    def for_drug(self, hcpcs: str, ndc: str | None = None) -> Product | None:
        """The product by NDC when the referral names one, else the HCPCS code's first."""
        return (self._by_ndc.get(ndc) if ndc else None) or self._by_hcpcs.get(hcpcs)


@functools.cache
def load_products() -> Products:
    text = resources.files("intake.data").joinpath("products.json").read_text("utf-8")
    return Products.model_validate(json.loads(text))


@dataclass(frozen=True, slots=True)
class VialFill:
    """How one administration is made: vials opened, units given and units discarded."""

    vials: tuple[Decimal, ...]
    """Vial sizes opened, largest first."""
    given_units: int
    wasted_units: int

    @property
    def billed_units(self) -> int:
        return self.given_units + self.wasted_units

    @property
    def drawn(self) -> Decimal:
        return sum(self.vials, Decimal(0))


def _ceil(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_CEILING))


@functools.lru_cache(maxsize=1024)
def least_waste(dose: Decimal, sizes: tuple[Decimal, ...]) -> tuple[Decimal, ...]:
    """Whole vials holding at least ``dose`` with the least left over, then the fewest vials.

    Sizes are scaled to whole steps of their greatest common step, so this is an exact
    unbounded-knapsack search over at most (dose + largest vial) / step amounts."""
    step = functools.reduce(_gcd, sizes)
    counts = [int(s / step) for s in sizes]
    target = _ceil(dose / step)
    top = target + max(counts)
    best: list[tuple[int, ...] | None] = [None] * (top + 1)
    best[0] = ()
    for amount in range(1, top + 1):
        options = [
            (*prev, c) for c in counts if c <= amount and (prev := best[amount - c]) is not None
        ]
        best[amount] = min(options, key=len, default=None)
    for amount in range(target, top + 1):
        chosen = best[amount]
        if chosen is not None:
            return tuple(sorted((step * c for c in chosen), reverse=True))
    raise AssertionError("unreachable: the largest vial alone covers the target")


def _gcd(a: Decimal, b: Decimal) -> Decimal:
    while b:
        a, b = b, a % b
    return a


def fill(dose: Decimal, unit: Decimal, product: Product | None) -> VialFill:
    """Units for one administration of ``dose`` (in the product's measure) billed per ``unit``.

    Given units are the dose rounded up to whole billing units (payers pay whole units); a
    single-dose product adds the discarded rest of its vials. Without a single-dose product
    nothing is counted as discarded."""
    given = max(_ceil(dose / unit), 1)
    if product is None or not product.single_dose:
        return VialFill((), given, 0)
    vials = least_waste(dose, product.vials)
    billed = max(_ceil(sum(vials, Decimal(0)) / unit), given)
    return VialFill(vials, given, billed - given)


def drug_lines(vials: VialFill, product: Product | None) -> tuple[tuple[tuple[str, ...], int], ...]:
    """The drug's claim lines for one administration, as (modifiers, units).

    CMS (Noridian JZ/JW pages): a single-dose container's discarded amount, in whole units
    rounded down, is its own line with JW; when nothing (or less than one unit) is discarded
    the one line carries JZ. A multi-dose or pharmacy-bulk product has neither."""
    if product is None or not product.single_dose:
        return (((), vials.given_units),)
    if not vials.wasted_units:
        return (((JZ,), vials.given_units),)
    return (((), vials.given_units), ((JW,), vials.wasted_units))
