"""The estimate case book (``estimates.yaml``), the cases that are not Original Medicare's or
Medicare Advantage's (``est-medicare-*`` are tested with the Medicare rules).

Each case's 271 is read by ``interpret_271``; its services become billed days (one charge per
service at the case's allowed amount, or the per diem and nurse visits the case lists) and are
walked plan year by plan year exactly as the estimate walks a course (``walk_course``), with
the cost share each part is charged (``medical_rule``). The figures asserted are the case's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from intake.eligibility.benefits.interpret import interpret_271
from intake.estimate.accumulators import start_pool
from intake.estimate.claim import Charge, ServiceDay
from intake.estimate.cost_share import medical_rule
from intake.estimate.estimator import walk_course
from intake.estimate.explain import Notes
from intake.estimate.model import Confidence
from intake.estimate.plan_years import YearWalk
from intake.estimate.rules import Setup
from intake.estimate.walk import DayResult, PartKind, patient_range
from intake.models.benefits import BenefitsSummary
from intake.models.billing import Component
from tests.casebook.book import Case, load, params

AS_OF = date(2026, 12, 6)
"""The day every case's 271 was answered (BHT04): its remaining amounts were true then."""
ASSUMED = Decimal("0.2")
"""The coinsurance an estimate assumes when the 271 reports none (flagged when used)."""
CASES = "estimates.yaml"
MEDICARE = "est-medicare"
"""Those cases belong to the Medicare rules (Original Medicare, QMB, Medicare Advantage)."""

OURS = {case.id for case in load(CASES) if not case.id.startswith(MEDICARE)}


def _money(value: Any) -> Decimal:
    return Decimal(str(value))


def _charge(component: Component, code: str, allowed: Decimal) -> Charge:
    return Charge(component, code, 1, allowed, "the case's allowed amount")


def _rules(summary: BenefitsSummary) -> dict[Component, Any]:
    lines = summary.infusion_lines()
    return {c: medical_rule(summary, c, True, ASSUMED, lines) for c in Component}


def _walked(
    case: Case, days: Sequence[ServiceDay]
) -> tuple[BenefitsSummary, Setup, Notes, list[YearWalk], list[DayResult]]:
    [summary] = interpret_271(case.input["x12"])
    setup = Setup(_rules(summary), list(days))
    notes = Notes()
    _, walks = walk_course(summary, setup.days, setup, in_network=True, as_of=AS_OF, notes=notes)
    return summary, setup, notes, walks, [d for w in walks for d in w.result.days]


def _services(case: Case) -> list[ServiceDay]:
    """One drug charge per service at its allowed amount (every line on the same benefit)."""
    return [
        ServiceDay(
            n,
            date.fromisoformat(str(s["date"])),
            (_charge(Component.DRUG, "J1745", _money(s["allowed"])),),
        )
        for n, s in enumerate(case.input["services"], 1)
    ]


def _part(day: DayResult, kind: PartKind) -> Decimal:
    return sum((p.amount for p in day.parts if p.kind is kind), Decimal(0))


def _assert_per_service(
    results: Sequence[DayResult], walks: Sequence[YearWalk], want: Sequence[Mapping[str, Any]]
) -> None:
    for day, expected in zip(results, want, strict=True):
        assert day.day == date.fromisoformat(str(expected["date"]))
        assert day.patient == _money(expected["patient"])
        if "deductible" in expected:
            assert _part(day, PartKind.DEDUCTIBLE) == _money(expected["deductible"])
            assert _part(day, PartKind.COINSURANCE) == _money(expected["coinsurance"])
        if "oop_remaining_after" in expected:
            assert day.out_of_pocket_left == _money(expected["oop_remaining_after"])
        if "plan_year" in expected:
            [walk] = [w for w in walks if day in w.result.days]
            assert f"{walk.year.start}..{walk.year.end}" == expected["plan_year"]
        if expected.get("confidence") == "lowered":  # a later plan year: renewal assumed
            [walk] = [w for w in walks if day in w.result.days]
            assert not walk.year.from_271


def two_plan_years(case: Case) -> None:
    """346/347 give calendar 2026; 356 (enrolled 2026-09-01) changes nothing: December takes the
    payer's 700 left; February 2027 is a new year from the full 1500 (renewal assumed, named).
    12-14: 700 + 0.20 x 3300 = 1360; 2027-02-08: 1500 + 0.20 x 2500 = 2000; total 3360."""
    summary, _, notes, walks, results = _walked(case, _services(case))
    e = case.expected
    for walk, want in zip(walks, e["plan_years"], strict=True):
        assert (str(walk.year.start), str(walk.year.end)) == (want["begin"], want["end"])
        assert walk.year.from_271 is (want["source"] == "271")
    _assert_per_service(results, walks, e["per_service"])
    assert sum(d.patient for d in results) == _money(e["total_patient"])
    assert any("renews unchanged" in a for a in notes.assumptions)
    assert notes.confidence is not Confidence.HIGH
    assert summary.plan.eligibility_begin == date(2026, 9, 1)


def per_day_and_per_visit(case: Case) -> None:
    """The per-day copay (EB06 7 on 42) on each of 14 per diem days, the per-visit copay (EB06
    27 on 44) on each of 3 nurse visits: 14 x 15 = 210 + 3 x 25 = 75 = 285. The drug's cost
    share is not in the 271: assumed, named, never the 42 line's (allowed amounts below are
    illustrative: the case gives none, and copays do not depend on them)."""
    e = case.expected
    first = date(2026, 12, 1)
    visits = {date.fromisoformat(str(v)) for v in case.input["nursing_visits"]}
    days = []
    for n in range(case.input["per_diem_days"]):
        day = first + timedelta(days=n)
        charges = [
            _charge(Component.DRUG, "J1335", Decimal("60")),
            _charge(Component.PER_DIEM, "S9500", Decimal("120")),
        ]
        if day in visits:
            charges.append(_charge(Component.NURSING, "99601", Decimal("150")))
        days.append(ServiceDay(n + 1, day, tuple(charges)))
    _, setup, _, _, results = _walked(case, days)
    rules = setup.rules
    per_diem, nursing, drug = (
        rules[Component.PER_DIEM],
        rules[Component.NURSING],
        rules[Component.DRUG],
    )
    want = e["per_diem_copay"]
    assert (per_diem.copay, per_diem.per) == (_money(want["amount"]), want["per"])
    assert per_diem.segments[0] == "EB*B*IND*42*HM**7*15*****Y"
    want_visit = e["nursing_copay"]
    assert (nursing.copay, nursing.per) == (_money(want_visit["amount"]), want_visit["per"])
    assert drug.assumed and e["drug_coinsurance"] is None

    def paid(component: Component) -> Decimal:
        return sum(
            (p.amount for d in results for p in d.parts if p.component is component), Decimal(0)
        )

    assert paid(Component.PER_DIEM) == _money(want["total"])  # 14 x 15
    assert paid(Component.NURSING) == _money(want_visit["total"])  # 3 x 25
    assert paid(Component.PER_DIEM) + paid(Component.NURSING) == _money(e["total_patient"])
    for wrong in (350, 45, 15, 40):
        assert paid(Component.PER_DIEM) + paid(Component.NURSING) != wrong
    assert (results[-1].out_of_pocket_left or 0) > 0  # 2900 not reached


def capped_by_oop(case: Case) -> None:
    """500 + 0.20 x 5500 = 1600 (400 left of the 2000 OOP), then 1200 capped at 400, then 0."""
    _, _, notes, walks, results = _walked(case, _services(case))
    e = case.expected
    _assert_per_service(results, walks, e["per_service"])
    assert sum(d.patient for d in results) == _money(e["total_patient"])
    assert any("count toward the out-of-pocket maximum" in a for a in notes.assumptions)


def missing_coinsurance(case: Case) -> None:
    """Only MH has a coinsurance: the deductible part (300) is certain, the rest is a range
    300 + c x 4700 capped at OOP 2500 (c unknown): 300..2500, never 1710 from the MH 30%."""
    summary, setup, _, walks, results = _walked(case, _services(case))
    e = case.expected
    drug = setup.rules[Component.DRUG]
    assert drug.assumed is (not e["coinsurance_reported"])
    assert drug.coinsurance != Decimal("0.3")
    assert _part(results[0], PartKind.DEDUCTIBLE) == _money(e["deductible_part"])
    levels = summary.summary
    deductible = start_pool("deductible", True, levels.deductible.in_network).pool
    oop = start_pool("out-of-pocket maximum", True, levels.out_of_pocket.in_network).pool
    want = e["patient_share_range"]
    assert patient_range(walks[0].days, setup.rules, deductible, oop) == (
        _money(want["low"]),
        _money(want["high"]),
    )
    assert summary.coinsurance.in_network is None


def non_calendar_crossing(case: Case) -> None:
    """Plan year 2026-07-01..2027-06-30 (291): 700, then 500 (OOP 1200 reached); 2027-07-12 is a
    new year: 1000 + 0.10 x 6000 = 1600 (renewal assumed). Total 2800, never 1200."""
    _, _, notes, walks, results = _walked(case, _services(case))
    e = case.expected
    _assert_per_service(results, walks, e["per_service"])
    assert sum(d.patient for d in results) == _money(e["total_patient"])
    assert any("renews unchanged" in a for a in notes.assumptions)


CHECKS: dict[str, Callable[[Case], None]] = {
    "est-two-plan-years-mid-year-enrolment": two_plan_years,
    "est-hmo-per-day-copay-times-per-diem-days-plus-per-visit-nursing": per_day_and_per_visit,
    "est-coinsurance-after-deductible-capped-by-oop": capped_by_oop,
    "est-missing-coinsurance-assumption-named-confidence-lowered": missing_coinsurance,
    "est-non-calendar-plan-year-crossing-with-oop": non_calendar_crossing,
}


def test_every_case_of_ours_has_a_check() -> None:
    """Given the estimate case book, when the non-Medicare cases are listed, then each has its
    own check (a new case without one fails here)."""
    assert set(CHECKS) == OURS


@pytest.mark.parametrize("case", params(CASES, ids=OURS))
def test_case(case: Case) -> None:
    """Given a 271 and services, when the course is walked plan year by plan year as the
    estimate walks it, then the case's patient shares hold (arithmetic in each docstring)."""
    CHECKS[case.id](case)
