"""FHIR R4 Bundle reading: reference styles, ServiceRequest orders, missing resources."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from intake.referrals import parse_referral_document


@pytest.fixture
def bundle(events_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((events_dir / "24-fhir-bundle.json").read_text("utf-8"))
    return data


def _resource(bundle: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind)


def _parse(bundle: dict[str, Any]) -> Any:
    return parse_referral_document(json.dumps(bundle, ensure_ascii=False).encode())


def test_contained_medication_and_codeable_concept(bundle: dict[str, Any]) -> None:
    # Given the order with its Medication contained (reference "#med") instead of in the Bundle
    order = _resource(bundle, "MedicationRequest")
    medication = copy.deepcopy(_resource(bundle, "Medication"))
    medication["id"] = "med"
    order["contained"] = [medication]
    order["medicationReference"] = {"reference": "#med"}
    bundle["entry"] = [e for e in bundle["entry"] if e["resource"]["resourceType"] != "Medication"]
    # When parsed / Then the NDC and HCPCS still come through
    outcome = _parse(bundle)
    assert outcome.referral is not None, outcome.problems
    assert (outcome.referral.therapy.ndc, outcome.referral.therapy.hcpcs) == (
        "57894003001",
        "J1745",
    )


def test_service_request_order_with_reason_code(bundle: dict[str, Any]) -> None:
    # Given a ServiceRequest (HCPCS code, free-text dosing) instead of a MedicationRequest
    order = _resource(bundle, "MedicationRequest")
    service = {
        "resourceType": "ServiceRequest",
        "id": "sr1",
        "status": "active",
        "intent": "order",
        "code": {
            "coding": [
                {
                    "system": "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
                    "code": "J1745",
                    "display": "Infliximab 10 mg",
                }
            ]
        },
        "subject": order["subject"],
        "requester": order["requester"],
        "reasonCode": [
            {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "K50.90"}]}
        ],
        "occurrenceTiming": {"repeat": {"frequency": 1, "period": 8, "periodUnit": "wk"}},
        "note": [{"text": "Home infusion nursing requested."}],
    }
    bundle["entry"] = [
        e
        for e in bundle["entry"]
        if e["resource"]["resourceType"] not in {"MedicationRequest", "Condition"}
    ]
    bundle["entry"].append({"fullUrl": "urn:uuid:sr1", "resource": service})
    # When parsed
    outcome = _parse(bundle)
    # Then the order is read; dose, route and duration are asked of the liaison
    assert outcome.readable and outcome.referral is None
    assert outcome.draft["therapy"]["hcpcs"] == "J1745"
    assert outcome.draft["therapy"]["frequency"] == "every 8 weeks"
    assert outcome.draft["diagnoses"] == [{"code": "K50.90"}]
    assert {"therapy.dose", "therapy.route", "therapy.duration"} <= set(outcome.fields_missing)


def test_bundle_without_patient_goes_to_review(bundle: dict[str, Any]) -> None:
    # Given a Bundle whose Patient entry is missing
    bundle["entry"] = [e for e in bundle["entry"] if e["resource"]["resourceType"] != "Patient"]
    # When parsed / Then it is a draft with the patient fields missing and the reason stated
    outcome = _parse(bundle)
    assert outcome.readable and outcome.referral is None
    assert "the FHIR document has no Patient resource" in outcome.problems
    assert {"patient.first_name", "patient.date_of_birth", "patient.address.city"} <= set(
        outcome.fields_missing
    )


def test_dependent_coverage_reads_the_subscriber(bundle: dict[str, Any]) -> None:
    # Given the patient covered as a child under a parent's plan
    coverage = _resource(bundle, "Coverage")
    coverage["relationship"] = {"coding": [{"code": "child"}]}
    coverage["subscriber"] = {"reference": "urn:uuid:parent"}
    bundle["entry"].append(
        {
            "fullUrl": "urn:uuid:parent",
            "resource": {
                "resourceType": "RelatedPerson",
                "name": [{"family": "Ortega", "given": ["Lucia"]}],
                "birthDate": "1944-01-02",
            },
        }
    )
    # When parsed / Then the subscriber is named (needed for the 270's HL 23 loop)
    outcome = _parse(bundle)
    assert outcome.referral is not None
    assert outcome.referral.insurance.subscriber is not None
    assert outcome.referral.insurance.subscriber.first_name == "Lucia"
