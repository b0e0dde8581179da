"""The estimate: what the patient will owe, with the line items, rules and assumptions behind it.

An estimate is stored and read back later (by a liaison, or in a dispute), so it carries its
inputs and the contract version: it can be explained and recomputed without the original 271.
Amounts are ``Decimal`` rounded to cents and serialized as decimal strings, never floats.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, PlainSerializer

from intake.benefits.summary import ByLevel
from intake.estimate.contracts import PlanClass
from intake.models.referral import Language, Therapy


def _money(value: Decimal) -> str:
    return format(value, "f")


Money = Annotated[Decimal, PlainSerializer(_money, return_type=str, when_used="json")]


class Confidence(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Amounts(_Out):
    allowed: Money
    patient: Money
    plan: Money


class InfusionAmounts(Amounts):
    number: int
    date: date
    deductible_left: Money | None
    out_of_pocket_left: Money | None


class CourseAmounts(Amounts):
    infusions: int
    first: date
    last: date
    plan_year_end: date
    after_plan_year: int | None
    """Infusions prescribed after the plan year end, not priced (None: open-ended therapy)."""


class LineItem(_Out):
    kind: Literal["allowed", "patient", "plan", "note"]
    description: str
    amount: Money
    rule: str
    infusions: tuple[int, ...] = ()


class AssistanceProgram(_Out):
    name: str
    kind: Literal["manufacturer", "foundation"]
    eligibility: str


class AccumulatorStatus(_Out):
    """A deductible or out-of-pocket maximum over the course (None: not reported)."""

    network: str
    remaining_before: Money | None
    remaining_after: Money | None
    binding: Literal["individual", "family"]
    reached_on_infusion: int | None
    assumed: bool


class BenefitsFigures(_Out):
    """The 271 figures the estimate used (no member names or ids: those are PHI)."""

    payer_id: str | None
    payer_name: str | None
    status: str
    plan_description: str | None
    group_number: str | None
    insurance_type: str | None
    plan_begin: date | None
    plan_end: date | None
    network: Literal["in_network", "out_of_network"]
    deductible: ByLevel
    out_of_pocket: ByLevel
    cost_share: dict[str, str]
    trace_numbers: tuple[str, ...]


class ContractUsed(_Out):
    version: str
    effective: date
    payer_id: str
    known: bool
    name: str
    plan_key: str | None
    plan_class: PlanClass
    in_network: bool
    schedule: str
    rates: dict[str, Money]
    """Only the rates this estimate used."""
    pharmacy_benefit: tuple[str, ...]


class DrugBilling(_Out):
    hcpcs: str
    description: str
    unit: str
    dose_per_infusion: str
    units_per_infusion: int
    doses_per_day: int
    per_diem_code: str
    nurse_visit_hours: Money
    benefit: Literal["medical", "pharmacy"]


class EstimateInputs(_Out):
    benefits: BenefitsFigures
    therapy: Therapy
    weight_kg: Money | None
    weight_assumed: bool
    start: date
    assistance_threshold: Money
    assistance_version: str
    contract: ContractUsed
    drug: DrugBilling


class Estimate(_Out):
    per_infusion: Amounts
    """The first infusion: what the patient owes at the first visit."""
    course: CourseAmounts
    infusions: tuple[InfusionAmounts, ...]
    line_items: tuple[LineItem, ...]
    in_network: bool
    payer_known: bool
    plan_class: PlanClass
    deductible: AccumulatorStatus
    out_of_pocket: AccumulatorStatus
    assistance_recommended: bool
    assistance_reasons: tuple[str, ...]
    assistance_programs: tuple[AssistanceProgram, ...]
    confidence: Confidence
    confidence_reasons: tuple[str, ...]
    assumptions: tuple[str, ...]
    contract_version: str
    language: Language
    inputs: EstimateInputs
