"""The case book's HCPCS units and single-dose waste (tests/casebook/units_and_waste.yaml).

Each case gives an order (and weight) and the claim lines a Medicare Part B biller would write:
administered units rounded up to whole billing units, the discarded rest of the vials opened
rounded down on its own JW line (only when it is at least one unit), JZ on the one line when
nothing is billed as discarded, administered + JW = the units in the vials opened, and the
vial set with the least waste.

Given the case's order, when its first dose is planned and drawn from the product's vials,
then the units, the JW line, the modifier and the vials are the case's.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from intake.therapy.orders import plan_order, read_order
from intake.therapy.products import JW, JZ, drug_lines, fill, load_products
from tests.casebook.book import Case, params

FIRST = date(2027, 1, 4)


def _kg(text: str | None) -> Decimal | None:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*kg\s*", text or "")
    return Decimal(m.group(1)) if m else None


def _size(text: str) -> Decimal:
    """ "20 g" → 20000 mg, "200 mg" → 200 mg."""
    amount, unit = text.split()
    return Decimal(amount) * (1000 if unit == "g" else 1)


def _vials_expected(units: dict[str, Any]) -> list[Decimal] | None:
    if isinstance(units.get("vials"), list):
        return sorted((_size(v) for v in units["vials"]), reverse=True)
    for key, value in units.items():  # vials_100mg: 4, vials_1g: 1
        if m := re.fullmatch(r"vials_(\d+)(mg|g)", key):
            return [_size(f"{m.group(1)} {m.group(2)}")] * int(value)
    return None


@pytest.mark.parametrize("case", params("units_and_waste.yaml"))
def test_units_case(case: Case) -> None:
    """Given a case's order, when its dose is drawn from whole vials, then the lines match."""
    given, want = case.input, case.expected
    units = want["units"]
    plan = plan_order(
        read_order(given["order_text"]),
        first=FIRST,
        through=FIRST + timedelta(days=6),
        weight_kg=_kg(given.get("weight")),
    )
    dose = plan.doses[0].amount_mg
    assert dose is not None, plan.review
    if "dose_mg" in want:
        assert dose == Decimal(str(want["dose_mg"]))
    if "daily_dose_g" in want:
        assert dose == Decimal(str(want["daily_dose_g"])) * 1000
    product = load_products().for_drug(units["hcpcs"])
    vials = fill(dose, Decimal(units["unit"].split()[0]), product)
    lines = dict(drug_lines(vials, product))
    if "per_dose_units" in units:
        assert vials.given_units == units["per_dose_units"], case.hand_computation
    if "administered_units" in units:
        given_line = lines.get((JZ,), lines.get(()))
        assert given_line == units["administered_units"], case.hand_computation
        assert lines.get((JW,), 0) == units["jw_units"], case.hand_computation
    if "modifier_on_administered_line" in units:
        modifier = units["modifier_on_administered_line"]
        assert ((JZ,) in lines) == (modifier == JZ)
    if units.get("jw_line") is False:
        assert (JW,) not in lines
    if "total_units" in units:
        assert vials.billed_units == units["total_units"]
    if "vials_total_g" in units:
        assert vials.drawn == Decimal(units["vials_total_g"]) * 1000
    expected = _vials_expected(units)
    if expected is not None:
        assert list(vials.vials) == expected, case.hand_computation
