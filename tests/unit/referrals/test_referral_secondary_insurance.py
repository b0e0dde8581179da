"""A second insurance is read from every structured format: JSON, HL7 IN1 set 2, FHIR Coverage
with order 2."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from intake.referrals import parse_referral_document

EVENTS = Path(__file__).resolve().parents[3] / "events" / "referrals"
IN1_2 = (
    "IN1|2|MGAP^Medigap Plan G|SBX07^^^^NIIP|Sandbox Medigap|PO Box 7^^Springfield^IL^62701"
    "||^WPN^PH^^1^800^5550177|MG-100|||||||SUP|Ortega^Daniel^J|SEL^Self^HL70063|19680314"
    "||||||||||||||||||SBG000000701"
)


def test_given_hl7_with_in1_set_2_then_secondary_insurance() -> None:
    # Given the REF^I12 sample with a second IN1 (set 2) after the first
    text = (EVENTS / "22-hl7-ref-i12.hl7").read_bytes().decode("utf-8")
    segments = text.replace("\r\n", "\r").split("\r")
    at = next(i for i, s in enumerate(segments) if s.startswith("IN1|1|"))
    segments.insert(at + 1, IN1_2)
    # When read
    outcome = parse_referral_document("\r".join(segments).encode("utf-8"))
    # Then the first IN1 stays primary and set 2 is the secondary
    assert outcome.referral is not None, outcome.problems
    assert outcome.referral.insurance.payer_id == "SBX01"
    secondary = outcome.referral.secondary_insurance
    assert secondary is not None
    assert (secondary.payer_id, secondary.member_id, secondary.group_number) == (
        "SBX07",
        "SBG000000701",
        "MG-100",
    )


def test_given_hl7_with_one_in1_then_no_secondary() -> None:
    outcome = parse_referral_document((EVENTS / "22-hl7-ref-i12.hl7").read_bytes())
    assert outcome.referral is not None and outcome.referral.secondary_insurance is None


def test_given_fhir_coverage_order_2_then_secondary_insurance() -> None:
    # Given the FHIR sample with a second Coverage (order 2), listed first in the bundle
    bundle = json.loads((EVENTS / "24-fhir-bundle.json").read_text(encoding="utf-8"))
    entries = bundle["entry"]
    first = next(e for e in entries if e["resource"]["resourceType"] == "Coverage")
    second = copy.deepcopy(first)
    second["resource"]["id"] = "cov-gap"
    second["resource"]["order"] = 2
    second["resource"]["identifier"][0]["value"] = "SBG000000701"
    second["resource"]["subscriberId"] = "SBG000000701"
    first["resource"]["order"] = 1
    entries.insert(0, second)
    # When read
    outcome = parse_referral_document(json.dumps(bundle).encode("utf-8"))
    # Then order 1 is the primary and order 2 the secondary, whatever their place
    assert outcome.referral is not None, outcome.problems
    assert outcome.referral.insurance.member_id != "SBG000000701"
    secondary = outcome.referral.secondary_insurance
    assert secondary is not None and secondary.member_id == "SBG000000701"


def test_given_json_referral_with_secondary_then_kept() -> None:
    data = json.loads((EVENTS / "01-ppo-deductible-coinsurance.json").read_text(encoding="utf-8"))
    data["secondary_insurance"] = {
        "payer_name": "Sandbox HMO Care",
        "payer_id": "SBX02",
        "member_id": "SBH000000230",
        "relationship": "spouse",
        "subscriber": {"first_name": "Luis", "last_name": "Martinez"},
    }
    outcome = parse_referral_document(json.dumps(data).encode("utf-8"))
    assert outcome.referral is not None, outcome.problems
    assert outcome.referral.secondary_insurance is not None
    assert outcome.referral.secondary_insurance.relationship.value == "spouse"
