"""What an estimate says about financial assistance: which programs fit and why (or why not),
and, for the program applied, what it pays dose by dose and plan year by plan year.

Stored with the estimate (keys are a contract: add, never rename). Amounts are cents.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from intake.models.estimate import Money

DecisionStatus = Literal[
    "eligible",
    "not_eligible",
    "income_needed",
    "fund_closed",
    "plan_type_needed",
    "referral_only",
]
"""eligible; not_eligible (the reason names the rule and its source); income_needed (the
program judges income and none was stated); fund_closed (as read on the date given);
plan_type_needed (whether the plan is commercial is not known); referral_only (a resource
whose terms are not recorded: offered, never applied)."""
CopayPolicy = Literal["accumulator", "maximizer", "standard", "unknown"]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class StatedIncome(_Out):
    """The household's income as the patient stated it (or the band a liaison recorded).
    Nothing here is ever assumed: absent, a program that judges income says so."""

    household_size: int | None = Field(default=None, ge=1)
    annual_income: Money | None = Field(default=None, ge=0)
    fpl_percent: Decimal | None = Field(default=None, ge=0)
    """A band recorded directly (% of the HHS poverty guideline), when no amount was given."""
    state: str | None = None
    stated_on: date | None = None
    proof_received: bool = False
    """The application and proof of income are in (an individual determination of need)."""


class EnrolledProgram(_Out):
    """A program the patient is enrolled in (the liaison's enrollment task outcome)."""

    program_id: str
    enrollment_id: str = Field(min_length=1, max_length=80)
    enrolled_on: date
    fund_id: str | None = None
    annual_maximum: Money | None = None
    """The award (a foundation's grant letter); None: the program's own maximum."""


class ProgramDecision(_Out):
    program_id: str
    name: str
    kind: Literal["manufacturer", "foundation", "pharmacy"]
    status: DecisionStatus
    reasons: tuple[str, ...]
    fund_id: str | None = None
    fund_status_read: date | None = None
    income_limit_fpl_percent: int | None = None
    income_fpl_percent: Decimal | None = None
    pays_share: Decimal | None = None
    """The pharmacy's band: the part of the covered share it pays."""
    requires: tuple[str, ...] = ()
    """What enrolling takes: documents and signatures."""
    source: str
    source_read: date | None = None


class DoseAssistance(_Out):
    number: int
    day: date
    patient_before: Money
    program_pays: Money
    patient_after: Money
    program_year_start: date | None
    program_left_after: Money | None


class YearAssistance(_Out):
    """A plan year: the patient's share before the program, what it pays, what is left."""

    start: date
    end: date
    patient_before: Money
    program_pays: Money
    patient_after: Money


class ProgramYear(_Out):
    """A program year (calendar, or 12 months from enrollment): its maximum and when it ran out."""

    start: date
    end: date
    maximum: Money | None
    paid: Money
    runs_out_on: date | None
    """The dose on which the maximum was used up (None: it lasts)."""


class AppliedProgram(_Out):
    program_id: str
    name: str
    kind: Literal["manufacturer", "foundation", "pharmacy"]
    status: Literal["projected", "enrolled"]
    """projected: what it would pay once enrolled; enrolled: the enrollment id is on file."""
    enrollment_id: str | None = None
    enrolled_on: date | None = None
    copay_policy: CopayPolicy
    copay_policy_source: str
    counts_toward_plan: bool
    """The program's payments count toward the deductible and out-of-pocket maximum."""
    doses: tuple[DoseAssistance, ...]
    plan_years: tuple[YearAssistance, ...]
    program_years: tuple[ProgramYear, ...]
    runs_out_on: date | None
    owes_after_runs_out: Money | None
    """What the patient owes for the first dose after the maximum ran out."""
    patient_before: Money
    program_pays: Money
    patient_after: Money
    source: str
    confidence: Literal["high", "medium", "low"] = "high"
    """Of the program's figures (an enrolled program's doubts lower the estimate's too)."""
    assumptions: tuple[str, ...] = ()


class AssistanceOutcome(_Out):
    decisions: tuple[ProgramDecision, ...]
    applied: AppliedProgram | None = None
    income: StatedIncome | None = None
    asks: tuple[str, ...] = ()
    """What a liaison must ask for (income, the plan type) before a program can be decided."""
    guidelines: str | None = None
    """The poverty guideline table used (year and source)."""
