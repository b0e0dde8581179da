"""Shared fixtures for the referral-format tests: sample paths, OCR engine, key-field view."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from intake.models.referral import Referral
from intake.referrals.ocr import TesseractOcr, tesseract_available
from tests.conftest import SHARED_FIXTURES

PROJECT_ROOT = Path(__file__).resolve().parents[3]
EVENTS = PROJECT_ROOT / "events" / "referrals"
HL7_FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "hl7v2"


@pytest.fixture(scope="session")
def events_dir() -> Path:
    return EVENTS


@pytest.fixture(scope="session")
def hl7_fixtures() -> Path:
    return HL7_FIXTURES


@pytest.fixture(scope="session")
def shared_fixtures() -> Path:
    if not SHARED_FIXTURES.is_dir():
        pytest.skip(f"public fixtures not found at {SHARED_FIXTURES}")
    return SHARED_FIXTURES


@pytest.fixture(scope="session")
def tesseract() -> TesseractOcr:
    if not tesseract_available():
        pytest.skip("tesseract is not installed (Debian package tesseract-ocr)")
    return TesseractOcr()


def _key_fields(referral: Referral) -> dict[str, Any]:
    """What must agree across formats; free text (notes, descriptions, plan) may differ."""
    p, i, pr, t, c = (
        referral.patient,
        referral.insurance,
        referral.prescriber,
        referral.therapy,
        referral.referring_clinic,
    )
    return {
        "clinic_reference": referral.clinic_reference,
        "patient": (p.first_name, p.middle_name, p.last_name, p.date_of_birth.isoformat(), p.sex),
        "address": p.address.model_dump(),
        "patient_phone": p.phone,
        "language": p.preferred_language,
        "weight_kg": p.weight_kg,
        "insurance": (i.payer_name, i.payer_id, i.member_id, i.group_number, i.relationship),
        "prescriber": (pr.first_name, pr.last_name, pr.npi, pr.phone, pr.fax, pr.credentials),
        "therapy": (
            t.drug_name,
            t.ndc,
            t.hcpcs,
            t.dose,
            t.route,
            t.frequency,
            t.duration,
            t.site_of_care,
            t.start_date,
        ),
        "diagnoses": [d.code for d in referral.diagnoses],
        "notes": " ".join((referral.clinical_notes or "").split()),
        "clinic": (c.name, c.npi, c.phone, c.fax),
    }


@pytest.fixture(scope="session")
def key_fields() -> Callable[[Referral], dict[str, Any]]:
    return _key_fields
