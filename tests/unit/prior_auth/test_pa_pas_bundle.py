"""The Da Vinci PAS request Bundle validates as FHIR R4 (fhir.resources R4B models)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable

import pytest

from intake.authorization.packet import (
    PasValidationError,
    Pharmacy,
    validate_pas_bundle,
)
from intake.models.referral import Referral
from tests.conftest import SHARED_FIXTURES
from tests.unit.prior_auth.conftest import packet_for

Load = Callable[[str], Referral]


def _bundle(referral: Referral, pharmacy: Pharmacy) -> dict:  # type: ignore[type-arg]
    return packet_for(referral, pharmacy, trace_number="PATEST0002").pas_bundle


def test_given_referral_when_bundle_built_then_pas_shape_and_valid(
    load_referral: Load,
    pharmacy: Pharmacy,
) -> None:
    bundle = _bundle(load_referral("01-ppo-deductible-coinsurance.json"), pharmacy)
    validate_pas_bundle(bundle)
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds[0] == "Claim"
    assert {
        "Patient",
        "Coverage",
        "Practitioner",
        "Organization",
        "MedicationRequest",
        "Condition",
    } <= set(kinds)
    claim = bundle["entry"][0]["resource"]
    assert claim["use"] == "preauthorization"
    # 5 mg/kg x 70 kg = 350 mg from four 100 mg vials: 35 units given, 5 discarded (JW)
    lines = [
        (
            i["productOrService"]["coding"][0]["code"],
            [m["coding"][0]["code"] for m in i.get("modifier", [])],
            i["quantity"]["value"],
            i["locationCodeableConcept"]["coding"][0]["code"],
        )
        for i in claim["item"]
    ]
    assert lines == [
        ("J1745", [], 35 * 7, "12"),
        ("J1745", ["JW"], 5 * 7, "12"),
        ("S9359", [], 7, "12"),
        ("99601", [], 7, "12"),
        ("99602", [], 7, "12"),
    ]
    refs = {f"{e['resource']['resourceType']}/{e['resource']['id']}" for e in bundle["entry"]}
    assert claim["patient"]["reference"] in refs and claim["insurer"]["reference"] in refs
    assert json.loads(json.dumps(bundle)) == bundle


def test_given_same_referral_when_built_twice_then_identical(
    load_referral: Load,
    pharmacy: Pharmacy,
) -> None:
    referral = load_referral("13-dependent-child.json")
    assert _bundle(referral, pharmacy) == _bundle(referral, pharmacy)


def test_given_broken_bundle_when_validated_then_rejected(
    load_referral: Load,
    pharmacy: Pharmacy,
) -> None:
    bundle = copy.deepcopy(_bundle(load_referral("01-ppo-deductible-coinsurance.json"), pharmacy))
    bundle["entry"][0]["resource"]["use"] = "claim"
    with pytest.raises(PasValidationError):
        validate_pas_bundle(bundle)
    bundle["entry"][1]["resource"]["birthDate"] = "not-a-date"
    with pytest.raises(PasValidationError):
        validate_pas_bundle(bundle)


def test_given_public_davinci_sample_when_validated_then_its_r4_errors_are_caught() -> None:
    # The public sample predates R4 in places (Condition.clinicalStatus as a code string)
    sample = json.loads(
        (SHARED_FIXTURES / "fhir" / "davinci-bundle-prior-auth.json").read_text(encoding="utf-8")
    )
    with pytest.raises(PasValidationError):
        validate_pas_bundle(sample)
