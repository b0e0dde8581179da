"""What a 271 means for one patient: the domain ``BenefitsSummary``.

Amounts are ``Decimal`` (never float: they are money), percents are fractions as X12 sends them
(``0.2`` is 20%), and anything the payer did not say is ``None`` rather than a guessed zero:
"no deductible reported" and "deductible 0" lead to different conversations with the patient.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class CoverageStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    REJECTED = "rejected"
    UNKNOWN = "unknown"
    """The payer answered but sent no EB01 status code (1-8) and no rejection."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Party(_Model):
    name: str | None = None
    id: str | None = None


class PersonEcho(_Model):
    """A person as the payer's 271 names them."""

    member_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    dob: date | None = None
    sex: str | None = None


class ExpectedPatient(_Model):
    """Who the referral says the patient is: compared with the payer's echo."""

    first_name: str
    last_name: str
    dob: date | None = None


class Plan(_Model):
    description: str | None = None
    group_number: str | None = None
    insurance_type: str | None = None
    insurance_type_description: str | None = None
    begin: date | None = None
    end: date | None = None


class Rejection(_Model):
    code: str
    follow_up: str | None = None
    loop: str
    description: str | None = None
    follow_up_description: str | None = None
    valid_request: bool | None = None


class RelatedEntity(_Model):
    entity_code: str
    name: str
    id_qualifier: str | None = None
    id: str | None = None


class BenefitLine(_Model):
    """One EB segment with its MSG texts and 2120 related entities."""

    code: str
    description: str | None = None
    coverage_level: str | None = None
    service_types: tuple[str, ...] = ()
    insurance_type: str | None = None
    plan_description: str | None = None
    time_period: str | None = None
    amount: Decimal | None = None
    percent: Decimal | None = None
    quantity_qualifier: str | None = None
    quantity: Decimal | None = None
    auth_required: bool | None = None
    in_network: bool | None = None
    messages: tuple[str, ...] = ()
    related_entities: tuple[RelatedEntity, ...] = ()
    procedure: str | None = None
    coverage: str | None = None
    """The EB04 coverage the line belongs to: its own EB04, else that of the line before it
    (payers state EB04 on the first line of a coverage); None before any EB04."""


class Accumulator(_Model):
    """A deductible or out-of-pocket maximum: the plan amount, what is left, what is met."""

    total: Decimal | None = None
    remaining: Decimal | None = None
    met: Decimal | None = None


class ByLevel(_Model):
    individual: Accumulator = Field(default_factory=Accumulator)
    family: Accumulator = Field(default_factory=Accumulator)


class ByNetwork(_Model):
    in_network: ByLevel = Field(default_factory=ByLevel)
    out_of_network: ByLevel = Field(default_factory=ByLevel)


class CostShare(_Model):
    """Coinsurance (a fraction) or copay (an amount), in and out of network."""

    in_network: Decimal | None = None
    out_of_network: Decimal | None = None


class VisitLimit(_Model):
    code: str
    service_types: tuple[str, ...] = ()
    quantity_qualifier: str | None = None
    quantity: Decimal
    time_period: str | None = None
    time_period_description: str | None = None
    coverage_level: str | None = None
    in_network: bool | None = None


class Accumulators(_Model):
    deductible: ByNetwork = Field(default_factory=ByNetwork)
    out_of_pocket: ByNetwork = Field(default_factory=ByNetwork)


class CoverageSummary(_Model):
    """One coverage of the 271 (EB04: Medicare Part A, Part B, a PPO...), read on its own lines
    so a Part A figure never completes a Part B one."""

    insurance_type: str | None
    description: str | None = None
    status: CoverageStatus | None = None
    plan_description: str | None = None
    deductible: ByNetwork = Field(default_factory=ByNetwork)
    out_of_pocket: ByNetwork = Field(default_factory=ByNetwork)
    coinsurance: CostShare = Field(default_factory=CostShare)
    copay: CostShare = Field(default_factory=CostShare)
    lines: int = 0
    used_for_infusion: bool = False


class BenefitsSummary(_Model):
    """Eligibility and benefits for one patient (subscriber or dependent) of a 271."""

    status: CoverageStatus
    status_detail: str | None = None
    payer: Party
    receiver: Party = Field(default_factory=Party)
    plan: Plan = Field(default_factory=Plan)
    subscriber: PersonEcho = Field(default_factory=PersonEcho)
    patient: PersonEcho = Field(default_factory=PersonEcho)
    is_dependent: bool = False
    relationship: str | None = None
    coverage_level: str | None = None
    trace_numbers: tuple[str, ...] = ()
    benefits: tuple[BenefitLine, ...] = ()
    rejections: tuple[Rejection, ...] = ()
    summary: Accumulators = Field(default_factory=Accumulators)
    coinsurance: CostShare = Field(default_factory=CostShare)
    copay: CostShare = Field(default_factory=CostShare)
    auth_required: bool | None = None
    visit_limits: tuple[VisitLimit, ...] = ()
    messages: tuple[str, ...] = ()
    service_types: tuple[str, ...] = ()
    mismatches: tuple[str, ...] | None = Field(
        default=None,
        description="fields of the expected patient the payer's echo disagrees with "
        "(first_name, last_name, dob); None when no expected patient was given",
    )
    warnings: tuple[str, ...] = ()
    coverages: tuple[CoverageSummary, ...] = ()
    infusion_coverage: str | None = None
    """The EB04 coverage the summary figures come from (Part B for Medicare); None: all lines."""

    def infusion_lines(self) -> tuple[BenefitLine, ...]:
        """The benefit lines of the coverage home infusion is billed to (all lines when the 271
        states no coverage types, or for summaries stored before coverages were read)."""
        if self.infusion_coverage is None:
            return self.benefits
        return tuple(b for b in self.benefits if b.coverage in (self.infusion_coverage, None))

    @property
    def demographics_mismatch(self) -> bool | None:
        """True when the payer's name/DOB differ from the referral's; None if not compared."""
        return None if self.mismatches is None else bool(self.mismatches)
