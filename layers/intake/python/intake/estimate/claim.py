"""What the pharmacy bills for each dosing day: drug units, a per diem and nurse visits.

A home infusion claim has three parts billed under different codes (and sometimes different
benefits), so each is priced and cost-shared separately.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal

from intake.estimate.contracts import ANTIBIOTIC, Contracts, ContractTerms, DrugProfile
from intake.estimate.dosing import Frequency
from intake.estimate.errors import EstimateError
from intake.models.billing import Component

NURSE_FIRST_VISIT_CODE = "99601"
"""CPT 99601: a home infusion visit, up to 2 hours."""
NURSE_EXTRA_HOUR_CODE = "99602"
"""CPT 99602: each additional hour (any part of an hour is billed as one)."""
NURSE_FIRST_HOURS = Decimal(2)
WEEKLY_VISIT_HOURS = Decimal(1)
"""Line care and labs for therapies the patient gives between visits."""
SELF_GIVEN_BELOW_DAYS = 7
"""Doses more often than weekly are given by the patient or caregiver after teaching; a nurse
comes on the first day and then weekly. Less frequent infusions each get a nurse."""


@dataclass(frozen=True, slots=True)
class Charge:
    component: Component
    code: str
    units: int
    rate: Decimal
    rate_source: str

    @property
    def allowed(self) -> Decimal:
        return self.rate * self.units


@dataclass(frozen=True, slots=True)
class ServiceDay:
    number: int
    day: date
    charges: tuple[Charge, ...]

    @property
    def allowed(self) -> Decimal:
        return sum((c.allowed for c in self.charges), Decimal(0))


def nursing_units(hours: Decimal) -> list[tuple[str, int]]:
    """99601 for the first 2 hours; 99602 for each further hour or part of one."""
    extra = max(hours - NURSE_FIRST_HOURS, Decimal(0))
    units = [(NURSE_FIRST_VISIT_CODE, 1)]
    if extra:
        units.append((NURSE_EXTRA_HOUR_CODE, int(extra.to_integral_value(rounding=ROUND_CEILING))))
    return units


def per_diem_code(contracts: Contracts, drug: DrugProfile, frequency: Frequency) -> str:
    """The drug's per diem; antibiotics are coded by doses a day (S9500 daily … S9504 q4h)."""
    if drug.per_diem != ANTIBIOTIC:
        return drug.per_diem
    table = contracts.antibiotic_per_diem
    fitting = [n for n in sorted(table) if n >= frequency.doses_per_day]
    return table[fitting[0] if fitting else max(table)]


def visit_hours(drug: DrugProfile, frequency: Frequency, start: date, day: date) -> Decimal:
    """Nurse hours on a dosing day (0: no visit)."""
    single = frequency.every_days is None and frequency.every_months is None
    if single or frequency.interval_days >= SELF_GIVEN_BELOW_DAYS or day == start:
        return drug.visit_hours
    return WEEKLY_VISIT_HOURS if (day - start).days % 7 == 0 else Decimal(0)


class _Pricer:
    def __init__(self, terms: ContractTerms, ndc: str | None) -> None:
        self.terms = terms
        self.ndc = ndc
        self.fallbacks: list[str] = []

    def charge(self, component: Component, code: str, units: int) -> Charge:
        if component is Component.DRUG and self.ndc and self.ndc in self.terms.rates:
            return Charge(
                component,
                code,
                units,
                self.terms.rates[self.ndc],
                f"{self.terms.schedule}, NDC {self.ndc} per {code} unit",
            )
        rate = self.terms.rates.get(code)
        if rate is not None:
            return Charge(component, code, units, rate, self.terms.schedule)
        fallback = self.terms.default_rates.get(code)
        if fallback is None:
            raise EstimateError(f"no rate for {code} in the contracts, not even a default one")
        if code not in self.fallbacks:
            self.fallbacks.append(code)
        return Charge(component, code, units, fallback, "usual-and-customary (no contracted rate)")


def service_days(
    dates: Sequence[date],
    *,
    drug: DrugProfile,
    drug_units: int,
    per_diem: str,
    frequency: Frequency,
    terms: ContractTerms,
    ndc: str | None,
) -> tuple[list[ServiceDay], list[str]]:
    """The priced dosing days, and the codes priced at usual-and-customary for lack of a rate."""
    pricer = _Pricer(terms, ndc)
    days: list[ServiceDay] = []
    start = dates[0] if dates else None
    for number, day in enumerate(dates, start=1):
        charges = [
            pricer.charge(Component.DRUG, drug.hcpcs, drug_units),
            pricer.charge(Component.PER_DIEM, per_diem, 1),
        ]
        hours = visit_hours(drug, frequency, start or day, day)
        if hours:
            charges.extend(
                pricer.charge(Component.NURSING, code, units)
                for code, units in nursing_units(hours)
            )
        days.append(ServiceDay(number, day, tuple(charges)))
    return days, pricer.fallbacks
