"""The weight and height reader (``intake.therapy.body``): what is and is not a weight.

Why: a dose per kg priced on a guess is the failure issue 22 names; a number next to "lb"
that is not the patient's weight (a weight change, a lifting limit) or a "kg" that belongs to
"mg/kg" must not become one, and two weights that disagree are not chosen between.
Conversions: NIST SP 811 B.8, 1 lb = 0.45359237 kg exactly, 1 in = 2.54 cm exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from intake.models.referral import ClinicalFact, ClinicalFactKind, Referral
from intake.therapy.body import body_of, read_weights
from tests.conftest import EVENTS


@pytest.fixture
def bare() -> Callable[[str], Referral]:
    sample = EVENTS / "referrals" / "01-ppo-deductible-coinsurance.json"

    def make(notes: str) -> Referral:
        r = Referral.model_validate_json(sample.read_text(encoding="utf-8"))
        patient = r.patient.model_copy(update={"weight_kg": None})
        return r.model_copy(update={"patient": patient, "clinical_notes": notes})

    return make


@pytest.mark.parametrize(
    "text",
    [
        "Infliximab 5 mg/kg IV",
        "BMI 30 kg/m2",
        "lost 12 lb since June",
        "lifting restriction 10 lb",
        "no lifting over 10 lbs",
        "5 kg weight loss",
    ],
)
def test_given_a_number_and_a_unit_that_is_no_weight_then_none_read(text: str) -> None:
    """A dose per kg, a BMI, a weight change or a lifting limit is not the patient's weight."""
    assert read_weights(text) == []


def test_given_two_weights_that_disagree_then_unknown_with_the_reason(
    bare: Callable[[str], Referral],
) -> None:
    """187 lb = 84.82 kg and 80 kg differ by 4.82 kg (> 0.1): neither is chosen."""
    body = body_of(bare("wt 187 lb per PCP. Weight 80 kg at clinic."))
    assert body.weight is None and "different weights" in body.conflicts[0]


def test_given_the_same_weight_twice_then_read_with_its_date(
    bare: Callable[[str], Referral],
) -> None:
    """ "Wt 85.2 kg on 2026-11-01" and "85.2 kg" agree: 85.2 kg, measured 2026-11-01."""
    body = body_of(bare("Wt 85.2 kg on 2026-11-01. Pt is 85.2 kg."))
    assert body.weight_kg == Decimal("85.2") and body.weight is not None
    assert body.weight.measured_on == date(2026, 11, 1) and body.weight.where == "clinical notes"


def test_given_a_coded_body_weight_then_it_wins_over_the_notes(
    bare: Callable[[str], Referral],
) -> None:
    """LOINC 29463-7 in [lb_av] (UCUM): 150 x 0.45359237 = 68.0389 kg, the fact's date; the
    notes' "wt 187 lb" is not used."""
    fact = ClinicalFact(
        kind=ClinicalFactKind.OBSERVATION,
        code="29463-7",
        value="150",
        unit="[lb_av]",
        effective=date(2026, 11, 2),
        source="FHIR Observation/w1",
    )
    body = body_of(bare("wt 187 lb").model_copy(update={"clinical_facts": [fact]}))
    assert body.weight is not None and body.weight.where == "clinical fact"
    assert body.weight.value == Decimal("150") * Decimal("0.45359237")
    assert body.weight.measured_on == date(2026, 11, 2)


def test_given_only_a_height_then_no_weight(bare: Callable[[str], Referral]) -> None:
    """Ht 5'6" = 66 in x 2.54 = 167.64 cm; a height never stands in for a weight."""
    body = body_of(bare("Ht 5'6\""))
    assert body.height_cm == Decimal("167.64") and body.weight is None
