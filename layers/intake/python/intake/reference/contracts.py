"""Payer contracts as data (``intake/data/contracts.json``): network status and fee schedules.

Contracts change every year and differ per payer and plan, so they are a versioned data file,
not code; an estimate records the version and the rates it used so it can be explained later.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from intake.core.estimate_errors import EstimateError
from intake.models.benefits import Plan
from intake.models.codes import normalize_ndc
from intake.models.referral import Therapy

ANTIBIOTIC = "antibiotic"
"""A drug profile's per diem that depends on how often doses are given (S9500-S9504)."""


class PlanClass(StrEnum):
    """Who funds the plan: decides which assistance programs a patient may use."""

    COMMERCIAL = "commercial"
    MEDICARE = "medicare"
    MEDICAID = "medicaid"
    GOVERNMENT = "government"
    UNKNOWN = "unknown"


class CodeKind(StrEnum):
    DRUG = "drug"
    PER_DIEM = "per_diem"
    NURSING = "nursing"


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    doc: str | None = Field(default=None, alias="_doc")


class BillingUnit(_Data):
    amount: Decimal = Field(gt=0)
    measure: Literal["mg", "units"]


class Code(_Data):
    kind: CodeKind
    description: str
    unit: BillingUnit | None = None


class DrugProfile(_Data):
    """How one drug is billed at home: its HCPCS code, per diem code and nurse visit length."""

    hcpcs: str
    names: tuple[str, ...]
    ndcs: tuple[str, ...] = ()
    per_diem: str
    visit_hours: Decimal = Field(gt=0)
    therapy_area: str | None = None
    medicare_home: Literal["dme_pump", "ivig_pid"] | None = None
    """How Original Medicare Part B pays the drug at home: as an external infusion pump supply
    (LCD L33794, with the home infusion therapy services benefit), as IVIG for primary immune
    deficiency (with the items-and-services payment), or not at all (None)."""
    medicare_services_code: str | None = None
    """The Part B code for the services with the drug at home (Q2052 for IVIG; G0068-G0070
    for the HIT benefit), billed once per infusion day in place of the S-code and 99601."""

    @field_validator("ndcs")
    @classmethod
    def _ndcs(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(normalize_ndc(n) for n in v)


def _rate_keys(rates: dict[str, Decimal]) -> dict[str, Decimal]:
    """NDC keys (any hyphenation) become 11 digits so they match ``Therapy.ndc``."""
    return {
        (normalize_ndc(k) if k.replace("-", "").isdigit() and len(k) > 5 else k.upper()): v
        for k, v in rates.items()
    }


class PlanTerms(_Data):
    """A plan's differences from its payer's entry (only what is set overrides)."""

    in_network: bool | None = None
    plan_class: PlanClass | None = None
    schedule: str | None = None
    rates: dict[str, Decimal] = Field(default_factory=dict)
    pharmacy_benefit: tuple[str, ...] | None = None

    @field_validator("rates")
    @classmethod
    def _keys(cls, v: dict[str, Decimal]) -> dict[str, Decimal]:
        return _rate_keys(v)


class PayerContract(_Data):
    name: str
    plan_class: PlanClass
    in_network: bool
    schedule: str
    rates: dict[str, Decimal]
    pharmacy_benefit: tuple[str, ...] = ()
    plans: dict[str, PlanTerms] = Field(default_factory=dict)

    @field_validator("rates")
    @classmethod
    def _keys(cls, v: dict[str, Decimal]) -> dict[str, Decimal]:
        return _rate_keys(v)


class CoinsuranceDefaults(_Data):
    in_network: Decimal = Field(ge=0, le=1)
    out_of_network: Decimal = Field(ge=0, le=1)


@dataclass(frozen=True, slots=True)
class ContractTerms:
    """The terms for one payer and plan, resolved: what an estimate is priced with."""

    payer_id: str
    known: bool
    name: str
    plan_key: str | None
    plan_class: PlanClass
    in_network: bool
    schedule: str
    rates: dict[str, Decimal]
    default_rates: dict[str, Decimal]
    pharmacy_benefit: tuple[str, ...]


class Contracts(_Data):
    """The whole contracts file; ``terms_for`` and ``drug_for`` are what the estimator asks."""

    version: str
    effective: date
    assumed_coinsurance: CoinsuranceDefaults
    antibiotic_per_diem: dict[int, str]
    codes: dict[str, Code]
    drugs: tuple[DrugProfile, ...]
    payers: dict[str, PayerContract] = Field(default_factory=dict)
    """Payers this file prices itself (a contracts file given to the estimate CLI); the
    shipped file has none: each payer's contract is in the payer directory."""
    default: PayerContract
    _drugs_by_code: dict[str, DrugProfile] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        for profile in self.drugs:
            code = self.codes.get(profile.hcpcs)
            if code is None or code.kind is not CodeKind.DRUG or code.unit is None:
                raise ValueError(f"drug {profile.hcpcs} needs a drug code with a billing unit")
            if profile.per_diem != ANTIBIOTIC and profile.per_diem not in self.codes:
                raise ValueError(f"drug {profile.hcpcs}: unknown per diem {profile.per_diem}")
            services = profile.medicare_services_code
            if services is not None and services not in self.codes:
                raise ValueError(f"drug {profile.hcpcs}: unknown Medicare code {services}")
        for payer in (*self.payers.values(), self.default):
            for rates in (payer.rates, *(plan.rates for plan in payer.plans.values())):
                unknown = [k for k in rates if k not in self.codes and not k.isdigit()]
                if unknown:
                    raise ValueError(f"{payer.name}: rates for unknown codes {unknown}")
        return self

    def terms_for(self, payer_id: str | None, plan: Plan) -> ContractTerms:
        """Unknown payers get the default (out-of-network, usual-and-customary) terms."""
        key = (payer_id or "").strip().upper()
        payer = self.payers.get(key) or (_directory_contract(key) if key else None)
        entry = payer or self.default
        plan_key, overrides = _plan_overrides(entry, plan)
        return ContractTerms(
            payer_id=key,
            known=payer is not None,
            name=entry.name,
            plan_key=plan_key,
            plan_class=(
                overrides.plan_class if overrides and overrides.plan_class else entry.plan_class
            ),
            in_network=(
                overrides.in_network
                if overrides and overrides.in_network is not None
                else entry.in_network
            ),
            schedule=(overrides.schedule if overrides and overrides.schedule else entry.schedule)
            + (f" ({plan_key})" if plan_key else ""),
            rates={**entry.rates, **(overrides.rates if overrides else {})},
            default_rates=dict(self.default.rates),
            pharmacy_benefit=(
                overrides.pharmacy_benefit
                if overrides and overrides.pharmacy_benefit is not None
                else entry.pharmacy_benefit
            ),
        )

    def per_diem_for(self, drug: DrugProfile, doses_per_day: int) -> str:
        """The drug's per diem; anti-infectives are coded by doses a day (S9500 q24h, S9501
        q12h, S9502 q8h, S9503 q6h, S9504 q4h, S9497 q3h): the next table entry at or above."""
        if drug.per_diem != ANTIBIOTIC:
            return drug.per_diem
        table = self.antibiotic_per_diem
        fitting = [n for n in sorted(table) if n >= doses_per_day]
        return table[fitting[0] if fitting else max(table)]

    def drug_for(self, therapy: Therapy) -> DrugProfile:
        """The drug's billing profile, by HCPCS, then NDC, then name."""
        by_code = self._drugs_by_code
        if not by_code:
            by_code.update({d.hcpcs: d for d in self.drugs})
        if therapy.hcpcs and therapy.hcpcs in by_code:
            return by_code[therapy.hcpcs]
        for d in self.drugs:
            if therapy.ndc and therapy.ndc in d.ndcs:
                return d
        name = therapy.drug_name.strip().lower()
        for d in self.drugs:
            if any(name == n or name.startswith(n + " ") for n in d.names):
                return d
        codes = ", ".join(c for c in (therapy.hcpcs, therapy.ndc) if c) or "no code"
        raise EstimateError(
            f"no billing profile for {therapy.drug_name} ({codes}) in contracts {self.version}: "
            "add the drug to contracts.json to estimate it"
        )


def _directory_contract(payer_id: str) -> PayerContract | None:
    from intake.directory.runtime import payer_contract

    found: PayerContract | None = payer_contract(payer_id)
    return found


def _plan_overrides(entry: PayerContract, plan: Plan) -> tuple[str | None, PlanTerms | None]:
    wanted = {v.strip().upper() for v in (plan.group_number, plan.description) if v}
    for key, terms in entry.plans.items():
        if key.strip().upper() in wanted:
            return key, terms
    return None, None


def parse_contracts(text: str, source: str = "contracts") -> Contracts:
    try:
        return Contracts.model_validate(json.loads(text))
    except json.JSONDecodeError as exc:
        raise EstimateError(f"{source} is not JSON (line {exc.lineno}: {exc.msg})") from exc
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'file'}: {e['msg']}" for e in exc.errors()
        )
        raise EstimateError(f"{source} is not a valid contracts file: {problems}") from exc


@functools.cache
def _shipped() -> Contracts:
    text = resources.files("intake.data").joinpath("contracts.json").read_text("utf-8")
    return parse_contracts(text, "contracts.json")


def load_contracts(path: Path | None = None) -> Contracts:
    """The contracts shipped with the layer (cached), or those of ``path``."""
    if path is None:
        return _shipped()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise EstimateError(f"cannot read contracts {path.name}: {exc.strerror}") from exc
    return parse_contracts(text, path.name)


_INSURANCE_TYPE_CLASSES = {
    **dict.fromkeys(
        (
            "MA",
            "MB",
            "MP",
            "HN",
            "QM",
            "HS",
            "CP",
            "MH",
            "MI",
            "12",
            "13",
            "14",
            "15",
            "16",
            "41",
            "42",
            "43",
            "47",
        ),
        PlanClass.MEDICARE,
    ),
    "MC": PlanClass.MEDICAID,
    **dict.fromkeys(("CH", "VA"), PlanClass.GOVERNMENT),
    **dict.fromkeys(("C1", "CO", "EP", "GP", "HM", "IN", "IP", "PR", "PS"), PlanClass.COMMERCIAL),
}


def plan_class(terms: ContractTerms, insurance_type: str | None) -> PlanClass:
    """The contract's class; for payers without one, the 271's insurance type (EB04): Medicare
    Advantage, Medigap and Medicare secondary all make the patient a Medicare beneficiary."""
    if terms.plan_class is not PlanClass.UNKNOWN:
        return terms.plan_class
    return _INSURANCE_TYPE_CLASSES.get((insurance_type or "").upper(), PlanClass.UNKNOWN)
