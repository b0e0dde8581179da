"""A program applied to the course, dose by dose: the patient's covered share before it, what
the program pays (its per-dose terms, then what is left of its yearly maximum), what the
patient owes after; per plan year and per program year (calendar, or 12 months from
enrollment: it need not match the plan year), with the date the maximum runs out.

The ledger runs inside the plan's walk (``walk(on_day=...)``) because under an accumulator or a
maximizer the plan does not count the program's payments toward the deductible or the
out-of-pocket maximum (45 CFR 156.130(h), see ``copay_policy``): the patient's later shares
are then larger, and only the walk knows them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from intake.estimate.accumulators import ZERO
from intake.estimate.assistance import Program
from intake.estimate.assistance_model import (
    AppliedProgram,
    DoseAssistance,
    EnrolledProgram,
    ProgramYear,
    YearAssistance,
)
from intake.estimate.claim import ServiceDay
from intake.estimate.copay_policy import REGULATION, PolicyReading
from intake.estimate.line_items import cents
from intake.estimate.model import PlanYearAmounts
from intake.estimate.walk import DayResult, Part, PartKind
from intake.models.billing import Component
from intake.therapy.prescription import add_months

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Terms:
    """A program's terms as applied (the award's maximum replaces the program's own)."""

    program: Program
    maximum: Decimal | None
    pays_share: Decimal
    anchor: date
    """The enrollment day (or the first dose, projected): an enrollment program year's start."""
    enrolled: EnrolledProgram | None

    @property
    def covers(self) -> frozenset[Component]:
        return frozenset(self.program.covers)


@dataclass
class Ledger:
    """The ``on_day`` hook of the walk: pays each dose and keeps the program years' balances."""

    terms: Terms
    counts_toward_plan: bool
    paid: dict[int, Decimal] = field(default_factory=dict)
    year_of: dict[int, date | None] = field(default_factory=dict)
    left_after: dict[int, Decimal | None] = field(default_factory=dict)
    used: dict[date, Decimal] = field(default_factory=dict)
    ran_out: dict[date, date] = field(default_factory=dict)

    def program_year(self, day: date) -> tuple[date, date] | None:
        """The program year ``day`` falls in; None: not covered (before enrollment, or after a
        grant that must be applied for again)."""
        program = self.terms.program
        if day < self.terms.anchor:
            return None
        if program.program_year == "calendar":
            start = date(day.year, 1, 1)
            if program.renewal == "reapply" and start > self.terms.anchor:
                return None
            return start, date(day.year, 12, 31)
        start = self.terms.anchor
        while add_months(start, 12) <= day:
            start = add_months(start, 12)
            if program.renewal == "reapply":
                return None
        return start, add_months(start, 12) - ONE_DAY

    def __call__(self, day: ServiceDay, parts: Sequence[Part]) -> Decimal:
        share = sum(
            (
                p.amount
                for p in parts
                if p.component in self.terms.covers and p.kind is not PartKind.NOT_COVERED
            ),
            ZERO,
        )
        year = self.program_year(day.day)
        self.year_of[day.number] = year[0] if year else None
        pays = ZERO
        if year is not None and share > 0:
            program = self.terms.program
            pays = share * self.terms.pays_share
            if program.patient_pays_per_dose is not None:
                pays = max(share - program.patient_pays_per_dose, ZERO)
            if program.per_dose_maximum is not None:
                pays = min(pays, program.per_dose_maximum)
            used = self.used.get(year[0], ZERO)
            if self.terms.maximum is not None:
                pays = min(pays, self.terms.maximum - used)
            pays = cents(pays)
            self.used[year[0]] = used + pays
            if (
                self.terms.maximum is not None
                and year[0] not in self.ran_out
                and self.used[year[0]] >= self.terms.maximum
            ):
                self.ran_out[year[0]] = day.day
        if year is not None:
            self.left_after[day.number] = (
                None
                if self.terms.maximum is None
                else self.terms.maximum - self.used.get(year[0], ZERO)
            )
        else:
            self.left_after[day.number] = None
        self.paid[day.number] = pays
        return ZERO if self.counts_toward_plan else pays


def counts_toward_plan(policy: PolicyReading) -> bool:
    """Accumulator and maximizer plans do not count the program's payments; standard plans do;
    unknown is assumed to count (named, confidence lowered by the caller)."""
    return policy.policy not in ("accumulator", "maximizer")


def policy_notes(policy: PolicyReading, program: Program) -> tuple[list[str], list[str]]:
    """(assumptions, doubts) the estimate states for the plan's copay-assistance policy."""
    if policy.policy == "accumulator":
        return (
            [
                f"the plan runs a copay accumulator ({policy.source}): {program.name}'s payments "
                f"do not count toward the deductible or out-of-pocket maximum ({REGULATION})"
            ],
            [],
        )
    if policy.policy == "maximizer":
        return (
            [
                f"the plan runs a copay maximizer ({policy.source}): {program.name}'s payments "
                "do not count toward the deductible or out-of-pocket maximum; the plan may set "
                f"the drug's cost share to spread the program's maximum over the plan year "
                f"({REGULATION})"
            ],
            ["a copay maximizer sets the drug's cost share itself: not in the 271"],
        )
    if policy.policy == "unknown":
        return (
            [
                f"whether the plan counts {program.name}'s payments toward the deductible and "
                "out-of-pocket maximum is not known (the 271 and the payer directory do not say): "
                "assumed counted; under an accumulator the patient would owe more later "
                f"({REGULATION})"
            ],
            ["the plan's copay-assistance policy (accumulator or not) is not known"],
        )
    return ([f"the plan counts {program.name}'s payments ({policy.source})"], [])


def applied_program(
    ledger: Ledger,
    policy: PolicyReading,
    results: Sequence[DayResult],
    years: Sequence[PlanYearAmounts],
    assumptions: Sequence[str] = (),
    doubted: bool = False,
) -> AppliedProgram:
    terms = ledger.terms
    program = terms.program
    doses = []
    for r in results:
        before = cents(r.patient)
        pays = ledger.paid.get(r.number, ZERO)
        left = ledger.left_after.get(r.number)
        doses.append(
            DoseAssistance(
                number=r.number,
                day=r.day,
                patient_before=before,
                program_pays=pays,
                patient_after=before - pays,
                program_year_start=ledger.year_of.get(r.number),
                program_left_after=None if left is None else cents(left),
            )
        )
    plan_years = []
    for y in years:
        inside = [d for d in doses if y.start <= d.day <= y.end]
        pays = sum((d.program_pays for d in inside), ZERO)
        plan_years.append(
            YearAssistance(
                start=y.start,
                end=y.end,
                patient_before=y.patient,
                program_pays=pays,
                patient_after=y.patient - pays,
            )
        )
    starts = sorted({s for s in ledger.year_of.values() if s is not None})
    program_years = []
    for start in starts:
        end = (
            date(start.year, 12, 31)
            if program.program_year == "calendar"
            else add_months(start, 12) - ONE_DAY
        )
        program_years.append(
            ProgramYear(
                start=start,
                end=end,
                maximum=terms.maximum,
                paid=ledger.used.get(start, ZERO),
                runs_out_on=ledger.ran_out.get(start),
            )
        )
    runs_out = min(ledger.ran_out.values(), default=None)
    owes_after = None
    if runs_out is not None:
        later = [d for d in doses if d.day > runs_out and d.program_pays == 0]
        owes_after = later[0].patient_after if later else None
    before = sum((y.patient_before for y in plan_years), ZERO)
    pays = sum((y.program_pays for y in plan_years), ZERO)
    enrolled = terms.enrolled
    return AppliedProgram(
        program_id=program.id,
        name=program.name,
        kind=program.kind,
        status="enrolled" if enrolled else "projected",
        enrollment_id=enrolled.enrollment_id if enrolled else None,
        enrolled_on=enrolled.enrolled_on if enrolled else None,
        copay_policy=policy.policy,
        copay_policy_source=policy.source,
        counts_toward_plan=ledger.counts_toward_plan,
        doses=tuple(doses),
        plan_years=tuple(plan_years),
        program_years=tuple(program_years),
        runs_out_on=runs_out,
        owes_after_runs_out=owes_after,
        patient_before=before,
        program_pays=pays,
        patient_after=before - pays,
        source=program.source.cite if program.source else "assistance.json",
        confidence="medium" if doubted else "high",
        assumptions=tuple(assumptions),
    )
