"""The estimate's assistance step: decide every program (``assistance_rules``), choose the one
to apply (the enrolled one, else an eligible manufacturer program whose terms are recorded,
projected), give the walk its ledger, and after the walk state the outcome."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from intake.core.estimate_errors import EstimateError
from intake.estimate.assistance import AssistanceCatalog, Program
from intake.estimate.assistance_apply import (
    Ledger,
    Terms,
    applied_program,
    counts_toward_plan,
    policy_notes,
)
from intake.estimate.assistance_model import (
    AssistanceOutcome,
    EnrolledProgram,
    ProgramDecision,
    StatedIncome,
)
from intake.estimate.assistance_rules import decide
from intake.estimate.copay_policy import PolicyReading, copay_assistance_policy
from intake.estimate.explain import Notes
from intake.estimate.model import Confidence, PlanYearAmounts
from intake.estimate.poverty import IncomeLevel
from intake.estimate.walk import DayResult
from intake.models.benefits import BenefitsSummary
from intake.reference.contracts import PlanClass


@dataclass
class AssistancePlan:
    decisions: tuple[ProgramDecision, ...]
    asks: tuple[str, ...]
    level: IncomeLevel | None
    income: StatedIncome | None
    ledger: Ledger | None
    policy: PolicyReading | None
    enrolled: bool = False
    assumptions: tuple[str, ...] = ()
    doubts: tuple[str, ...] = ()

    def outcome(
        self, results: Sequence[DayResult], years: Sequence[PlanYearAmounts]
    ) -> AssistanceOutcome:
        applied = None
        if self.ledger is not None and self.policy is not None:
            applied = applied_program(
                self.ledger, self.policy, results, years, self.assumptions, bool(self.doubts)
            )
        guidelines = None
        if self.level is not None and self.level.guideline:
            guidelines = f"{self.level.table_year} HHS poverty guidelines: {self.level.source}"
        return AssistanceOutcome(
            decisions=self.decisions,
            applied=applied,
            income=self.income,
            asks=self.asks,
            guidelines=guidelines,
        )


def _terms(
    catalog: AssistanceCatalog,
    decisions: Sequence[ProgramDecision],
    enrolled: EnrolledProgram | None,
    first_day: date,
) -> Terms | None:
    if enrolled is not None:
        program = catalog.program(enrolled.program_id)
        if program is None:
            raise EstimateError(f"assistance program '{enrolled.program_id}' is not in the catalog")
        decision = next((d for d in decisions if d.program_id == program.id), None)
        fund = next((f for f in program.funds if f.id == enrolled.fund_id), None)
        maximum = enrolled.annual_maximum
        if maximum is None:
            maximum = fund.annual_maximum if fund else program.annual_maximum
        share = decision.pays_share if decision and decision.pays_share is not None else Decimal(1)
        return Terms(program, maximum, share, enrolled.enrolled_on, enrolled)
    eligible: list[Program] = [
        p
        for d in decisions
        if d.status == "eligible" and d.kind == "manufacturer"
        for p in [catalog.program(d.program_id)]
        if p is not None and p.terms_known
    ]
    if not eligible:
        return None
    program = eligible[0]
    return Terms(program, program.annual_maximum, Decimal(1), first_day, None)


def assistance_plan(
    catalog: AssistanceCatalog,
    *,
    benefits: BenefitsSummary,
    hcpcs: str,
    plan_class: PlanClass,
    diagnoses: Sequence[str],
    income: StatedIncome | None,
    enrolled: EnrolledProgram | None,
    first_day: date,
    payer_id: str | None,
    has_secondary: bool,
    notes: Notes,
) -> AssistancePlan:
    decisions, asks, level = decide(
        catalog,
        hcpcs=hcpcs,
        plan_class=plan_class,
        diagnoses=diagnoses,
        income=income,
        on=first_day,
    )
    terms = _terms(catalog, decisions, enrolled, first_day)
    if terms is None:
        return AssistancePlan(decisions, asks, level, income, None, None)
    if has_secondary:
        notes.assume(
            f"{terms.program.name} is not applied: a secondary coverage pays first and what the "
            "program would pay after it is not estimated"
        )
        notes.doubt(Confidence.MEDIUM, "assistance after a secondary coverage is not estimated")
        return AssistancePlan(decisions, asks, level, income, None, None)
    policy = copay_assistance_policy(benefits, payer_id)
    assumed, doubts = policy_notes(policy, terms.program)
    if enrolled is None:
        cite = terms.program.source.cite if terms.program.source else "assistance.json"
        assumed.append(
            f"{terms.program.name} is projected from its recorded terms ({cite}): "
            "the patient is not enrolled yet"
        )
    if terms.maximum is None and not terms.program.income_bands:
        doubts.append(f"{terms.program.name}'s yearly maximum is not recorded")
    if terms.program.renewal == "assumed_same_terms":
        assumed.append(
            f"{terms.program.name}'s terms are assumed to renew unchanged each program year"
        )
    if enrolled is not None:
        # Enrolled: the program is part of what the patient owes, so the estimate says it all.
        for text in assumed:
            notes.assume(text)
        for text in doubts:
            notes.doubt(Confidence.MEDIUM, text)
    ledger = Ledger(terms, counts_toward_plan(policy))
    return AssistancePlan(
        decisions,
        asks,
        level,
        income,
        ledger,
        policy,
        enrolled is not None,
        tuple(assumed),
        tuple(doubts),
    )
