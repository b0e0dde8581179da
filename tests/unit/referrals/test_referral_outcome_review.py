"""ParseOutcome rules, plain-word problems and completing a draft."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from intake.models.problems import explain
from intake.models.referral import Referral
from intake.referrals import complete_draft, merge_fields, parse_referral_document
from tests.conftest import INFLIXIMAB


@pytest.fixture
def valid(events_dir: Path) -> dict[str, Any]:
    outcome = parse_referral_document((events_dir / "24-fhir-bundle.json").read_bytes())
    assert outcome.referral is not None
    data: dict[str, Any] = outcome.referral.model_dump(mode="json", exclude_none=True)
    return data


def test_explain_speaks_plain_words(valid: dict[str, Any]) -> None:
    # Given a referral with a future DOB, a long state name, no diagnoses and an extra key
    bad = merge_fields(
        valid,
        {
            "patient.date_of_birth": "2999-01-01",
            "patient.address.state": "Illinois",
            "diagnoses": [],
            "insurance.memberid": "X",
        },
    )
    # When validated
    with pytest.raises(ValidationError) as caught:
        Referral.model_validate(bad)
    problems = explain(caught.value)
    # Then each problem is "path: sentence"
    assert "patient.date_of_birth: date of birth is in the future" in problems
    assert "patient.address.state: must be a 2-letter USPS state code (e.g. IL)" in problems
    assert "diagnoses: needs at least one entry" in problems
    assert "insurance.memberid: is not a field of a referral" in problems


def test_missing_groups_expand_to_the_fields_a_person_fills(valid: dict[str, Any]) -> None:
    # Given a JSON referral with no prescriber and no diagnoses
    del valid["prescriber"], valid["diagnoses"]
    outcome = parse_referral_document(json.dumps(valid).encode())
    # Then fields_missing names the leaves, not the group
    assert outcome.referral is None and outcome.readable
    assert {
        "prescriber.first_name",
        "prescriber.last_name",
        "prescriber.npi",
        "prescriber.phone",
        "diagnoses.0.code",
    } <= set(outcome.fields_missing)


def test_missing_billing_code_names_both_options(valid: dict[str, Any]) -> None:
    del valid["therapy"]["ndc"], valid["therapy"]["hcpcs"]
    outcome = parse_referral_document(json.dumps(valid).encode())
    assert {"therapy.ndc", "therapy.hcpcs"} <= set(outcome.fields_missing)
    assert any("NDC or a HCPCS" in p for p in outcome.problems)


def test_complete_draft_merges_dotted_and_nested_fields(shared_fixtures: Path) -> None:
    # Given the public REF^I12 draft (no order, no NPI)
    outcome = parse_referral_document((shared_fixtures / "hl7v2" / "REF-I12-01.hl7").read_bytes())
    # When the liaison supplies what is missing, dotted and nested, and clears the bad language
    referral = complete_draft(
        outcome.draft,
        {
            "prescriber.npi": "1234567893",
            "therapy": dict(INFLIXIMAB),  # infliximab 5 mg/kg IV every 8 weeks, 12 months
            "patient.preferred_language": None,
        },
    )
    # Then the merged draft validates, keeping what the message said
    assert referral.patient.last_name == "EVERYMAN"
    assert referral.therapy.hcpcs == "J1745"
    assert referral.patient.preferred_language.value == "en"
    # And an invalid supplement still raises for the caller to explain
    with pytest.raises(ValidationError):
        complete_draft(outcome.draft, {"prescriber.npi": "123"})


def test_json_extra_keys_are_dropped_with_a_note(valid: dict[str, Any]) -> None:
    valid["source_system"] = "epic"
    outcome = parse_referral_document(json.dumps(valid).encode())
    assert outcome.referral is not None
    assert outcome.problems == ["source_system: is not a field of a referral (ignored)"]
