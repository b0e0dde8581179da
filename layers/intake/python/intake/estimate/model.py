"""The estimate: what the patient will owe, with the line items, rules and assumptions behind it.

An estimate is stored and read back later (by a liaison, or in a dispute), so it carries its
inputs and the contract version: it can be explained and recomputed without the original 271.
Amounts are ``Decimal`` rounded to cents and serialized as decimal strings, never floats.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from intake.estimate.assistance_model import AssistanceOutcome, EnrolledProgram, StatedIncome
from intake.models.benefits import ByLevel
from intake.models.estimate import Money
from intake.models.referral import Language, Therapy
from intake.reference.contracts import PlanClass


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
    """The whole course priced (every plan year): the sum of ``Estimate.plan_years``."""

    infusions: int
    first: date
    last: date
    plan_year_end: date
    """End of the 271's plan year (the first priced)."""
    after_plan_year: int | None
    """Infusions prescribed after the last priced day, not priced (0: the whole course is
    priced; None: ongoing therapy, priced for its first 12 months)."""


class PlanYearAmounts(Amounts):
    """One plan year of the course: its own deductible and out-of-pocket maximum."""

    start: date
    end: date
    infusions: int
    from_271: bool
    """Accumulators from the 271's remaining amounts; False: reset to the plan amounts."""
    deductible_left_at_start: Money | None
    out_of_pocket_left_at_start: Money | None
    """The binding remaining out-of-pocket maximum at the year's start (None: no maximum)."""
    primary_patient: Money
    """What the primary plan leaves the patient, before any secondary coverage pays."""
    secondary_pays: Money


class PartCostShare(_Out):
    """The cost share used for one part of the claim, and where it came from."""

    benefit: Literal["medical", "pharmacy", "not_billed"]
    coinsurance: Money | None
    copay: Money | None
    not_covered: bool
    source: str
    service_type: str | None
    plan_level: bool
    """Taken from the plan-level (30) line: the 271 said nothing for this part's service types."""
    assumed: bool


class SecondaryEstimate(_Out):
    """A secondary coverage applied to what the primary leaves the patient."""

    payer_id: str | None
    payer_name: str | None
    payer_type: str
    method: str
    """How it pays: medigap (the Part B cost sharing), medicaid (payment in full), standard
    coordination of benefits (its own benefit, up to what the primary leaves)."""
    order_reason: str
    pays: Money
    primary_leaves: Money
    patient_after: Money
    confidence_reasons: tuple[str, ...] = ()


class LineItem(_Out):
    kind: Literal["allowed", "patient", "plan", "note"]
    description: str
    amount: Money
    rule: str
    infusions: tuple[int, ...] = ()


class AssistanceProgram(_Out):
    name: str
    kind: Literal["manufacturer", "foundation", "pharmacy"]
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
    """Billed on the first infusion day: units given plus units discarded."""
    doses_per_day: int
    per_diem_code: str
    nurse_visit_hours: Money
    benefit: Literal["medical", "pharmacy"]
    units_given_per_infusion: int | None = None
    units_wasted_per_infusion: int | None = None
    """Discarded from single-dose vials, billed on a JW line (0: JZ; None: not single-dose)."""
    place_of_service: str | None = None
    """CMS place of service priced at (None: an infusion suite whose payer states none)."""
    site_of_care: str | None = None
    """The referral's site of care the estimate priced (home, infusion_suite)."""


class EstimateInputs(_Out):
    benefits: BenefitsFigures
    therapy: Therapy
    weight_kg: Money | None
    weight_assumed: bool
    start: date
    as_of: date | None = None
    """The day the 271's remaining amounts were true."""
    diagnoses: tuple[str, ...] = ()
    assistance_threshold: Money
    assistance_version: str
    assistance_enrolled: EnrolledProgram | None = None
    """The program the patient is enrolled in (its id recorded by the enrollment task)."""
    income: StatedIncome | None = None
    """The household income as stated (never assumed)."""
    contract: ContractUsed
    drug: DrugBilling


class Estimate(_Out):
    per_infusion: Amounts
    """The first infusion: what the patient owes at the first visit."""
    course: CourseAmounts
    typical_infusion: Amounts | None = None
    """A maintenance infusion once the deductible is met (before any out-of-pocket maximum)."""
    plan_years: tuple[PlanYearAmounts, ...] = ()
    payer_type: str = "commercial"
    cost_share_by_part: dict[str, PartCostShare] = Field(default_factory=dict)
    secondary: SecondaryEstimate | None = None
    alternatives: tuple[str, ...] = ()
    """Where the therapy would be covered when it is not covered as asked."""
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
    assistance: AssistanceOutcome | None = None
    """Every program decided (with its reason and source) and the one applied, per dose."""
    confidence: Confidence
    confidence_reasons: tuple[str, ...]
    assumptions: tuple[str, ...]
    contract_version: str
    language: Language
    inputs: EstimateInputs
