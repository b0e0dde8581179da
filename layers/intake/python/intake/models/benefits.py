"""What a 271 means for one patient: the domain ``BenefitsSummary``.

Amounts are ``Decimal`` (never float: they are money), percents are fractions as X12 sends them
(``0.2`` is 20%), and anything the payer did not say is ``None`` rather than a guessed zero:
"no deductible reported" and "deductible 0" lead to different conversations with the patient.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class CoverageStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    REJECTED = "rejected"
    UNKNOWN = "unknown"
    """The payer answered but sent no EB01 status code (1-8) and no rejection."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


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


class DatedQualifier(_Model):
    """One DTP of a 271 as the guide names it: DTP01 (e.g. 291 Plan, 346 Plan Begin, 356
    Eligibility Begin, 539 Policy Effective), a D8 date or an RD8 range, and the loop it was in."""

    qualifier: str
    name: str | None = None
    begin: date
    end: date | None = None
    loop: str | None = None


class Plan(_Model):
    """The plan, and its dates kept apart as the guide defines them (X12 element 374).

    ``begin``/``end`` are the plan year: from DTP 291 Plan (RD8) or 346 Plan Begin / 347 Plan
    End only. A member's eligibility (356/357, 307) and the policy's dates (539/540) are other
    facts: a member who enrolled mid-year keeps the plan year and the payer's remaining amounts.
    ``begin``/``end`` are None when the 271 sends no plan dates (the estimate then says which
    year it assumed)."""

    description: str | None = None
    group_number: str | None = None
    insurance_type: str | None = None
    insurance_type_description: str | None = None
    begin: date | None = None
    end: date | None = None
    dates_from: str | None = None
    """Which DTP gave the plan year (e.g. ``2100C DTP*291``); None when none did."""
    eligibility_begin: date | None = None
    eligibility_end: date | None = None
    eligibility_date: date | None = None
    """DTP 307 Eligibility: the date (or first date of the range) the answer is for."""
    policy_effective: date | None = None
    policy_expiration: date | None = None
    dates: tuple[DatedQualifier, ...] = ()
    """Every 2100 DTP of the patient's loop, as sent."""


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
    contact: str | None = None
    """The first communication number of the entity's PER (e.g. a PBM's help desk phone)."""


_LINE_RANGE = frozenset({"292", "291", "307"})
_LINE_BEGIN = frozenset({"292", "291", "307", "348", "346", "356"})
_LINE_END = frozenset({"349", "357"})
"""2110 DTP01 codes (X279 list, pyx12 map 271.5010.X279.A1 @ c260de0) that bound a line:
292 Benefit, 291 Plan, 307 Eligibility (ranges or dates), 348/349 Benefit Begin/End, 346 Plan
Begin, 356/357 Eligibility Begin/End."""


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
    """The EB04 coverage the line belongs to: its own EB04 only (X279 repeats loop 2110 once per
    EB; nothing in the guide lets EB04 carry to the next iteration); None when not stated."""
    domain: str | None = None
    """medical, dental, vision or pharmacy: told from the line's service types (EB03) and plan
    description (EB05) by ``intake/data/service_type_domains.json``; None: plan level (30) or
    not told."""
    dates: tuple[DatedQualifier, ...] = ()
    """The line's own 2110 DTPs (292 Benefit, 348/349 Benefit Begin/End, 356/357...): they
    override the plan's dates for this line only."""
    segment: str | None = None
    """The EB segment as sent (elements joined by ``*``): where a figure came from."""

    @property
    def benefit_begin(self) -> date | None:
        return next((d.begin for d in self.dates if d.qualifier in _LINE_BEGIN), None)

    @property
    def benefit_end(self) -> date | None:
        for d in self.dates:
            if d.qualifier in _LINE_RANGE and d.end is not None:
                return d.end
            if d.qualifier in _LINE_END:
                return d.begin
        return None

    def active_on(self, day: date) -> bool | None:
        """Whether the line's own dates include ``day``; None when it has none."""
        begin, end = self.benefit_begin, self.benefit_end
        if begin is None and end is None:
            return None
        return (begin is None or begin <= day) and (end is None or day <= end)


class Accumulator(_Model):
    """A deductible or out-of-pocket maximum: the plan amount, what is left, what is met."""

    total: Decimal | None = None
    remaining: Decimal | None = None
    met: Decimal | None = None
    period: str | None = None
    """EB06 of the plan amount's line (22 Service Year, 23 Calendar Year, 25 Contract...)."""


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

    def active_on(self, line: BenefitLine, day: date) -> bool | None:
        """Whether ``line`` applies on ``day``: its own 2110 dates when it has them, else the
        plan year's (2100); None when neither says."""
        own = line.active_on(day)
        if own is not None:
            return own
        begin, end = self.plan.begin, self.plan.end
        if begin is None and end is None:
            return None
        return (begin is None or begin <= day) and (end is None or day <= end)

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


_DERIVED = frozenset({"summary", "demographics_mismatch", "cost_share_by_part"})
"""Keys of the rendered 271 JSON (``summary_json``) that repeat or derive other fields."""


def summary_from_rendered(data: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a ``BenefitsSummary`` from its rendered JSON (``summary_json``: the output
    of ``intake x12 read-271``, and what referral records stored before their benefits were
    typed): the patient's dependent flags lifted, derived keys dropped."""
    fields = {k: v for k, v in data.items() if k not in _DERIVED}
    patient = dict(fields.get("patient") or {})
    fields["is_dependent"] = bool(patient.pop("is_dependent", False))
    fields["relationship"] = patient.pop("relationship", None)
    fields["patient"] = patient
    summary = data.get("summary") or {}
    fields["summary"] = {k: summary[k] for k in ("deductible", "out_of_pocket") if k in summary}
    return fields


_CHECK_FIELDS = frozenset(
    {
        "outcome",
        "headline",
        "reasons",
        "checked_at",
        "round",
        "payload_id",
        "attempts",
        "secondary",
        "coordination",
        "payer_id",
        "reason",
    }
)
"""What a benefits check stores beside the 271 summary."""


def _lift_answer(data: Any) -> Any:
    """A section stored flat (the rendered 271 with the check's fields beside it, as records
    were written before the section was typed) read as ``{answer: ..., <check fields>}``."""
    if not isinstance(data, Mapping) or "answer" in data or "status" not in data:
        return data
    answer = summary_from_rendered({k: v for k, v in data.items() if k not in _CHECK_FIELDS})
    return {**{k: v for k, v in data.items() if k in _CHECK_FIELDS}, "answer": answer}


class _Stored(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)

    @model_validator(mode="before")
    @classmethod
    def _flat(cls, data: Any) -> Any:
        return _lift_answer(data)


class SecondaryBenefits(_Stored):
    """The referral's secondary coverage, checked with its own 270/271. A secondary that could
    not be checked is ``unverified`` with ``reason`` and no answer."""

    outcome: Literal["verified", "unverified"]
    payer_id: str
    answer: BenefitsSummary | None = None
    headline: str | None = None
    payload_id: str | None = None
    reason: str | None = None

    @property
    def verified(self) -> bool:
        return self.outcome == "verified" and self.answer is not None


class Coordination(BaseModel):
    """Which of the two coverages pays first, and why."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    primary: Literal["primary", "secondary"]
    """``secondary``: the referral's secondary coverage pays first (the 271s said so)."""
    reason: str


class StoredBenefits(_Stored):
    """The referral's ``benefits`` section: the payer's answer (the 271 read for our patient)
    and what the check made of it."""

    answer: BenefitsSummary
    outcome: str
    """``verified``, ``verify_insurance`` or ``coverage_inactive``."""
    headline: str
    reasons: list[str] = Field(default_factory=list)
    checked_at: datetime
    """When the payer answered: the remaining amounts were true then."""
    round: int = 1
    payload_id: str | None = None
    attempts: int = 1
    secondary: SecondaryBenefits | None = None
    coordination: Coordination | None = None

    @property
    def verified(self) -> bool:
        return self.outcome == "verified"
