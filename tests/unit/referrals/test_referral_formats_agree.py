"""Every intake format of the same referral ends in the same normalized Referral."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from intake.models.referral import Referral
from intake.referrals import DocumentFormat, parse_referral_document
from intake.referrals.ocr import TesseractOcr

STRUCTURED = {
    "20-fax-efax-text.pdf": DocumentFormat.PDF,
    "22-hl7-ref-i12.hl7": DocumentFormat.HL7V2,
    "23-hl7-rde-o11.hl7": DocumentFormat.HL7V2,
    "24-fhir-bundle.json": DocumentFormat.FHIR,
}


@pytest.fixture(scope="module")
def reference(events_dir: Path) -> Referral:
    """The FHIR sample is the reference; it is also what a JSON referral of it would be."""
    outcome = parse_referral_document((events_dir / "24-fhir-bundle.json").read_bytes())
    assert outcome.referral is not None
    return outcome.referral


@pytest.mark.parametrize("name", sorted(STRUCTURED))
def test_each_sample_yields_the_same_complete_referral(
    name: str, events_dir: Path, reference: Referral, key_fields: Callable[[Referral], Any]
) -> None:
    # Given a shipped sample of the canonical referral
    data = (events_dir / name).read_bytes()
    # When intake reads it (its speed is a figure in `make bench`, not a test)
    outcome = parse_referral_document(data)
    # Then it is complete, valid, detected by content, and equal on every key field
    assert outcome.format is STRUCTURED[name]
    assert outcome.readable and outcome.referral is not None, outcome.problems
    assert outcome.fields_missing == []
    assert key_fields(outcome.referral) == key_fields(reference)
    assert all(score >= 0.99 for score in outcome.confidence.values())


def test_scanned_fax_read_by_tesseract_matches(
    events_dir: Path,
    reference: Referral,
    key_fields: Callable[[Referral], Any],
    tesseract: TesseractOcr,
) -> None:
    # Given the image-only scan of the same form
    data = (events_dir / "21-fax-scanned.pdf").read_bytes()
    # When intake reads it with OCR
    outcome = parse_referral_document(data, ocr=tesseract)
    # Then OCR confidences are real (below the text layer) yet every field passes review
    assert outcome.referral is not None, (outcome.fields_missing, outcome.problems)
    assert key_fields(outcome.referral) == key_fields(reference)
    scores = outcome.confidence.values()
    assert min(scores) >= 0.80 and max(scores) < 0.99


def test_json_referral_of_the_same_data_matches(
    reference: Referral, key_fields: Callable[[Referral], Any]
) -> None:
    # Given our own JSON of the reference referral (as the JSON intake receives it)
    data = json.dumps(reference.model_dump(mode="json")).encode()
    # When parsed as a document
    outcome = parse_referral_document(data)
    # Then it is the same referral
    assert outcome.format is DocumentFormat.JSON
    assert outcome.referral is not None
    assert key_fields(outcome.referral) == key_fields(reference)


def test_received_at_falls_back_to_the_upload_time(events_dir: Path) -> None:
    # Given a fax with no machine-readable send time, and an upload time
    from datetime import UTC, datetime

    uploaded = datetime(2025, 3, 2, 16, 20, tzinfo=UTC)
    # When parsed
    outcome = parse_referral_document(
        (events_dir / "20-fax-efax-text.pdf").read_bytes(), received_at=uploaded
    )
    # Then the upload time is recorded; an HL7 message keeps its own MSH-7 time instead
    assert outcome.referral is not None and outcome.referral.received_at == uploaded
    hl7 = parse_referral_document(
        (events_dir / "22-hl7-ref-i12.hl7").read_bytes(), received_at=uploaded
    )
    assert hl7.referral is not None
    assert hl7.referral.received_at == datetime.fromisoformat("2025-03-02T10:14:00-06:00")


def test_public_ref_i12_fixture_becomes_a_draft(shared_fixtures: Path) -> None:
    # Given the public HL7 v2.8 REF^I12 sample (no infusion order in it)
    data = (shared_fixtures / "hl7v2" / "REF-I12-01.hl7").read_bytes()
    # When parsed
    outcome = parse_referral_document(data)
    # Then the patient, insurance and diagnosis are read and the order is listed as missing
    assert outcome.format is DocumentFormat.HL7V2 and outcome.readable
    assert outcome.referral is None
    draft = outcome.draft
    assert draft["patient"]["last_name"] == "EVERYMAN"
    assert draft["patient"]["date_of_birth"] == "1961-06-15"
    assert draft["insurance"]["member_id"] == "548851236L"
    assert draft["insurance"]["relationship"] == "spouse"
    assert draft["insurance"]["subscriber"]["first_name"] == "Rosallie"
    assert draft["prescriber"]["last_name"] == "POWELL"
    assert draft["diagnoses"] == [{"code": "K63.3", "description": "Ulcer of Intestine"}]
    for path in ("prescriber.npi", "therapy.drug_name", "therapy.dose", "therapy.route"):
        assert path in outcome.fields_missing
    assert outcome.confidence["patient.last_name"] == 1.0


def test_public_davinci_pas_bundle_becomes_a_draft(shared_fixtures: Path) -> None:
    # Given the public Da Vinci PAS prior-auth Bundle (Claim + DeviceRequest + Coverage)
    data = (shared_fixtures / "fhir" / "davinci-bundle-prior-auth.json").read_bytes()
    # When parsed
    outcome = parse_referral_document(data)
    # Then references resolve (Type/id) and the focal Coverage's gaps are reported
    assert outcome.format is DocumentFormat.FHIR and outcome.readable
    draft = outcome.draft
    assert draft["patient"]["first_name"] == "Paul"
    assert draft["patient"]["middle_name"] == "Alan Nestor"
    assert draft["patient"]["date_of_birth"] == "1979-07-04"
    assert draft["prescriber"]["npi"] == "1122334455"
    assert draft["therapy"]["hcpcs"] == "E0424"
    assert [d["code"] for d in draft["diagnoses"]] == ["J44.9", "R09.02"]
    assert draft["insurance"]["payer_name"] == "Centers for Medicare and Medicaid Services"
    assert outcome.referral is None
    assert {"insurance.member_id", "patient.phone", "referring_clinic.name"} <= set(
        outcome.fields_missing
    )
