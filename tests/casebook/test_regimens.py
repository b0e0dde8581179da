"""The case book's dosing regimens (tests/casebook/regimens.yaml) against the order reader.

Each case was written from the drug's label by a reviewer who did not read the code: the order
line as the prescriber wrote it, the first infusion, the first-12-months horizon and the weight;
the expected doses (date and amount), the HCPCS units and the label-vs-order review items.

Given the case's order line and patient, when the order is read and planned against the
regimen table, then every dose in the horizon falls on the case's date with the case's amount
(within the case's tolerance), and the review items are the case's differences, no more.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from intake.therapy.orders import RegimenPlan, plan_order, read_order
from intake.therapy.products import fill, load_products
from tests.casebook.book import Case, params

# Each expected review item (in the case's order), as the kind of difference it names and a
# figure its text must carry. The case book matches review items on meaning, not wording.
REVIEW: dict[str, list[tuple[str, str]]] = {
    "ocrelizumab-ms-order-q16wk-shorter-than-label": [
        ("interval", "16 weeks"),
        ("min_separation", "20 weeks"),
    ],
    "vedolizumab-order-q4w-contradicts-label": [
        ("interval", "4 weeks"),
        ("omitted_phase", "0, 14, 42"),
    ],
    "tocilizumab-ra-8mgkg-capped-at-800": [("cap", "896"), ("starting_dose", "4 mg/kg")],
    "tocilizumab-gca-6mgkg-capped-at-600": [("cap", "660")],
    "rituximab-ra-order-q12wk-sooner-than-label-minimum": [("min_separation", "16 weeks")],
    "ivig-pi-order-qow-contradicts-label": [("interval", "2 weeks")],
    "ceftriaxone-3g-q12h-exceeds-label-daily-max": [("daily_max", "6 g")],
    "ertapenem-1g-daily-x21-days-exceeds-label-duration": [("duration", "21 days")],
    "infliximab-unreadable-dose-unit": [("unreadable", "5 rng/kg")],
}


def _kg(text: str | None) -> Decimal | None:
    """The case's weight when written "N kg" (free-text forms are the weights reader's)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*kg\s*", text or "")
    return Decimal(m.group(1)) if m else None


def _cm(text: str | None) -> Decimal | None:
    """The case's height `Ht 5'6"`: 66 in x 2.54 = 167.64 cm (the test's input conversion)."""
    m = re.search(r"(\d+)'\s*(\d+)", text or "")
    return None if m is None else (int(m.group(1)) * 12 + int(m.group(2))) * Decimal("2.54")


def _plan(case: Case) -> RegimenPlan:
    given: Any = case.input
    first: date | datetime
    if given.get("first_dose_at"):
        first = datetime.fromisoformat(str(given["first_dose_at"]))
    else:
        first = given.get("first_infusion") or given["horizon"]["from"]
    horizon = given.get("horizon") or {}
    return plan_order(
        read_order(given["order_text"]),
        first=first,
        through=horizon.get("to"),
        weight_kg=_kg(given.get("weight")),
        height_cm=_cm(given.get("height")),
        indication=given.get("indication"),
        last_ivig=given.get("last_ivig_infusion"),
    )


def _mg(item: dict[str, Any]) -> Decimal:
    if "dose_g" in item:
        return Decimal(str(item["dose_g"])) * 1000
    return Decimal(str(item["dose_mg"]))


def _tolerance(case: Case) -> Decimal:
    want = case.expected
    if "dose_tolerance_g" in want:
        return Decimal(str(want["dose_tolerance_g"])) * 1000
    return Decimal(str(want.get("dose_tolerance_mg", "0.05")))


def _same_amount(got: Decimal | None, want: Decimal, tolerance: Decimal) -> bool:
    return got is not None and abs(got - want) <= tolerance


@pytest.mark.parametrize("case", params("regimens.yaml"))
def test_regimen_case(case: Case) -> None:
    """Given a case from the label, when its order is planned, then the doses are the case's."""
    plan = _plan(case)
    want = case.expected
    tolerance = _tolerance(case)
    if "doses" in want:
        expected = [(d["date"], _mg(d)) for d in want["doses"]]
        got = [(d.day, d.amount_mg) for d in plan.doses]
        assert [d for d, _ in got] == [d for d, _ in expected], case.hand_computation
        for (day, amount), (_, mg) in zip(got, expected, strict=True):
            assert _same_amount(amount, mg, tolerance), (day, amount, mg)
    if "doses_count" in want:
        assert len(plan.doses) == want["doses_count"], case.hand_computation
    for key, index in (("first_dose", 0), ("last_dose", -1)):
        if key in want:
            dose, expect = plan.doses[index], want[key]
            if "datetime" in expect:
                assert dose.at == datetime.fromisoformat(expect["datetime"])
            else:
                assert dose.day == expect["date"]
            assert _same_amount(dose.amount_mg, _mg(expect), tolerance)
    if "first_scig_dose" in want:
        assert plan.doses[0].day == want["first_scig_dose"]
        weekly = Decimal(str(want["weekly_dose_g"])) * 1000
        assert all(_same_amount(d.amount_mg, weekly, tolerance) for d in plan.doses)
        edges = want["doses_first_and_last"]
        assert (plan.doses[0].day, plan.doses[-1].day) == (edges[0]["date"], edges[1]["date"])
    if "bsa_m2" in want:
        assert plan.bsa_m2 == Decimal(str(want["bsa_m2"]))
        assert plan.bsa_formula == want["bsa_formula"]
    _check_review(case, plan)
    _check_units(case, plan)


def _check_review(case: Case, plan: RegimenPlan) -> None:
    expected = REVIEW.get(case.id, [])
    assert len(expected) == len(case.expected.get("review_items") or []), "map every item"
    kinds = sorted(kind for kind, _ in expected)
    if case.id == "infliximab-unreadable-dose-unit":  # the reader may also name '@ O'
        assert {r.kind for r in plan.review} == {"unreadable"}
        assert plan.doses == ()
    else:
        assert sorted(r.kind for r in plan.review) == kinds, plan.review
    for kind, figure in expected:
        assert any(r.kind == kind and figure in r.text for r in plan.review), (kind, figure)


def _check_units(case: Case, plan: RegimenPlan) -> None:
    units = case.expected.get("units")
    if not units or not plan.doses:
        return
    amount = plan.doses[-1].amount_mg
    assert amount is not None
    unit = Decimal(str(units["unit"]).split()[0])
    product = load_products().for_drug(units["hcpcs"])
    vials = fill(amount, unit, product)
    per_dose = units.get("per_dose_units")
    if isinstance(per_dose, int):
        assert vials.given_units == per_dose
    if "maintenance_units" in units:
        assert vials.given_units == units["maintenance_units"]
    if "administered_units" in units:
        assert vials.given_units == units["administered_units"]
        assert vials.wasted_units == units["jw_units"]
