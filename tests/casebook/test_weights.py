"""The case book's weight cases (``weights.yaml``): the patient's weight and height read from
the notes, the weight field as written, or the order; converted exactly; never a reference
weight.

Why: a weight written only in the notes ("wt 187 lb") used to be missed, and the dose was then
priced and requested on an assumed 70 kg. The cases were written from the labels and NIST's
exact conversions (1 lb = 0.45359237 kg, 1 in = 2.54 cm) without reading the code; each
carries its hand computation.

What is asserted here is this area's share of each case: the weight and height read, the
side of a label's weight tier they fall on (no rounding before tiering), the per-kg dose worked
out from them, the units per dose the service plan bills from them where the contract catalog
knows the drug's code, and for a per-kg order with no weight anywhere: no dose, no units, no
estimate ("weight needed"). Schedules are the regimen table's (``regimens.yaml``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from intake.estimate.call_script import weight_needed_script
from intake.estimate.explain import Notes, WeightNeeded, weight_for
from intake.models.billing import Component
from intake.models.referral import Language, Referral
from intake.therapy.body import body_of, bsa_m2, weight_based
from intake.therapy.plan import plan_services
from intake.therapy.prescription import parse_dose_plan
from tests.casebook.book import Case, load, params

SAMPLE = (
    Path(__file__).resolve().parents[2] / "events" / "referrals" / "15-prior-auth-certified.json"
)
_DOSE = re.compile(r"(\d+(?:\.\d+)?)\s*(mg|g)\s*/\s*(kg|m2)", re.IGNORECASE)
HCPCS = {
    "infliximab": "J1745",
    "remicade": "J1745",
    "abatacept": "J0129",
    "orencia": "J0129",
    "daptomycin": "J0878",
    "actemra": "J3262",
    "ivig": "J1569",
    "rituxan": "J9312",
    "privigen": "J1459",
}


def _hcpcs(case: Case) -> str:
    units = case.expected.get("units") or {}
    if units.get("hcpcs"):
        return str(units["hcpcs"])
    order = str(case.input["order_text"]).lower()
    return next(code for name, code in HCPCS.items() if name in order)


def _dose(case: Case) -> str:
    """The order's dose as the prescriber wrote it ("3 mg/kg"), or the order itself."""
    m = _DOSE.search(str(case.input["order_text"]))
    return m.group(0) if m else str(case.input["order_text"])


def referral_for(case: Case) -> Referral:
    """A referral with no structured weight or height: the case's weight field, height field
    and notes reach us as the clinic wrote them (free text)."""
    base = Referral.model_validate(json.loads(SAMPLE.read_text(encoding="utf-8")))
    written = [case.input.get(k) for k in ("weight", "height", "notes")]
    therapy = base.therapy.model_copy(
        update={"hcpcs": _hcpcs(case), "ndc": None, "dose": _dose(case)}
    )
    return base.model_copy(
        update={
            "patient": base.patient.model_copy(update={"weight_kg": None, "height_cm": None}),
            "clinical_notes": ". ".join(str(w) for w in written if w) or None,
            "therapy": therapy,
        }
    )


def _first_dose(expected: Mapping[str, Any]) -> tuple[Decimal, Decimal] | None:
    """(dose in mg, tolerance in mg) the case gives for one administration, if any."""
    if "dose_g" in expected:
        return Decimal(str(expected["dose_g"])) * 1000, Decimal(
            str(expected.get("dose_tolerance_g", 0))
        ) * 1000
    mg = expected.get("dose_mg")
    if mg is None and expected.get("doses"):
        mg = expected["doses"][0].get("dose_mg")
    if mg is None:
        return None
    return Decimal(str(mg)), Decimal(str(expected.get("dose_tolerance_mg", "0.5")))


TIERS = {
    "less than 60 kg": lambda kg: kg < 60,
    "60 to 100 kg": lambda kg: 60 <= kg <= 100,
    "more than 100 kg": lambda kg: kg > 100,
}
"""ORENCIA PI section 2.1, Table 1, as the cases quote it: "Less than 60 kg", "60 to 100 kg",
"More than 100 kg" (100 kg inclusive in the middle tier)."""


@pytest.mark.parametrize("case", params("weights.yaml"))
def test_given_weight_written_anywhere_when_read_then_exact_kg_and_cm(case: Case) -> None:
    """Given the weight and height as written (weight field, height field or notes), when the
    referral is read, then kg and cm are the exact conversions (e.g. 187 lb x 0.45359237 =
    84.8218 kg; 6'1" = 73 in x 2.54 = 185.42 cm) and a tier edge sees the unrounded weight
    (132 lb = 59.874 kg stays "less than 60 kg")."""
    # Given
    referral = referral_for(case)
    # When
    body = body_of(referral)
    # Then
    expected = case.expected
    if "weight_kg" in expected:
        assert body.weight_kg is not None, case.hand_computation
        assert abs(body.weight_kg - Decimal(str(expected["weight_kg"]))) < Decimal("0.005")
    if "height_cm" in expected:
        assert body.height_cm is not None
        assert abs(body.height_cm - Decimal(str(expected["height_cm"]))) < Decimal("0.005")
    if "tier" in expected:
        assert body.weight_kg is not None
        assert TIERS[expected["tier"]](body.weight_kg), case.hand_computation
    if expected.get("doses_priced") is False:
        assert body.weight is None, "a height or a note without a weight is no weight"


PER_KG = [c for c in load("weights.yaml") if _DOSE.search(str(c.input["order_text"]))]


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in PER_KG])
def test_given_per_kg_or_per_m2_order_when_dosed_then_dose_from_the_weight_read(
    case: Case,
) -> None:
    """Given a per-kg (or per-m2) order, when the dose is worked out, then it is the label's
    amount times the weight read (3 mg/kg x 84.8218 kg = 254.47 mg) or times the Mosteller BSA
    (375 mg/m2 x sqrt(185.42 x 96.1616 / 3600) = 375 x 2.2255 = 834.6 mg); with no weight
    anywhere there is no dose, no units and no estimate: "weight needed"."""
    # Given
    referral = referral_for(case)
    body = body_of(referral)
    dose = parse_dose_plan(referral.therapy.dose) if "/kg" in referral.therapy.dose else None
    assert weight_based(referral.therapy.dose)
    expected = case.expected
    # When / Then
    if expected.get("doses_priced") is False:
        assert dose is not None
        assert dose.maintenance.per_administration(body.weight_kg) is None
        with pytest.raises(WeightNeeded, match="weight needed"):
            weight_for(dose, body.weight_kg, Notes())
        plan = plan_services(referral, date.fromisoformat(str(case.input["first_infusion"])))
        drug = plan.line(Component.DRUG)
        assert drug is not None and drug.units is None, "no units from an assumed weight"
        # and the cost call asks for the weight instead of quoting a price
        for language, word in ((Language.ENGLISH, "weigh"), (Language.SPANISH, "peso")):
            script = weight_needed_script(language)
            assert word in script and "$" not in script
        return
    assert body.weight_kg is not None
    if "accepted" in expected:
        assert body.height_cm is not None
        bsa = bsa_m2(body.weight_kg, body.height_cm)
        mosteller = next(a for a in expected["accepted"] if a["formula"] == "Mosteller")
        per_m2 = Decimal(_DOSE.search(referral.therapy.dose).group(1))  # type: ignore[union-attr]
        assert abs(bsa - Decimal(str(mosteller["bsa_m2"]))) < Decimal("0.005")
        assert abs(per_m2 * bsa - Decimal(str(mosteller["dose_mg"]))) <= Decimal(
            str(expected["dose_tolerance_mg"])
        )
        return
    assert dose is not None
    first = _first_dose(expected)
    assert first is not None
    mg, tolerance = first
    given = dose.maintenance.per_administration(body.weight_kg)
    assert given is not None
    if dose.maintenance.measure == "g":
        given *= 1000
    assert abs(given - mg) <= tolerance, case.hand_computation


BILLED = [
    c
    for c in PER_KG
    if c.expected.get("doses_priced") is not False
    and (c.expected.get("units") or {}).get("administered_units") is not None
]


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in BILLED])
def test_given_weight_read_from_text_when_planned_then_units_per_dose_from_it(
    case: Case,
) -> None:
    """Given the weight read from the text, when the service plan bills the drug, then the
    units per dose are the case's (254.47 mg / 10 mg = 25.45 -> 26 given, 3 x 100 mg vials =
    30 units, 4 discarded on JW): the plan used the weight in the notes, not a default."""
    # Given
    referral = referral_for(case)
    first = case.input.get("first_infusion") or str(case.input["first_dose_at"])[:10]
    start = date.fromisoformat(str(first))
    # When
    plan = plan_services(referral, start)
    # Then
    units = case.expected["units"]
    lines = [ln for ln in plan.lines if ln.component is Component.DRUG]
    given = next(ln for ln in lines if "JW" not in ln.modifiers)
    assert given.code == units["hcpcs"]
    assert given.units_per_dose == units["administered_units"], case.hand_computation
    waste = [ln for ln in lines if "JW" in ln.modifiers]
    if units.get("jw_units"):
        assert waste and waste[0].units_per_dose == units["jw_units"]
