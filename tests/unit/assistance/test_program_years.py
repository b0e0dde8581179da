"""Worked examples: an assistance program's maximum applied across two plan years.

The plan (the same in every example): calendar plan years 2027 and 2028, each with $500 of
deductible left at its start and $2,000 of out-of-pocket maximum, 20% coinsurance after the
deductible; the drug's allowed amount is $4,000 an infusion. Infusions: 2027-09-01, 10-01,
11-01, 12-01, then 2028-01-05 and 02-05. The program pays the drug's cost share only.

Without any program, each year's first infusion costs 500 + 0.20 x 3,500 = $1,200 (the
deductible met, $800 of the maximum left), the second 0.20 x 4,000 = $800 (the maximum
reached), the rest $0.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from intake.eligibility.benefits.parts import CostShareRule
from intake.estimate.accumulators import Pool
from intake.estimate.assistance import Program, Source
from intake.estimate.assistance_apply import Ledger, Terms
from intake.estimate.claim import Charge, ServiceDay
from intake.estimate.walk import DayResult, walk
from intake.models.billing import Component
from intake.reference.contracts import PlanClass

DAYS = [
    date(2027, 9, 1),
    date(2027, 10, 1),
    date(2027, 11, 1),
    date(2027, 12, 1),
    date(2028, 1, 5),
    date(2028, 2, 5),
]
RULES = {
    Component.DRUG: CostShareRule(Decimal("0.2"), None, False, "20% coinsurance (example)"),
}
D = Decimal


def _program(**terms: object) -> Program:
    return Program.model_validate(
        {
            "id": "example",
            "name": "Example program",
            "kind": "manufacturer",
            "plan_classes": [PlanClass.COMMERCIAL],
            "eligibility": "example",
            "covers": ["drug"],
            "source": {"cite": "a worked example", "read": "2026-12-06"},
            **terms,
        }
    )


def _five_dollar_program(*, counts_toward_plan: bool) -> Ledger:
    """$5 a dose, $3,000 a calendar year (as Janssen CarePath words its terms)."""
    program = _program(annual_maximum="3000", patient_pays_per_dose="5", program_year="calendar")
    return Ledger(Terms(program, D(3000), D(1), date(2027, 1, 1), None), counts_toward_plan)


def _walk(ledger: Ledger) -> list[DayResult]:
    """Each calendar plan year from its own fresh $500 deductible and $2,000 maximum."""
    days = [
        ServiceDay(n, d, (Charge(Component.DRUG, "J1745", 1, D(4000), "example"),))
        for n, d in enumerate(DAYS, 1)
    ]
    out: list[DayResult] = []
    for year in (2027, 2028):
        deductible = Pool("deductible", "in network", D(500), None)
        oop = Pool("out-of-pocket maximum", "in network", D(2000), None)
        inside = [d for d in days if d.day.year == year]
        out.extend(walk(inside, RULES, deductible, oop, on_day=ledger).days)
    return out


def _paid(ledger: Ledger) -> list[Decimal]:
    return [ledger.paid[n] for n in range(1, 7)]


def test_calendar_program_standard_plan_lasts_both_years() -> None:
    """Given a $5-a-dose program with $3,000 a calendar year, on a plan that counts its
    payments (standard), when the two plan years are walked, then it pays all but $5 of each
    dose's share and never runs out (the plan's maximum stops the shares first).

    2027: 1,200 - 5 = 1,195; 800 - 5 = 795; then $0 shares. Paid 1,990 of 3,000.
    2028 (a new program year): the same, 1,195 + 795 = 1,990. The patient: 4 x $5 = $20."""
    ledger = _five_dollar_program(counts_toward_plan=True)
    results = _walk(ledger)
    assert [r.patient for r in results] == [D(1200), D(800), 0, 0, D(1200), D(800)]
    assert _paid(ledger) == [D(1195), D(795), 0, 0, D(1195), D(795)]
    assert ledger.ran_out == {}
    assert sum(r.patient for r in results) - sum(_paid(ledger)) == D(20)


def test_calendar_program_under_an_accumulator_runs_out_mid_year() -> None:
    """Given the same program on an accumulator plan (45 CFR 156.130(h): only the patient's own
    payments count toward the deductible, first, and the maximum), when walked, then the
    deductible barely moves, the $3,000 runs out on 2027-11-01 and the patient owes the plan's
    share after it.

    09-01: 500 + 0.20 x 3,500 = 1,200, program 1,195; her 5 is credited: deductible 495 left,
    maximum 1,995. 10-01: 495 + 0.20 x 3,505 = 1,196, program 1,191 (2,386 used); deductible
    490, maximum 1,990. 11-01: 490 + 0.20 x 3,510 = 1,192, program min(1,187, 3,000 - 2,386)
    = 614: used up; she owes 578 (deductible met, maximum 1,412 left). 12-01: 0.20 x 4,000 =
    800, program 0: she owes 800. 2027: 4,388 before, 3,000 paid, 1,388 owed.
    2028 (new plan and program year): 1,200 -> 1,195 paid; 1,196 -> 1,191 paid: 10 owed.
    (A standard plan leaves her $20 over both years.)"""
    ledger = _five_dollar_program(counts_toward_plan=False)
    results = _walk(ledger)
    assert [r.patient for r in results] == [D(1200), D(1196), D(1192), D(800), D(1200), D(1196)]
    assert _paid(ledger) == [D(1195), D(1191), D(614), 0, D(1195), D(1191)]
    assert ledger.ran_out == {date(2027, 1, 1): date(2027, 11, 1)}
    owed = [r.patient - p for r, p in zip(results, _paid(ledger), strict=True)]
    assert owed == [D(5), D(5), D(578), D(800), D(5), D(5)]
    assert sum(owed[:4]) == D(1388) and sum(owed[4:]) == D(10)
    assert results[2].deductible_left == 0 and results[3].out_of_pocket_left == D(612)


def test_enrollment_year_grant_spans_the_plan_years_and_runs_out_in_the_second() -> None:
    """Given a foundation grant of $1,500 for 12 months from 2027-10-15 (its program year is
    not the plan year) paying the whole drug share, on a standard plan, when walked, then the
    doses before enrollment are not paid, and the grant runs out on 2028-02-05.

    09-01 and 10-01 are before 10-15: 1,200 and 800 owed. 11-01, 12-01: $0 shares (the 2027
    maximum reached). 2028-01-05: 1,200 paid (300 left); 2028-02-05: 800 share, 300 paid
    (used up), 500 owed. Program year 2027-10-15..2028-10-14: paid 1,500."""
    program = _program(kind="foundation", program_year="enrollment", renewal="reapply")
    ledger = Ledger(Terms(program, D(1500), D(1), date(2027, 10, 15), None), True)
    results = _walk(ledger)
    assert _paid(ledger) == [0, 0, 0, 0, D(1200), D(300)]
    assert ledger.ran_out == {date(2027, 10, 15): date(2028, 2, 5)}
    assert ledger.program_year(date(2028, 10, 15)) is None  # a new grant must be applied for
    assert results[5].patient - ledger.paid[6] == D(500)


def test_source_is_required_to_name_terms() -> None:
    """Given a program's terms, when read, then they carry their source and read date (rules
    come from their source)."""
    program = _program(annual_maximum="3000", program_year="calendar")
    assert program.source == Source(cite="a worked example", read=date(2026, 12, 6))
    assert program.terms_known
