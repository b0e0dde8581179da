"""What the pharmacy bills for each dosing day, priced: the service plan's days with rates.

The days and their codes come from ``intake.therapy`` (the same the 278 requests: drug
units from whole vials with JW/JZ, the per diem, nurse visits); here each code gets the
contract's rate, an NDC rate for the drug where the contract has one, else the default
(usual-and-customary) rate, noted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from intake.core.estimate_errors import EstimateError
from intake.models.billing import Component
from intake.reference.contracts import ContractTerms
from intake.therapy.model import ServiceDay as PlannedDay
from intake.therapy.nursing import (
    NURSE_EXTRA_HOUR_CODE,
    NURSE_FIRST_HOURS,
    NURSE_FIRST_VISIT_CODE,
    nursing_units,
)

__all__ = [
    "NURSE_EXTRA_HOUR_CODE",
    "NURSE_FIRST_HOURS",
    "NURSE_FIRST_VISIT_CODE",
    "Charge",
    "Component",
    "Pricer",
    "ServiceDay",
    "nursing_units",
    "price_days",
]


@dataclass(frozen=True, slots=True)
class Charge:
    """One priced code on one day."""

    component: Component
    code: str
    units: int
    rate: Decimal
    rate_source: str
    modifiers: tuple[str, ...] = ()

    @property
    def allowed(self) -> Decimal:
        return self.rate * self.units

    @property
    def label(self) -> str:
        """``J1745``, ``J1745-JW``: the code as a claim line shows it."""
        return "-".join((self.code, *self.modifiers))


@dataclass(frozen=True, slots=True)
class ServiceDay:
    number: int
    day: date
    charges: tuple[Charge, ...]
    allowed: Decimal = field(init=False)
    """Summed once: the walk and the totals read it many times."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "allowed", sum((c.allowed for c in self.charges), Decimal(0)))


class Pricer:
    """Rates for one payer's terms; remembers the codes priced at a fallback rate."""

    def __init__(self, terms: ContractTerms, ndc: str | None) -> None:
        self.terms = terms
        self.ndc = ndc
        self.fallbacks: list[str] = []
        self._seen: dict[tuple[Component, str, int, tuple[str, ...]], Charge] = {}

    def charge(
        self, component: Component, code: str, units: int, modifiers: tuple[str, ...] = ()
    ) -> Charge:
        """The priced charge (the same charge every day of a course is priced once)."""
        key = (component, code, units, modifiers)
        found = self._seen.get(key)
        if found is None:
            found = self._seen[key] = self._price(component, code, units, modifiers)
        return found

    def _price(
        self, component: Component, code: str, units: int, modifiers: tuple[str, ...]
    ) -> Charge:
        if component is Component.DRUG and self.ndc and self.ndc in self.terms.rates:
            return Charge(
                component,
                code,
                units,
                self.terms.rates[self.ndc],
                f"{self.terms.schedule}, NDC {self.ndc} per {code} unit",
                modifiers,
            )
        rate = self.terms.rates.get(code)
        if rate is not None:
            return Charge(component, code, units, rate, self.terms.schedule, modifiers)
        fallback = self.terms.default_rates.get(code)
        if fallback is None:
            raise EstimateError(f"no rate for {code} in the contracts, not even a default one")
        if code not in self.fallbacks:
            self.fallbacks.append(code)
        return Charge(
            component,
            code,
            units,
            fallback,
            "usual-and-customary (no contracted rate)",
            modifiers,
        )


def price_days(days: Sequence[PlannedDay], pricer: Pricer) -> list[ServiceDay]:
    """Each planned day's charges at the payer's rates."""
    return [
        ServiceDay(
            d.number,
            d.day,
            tuple(pricer.charge(c.component, c.code, c.units, c.modifiers) for c in d.charges),
        )
        for d in days
    ]
