"""The Referral model: what intake accepts, and how it explains what it refuses."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from intake.models.codes import normalize_ndc, npi_check_digit_ok
from intake.models.problems import explain
from intake.models.referral import Language, Referral, Relationship
from tests.conftest import EVENTS


def sample(name: str = "01-ppo-deductible-coinsurance") -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EVENTS / "referrals" / f"{name}.json").read_text("utf-8"))
    return data


def test_sample_referrals_are_valid_and_normalized() -> None:
    # Given the English, Spanish and Chinese sample referrals
    referrals = [
        Referral.model_validate(sample(n))
        for n in (
            "01-ppo-deductible-coinsurance",
            "02-hmo-copay-spanish",
            "03-auth-required-chinese",
        )
    ]
    # Then languages, phones and codes are normalized, and names are kept intact
    assert [r.patient.preferred_language for r in referrals] == [
        Language.ENGLISH,
        Language.SPANISH,
        Language.CHINESE,
    ]
    assert referrals[1].patient.phone == "7735550177"
    assert referrals[1].patient.first_name == "Sofía"
    assert referrals[2].clinical_notes is not None and "普通话" in referrals[2].clinical_notes
    assert referrals[0].therapy.ndc == "57894003001"
    assert referrals[0].diagnoses[0].code == "K50.90"


@pytest.mark.parametrize(
    ("npi", "ok"),
    [("1234567893", True), ("1234567890", False), ("1245319599", True), ("123456789", False)],
)
def test_npi_check_digit(npi: str, ok: bool) -> None:
    assert npi_check_digit_ok(npi) is ok


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("0006-4952-01", "00006495201"),
        ("57894-030-01", "57894003001"),
        ("12345-6789-1", "12345678901"),
        ("57894003001", "57894003001"),
    ],
)
def test_ndc_normalizes_to_11_digits(raw: str, normal: str) -> None:
    assert normalize_ndc(raw) == normal


def test_icd10_codes_are_format_checked_and_dotted() -> None:
    data = sample()
    data["diagnoses"] = ["k5090", "E11.65", "Z79.899"]
    assert [d.code for d in Referral.model_validate(data).diagnoses] == [
        "K50.90",
        "E11.65",
        "Z79.899",
    ]
    data["diagnoses"] = ["12345"]
    with pytest.raises(ValidationError, match="not an ICD-10-CM code"):
        Referral.model_validate(data)


def test_dependent_needs_subscriber_name() -> None:
    # Given a patient who is the subscriber's child, with no subscriber named
    data = sample()
    data["insurance"]["relationship"] = "child"
    # When validated, Then the problem says what is needed, in plain words
    with pytest.raises(ValidationError) as caught:
        Referral.model_validate(data)
    assert any("subscriber's name is needed" in p for p in explain(caught.value))
    data["insurance"]["subscriber"] = {
        "first_name": "Ana",
        "last_name": "Johnson",
        "date_of_birth": "1975-01-02",
    }
    assert Referral.model_validate(data).insurance.relationship is Relationship.CHILD


def test_invalid_sample_lists_every_problem_in_plain_words() -> None:
    # Given the invalid sample referral
    with pytest.raises(ValidationError) as caught:
        Referral.model_validate(sample("09-invalid"))
    problems = explain(caught.value)
    # Then each problem names its field and says what is wrong
    expected = {
        "patient.date_of_birth: date of birth is in the future",
        "prescriber.npi: NPI check digit does not match (likely a typo)",
        "insurance.member_id: is missing",
        "therapy: the drug needs an NDC or a HCPCS code (either is enough)",
    }
    assert expected <= set(problems)
    # and no problem repeats the value it rejects (problems reach logs and consoles)
    assert any(p.startswith("patient.preferred_language:") for p in problems)
    assert not any("Klingon" in p for p in problems)
    assert len(problems) >= 8


def test_json_schema_is_published_and_current() -> None:
    # The published schema (schemas/referral.schema.json) is what the model generates
    from tests.conftest import PROJECT_ROOT

    published = json.loads((PROJECT_ROOT / "schemas" / "referral.schema.json").read_text("utf-8"))
    assert published == Referral.model_json_schema()
