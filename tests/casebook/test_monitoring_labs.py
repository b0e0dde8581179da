"""Case book: the labs a therapy needs before the first dose and during therapy, with their
dates (monitoring_labs.yaml): 'before first dose', windows in days after the first dose,
weekly draws while doses last, prescriber evaluations in calendar months, and no interval
where the source fixes none."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from intake.care.decide import Draw, monitoring
from intake.care.rules import DrugRules, LabRule, mentions, rule_table
from intake.therapy.orders import plan_order, read_order
from tests.casebook.book import Case, params


def _infusions(case: Case, rules: DrugRules, first: date) -> tuple[date, ...]:
    """The infusion days of the case's order over its first 12 months (first dose through one
    year less a day), from the dose calendar the label fills (intake.therapy.orders), for the
    checks due before every infusion."""
    if not any(lab.repeat == "before every infusion" for lab in rules.labs):
        return ()
    plan = plan_order(
        read_order(str(case.raw["drug"])),
        first=first,
        through=date(first.year + 1, first.month, first.day) - timedelta(days=1),
        weight_kg=None,
        height_cm=None,
        indication=None,
        last_ivig=None,
    )
    return tuple(d.day for d in plan.doses)


def _lab(rules: DrugRules, test: str) -> LabRule:
    found = [lab for lab in rules.labs if any(mentions(test, m) for m in lab.match)]
    assert found, f"no lab on file for {test!r} ({rules.drug})"
    return found[0]


def _draw(draws: list[Draw], rule: str) -> Draw:
    return next(d for d in draws if d.rule == rule)


@pytest.mark.parametrize("case", params("monitoring_labs.yaml"))
def test_monitoring_labs(case: Case) -> None:
    """Given the case's drug and first dose (and course length), when the labs are planned,
    then each expected lab is on file with its due point, its repeat (never an interval the
    source does not give) and its dates: weekly draws are first dose + 7 d, + 14 d … up to the
    last dose (first dose + course days - 1), windows are days after the first dose,
    evaluations are calendar months."""
    expected = case.expected
    rules = rule_table().for_drug(None, str(case.raw["drug"]))
    assert rules is not None, case.raw["drug"]
    first: date = case.input["first_dose"]
    days = case.input.get("course_days")
    last = first + timedelta(days=int(days) - 1) if days else None
    draws = monitoring(rules, first, last, _infusions(case, rules, first))
    for want in expected.get("labs") or []:
        lab = _lab(rules, str(want["test"]))
        due = want.get("due")
        if isinstance(due, dict):
            window = _draw(draws, lab.id).window
            assert window == (due["from"], due["to"]), (lab.id, window)
        elif due == "before first dose":
            assert lab.due == "before first dose", lab
        elif due == "before every infusion":
            assert _draw(draws, lab.id).on == tuple(want["dates"]), lab
        repeat = str(want.get("repeat") or "")
        if repeat.startswith("not fixed"):
            assert lab.repeat == "not fixed by source", lab
        elif repeat in ("once", "weekly"):
            assert lab.repeat == repeat, lab
        if "threshold" in want:
            assert lab.threshold, lab
    if "weekly_dates" in expected:
        weekly = [d for d in draws if d.repeat == "weekly"]
        assert weekly
        for draw in weekly:
            assert draw.on == tuple(expected["weekly_dates"]), (draw.rule, draw.on)
            assert all(day <= expected["last_dose"] for day in draw.on)
    if "evaluations" in expected:
        evaluation = _draw(draws, "evaluation")
        assert evaluation.on == tuple(e["due"] for e in expected["evaluations"])
