"""A diagnosis code that is not billable in the current ICD-10-CM release stops at the door.

FY2026 (effective 2025-10-01) split G35 "Multiple sclerosis" into G35.A ... G35.D, so G35
became a header; sent as is it was refused in the 278's HI segment. At the door it is a problem
naming the billable codes to choose from, and no referral is made of the document, so nothing
downstream (278, estimate, letter) can see it.
"""

from __future__ import annotations

import json
from pathlib import Path

from intake.referrals.parse import parse_referral_document

SAMPLE = Path(__file__).resolve().parents[3] / "events" / "referrals" / "02-hmo-copay-spanish.json"


def _with_diagnosis(code: str) -> bytes:
    document = json.loads(SAMPLE.read_text(encoding="utf-8"))
    document["diagnoses"] = [code]
    return json.dumps(document).encode()


def test_sample_with_its_billable_code_is_accepted() -> None:
    """Given sample 02 as shipped (relapsing MS coded G35.A)
    When it is read at the door
    Then it is a referral with no diagnosis problem."""
    outcome = parse_referral_document(SAMPLE.read_bytes())
    assert outcome.referral is not None
    assert not [p for p in outcome.problems if p.startswith("diagnoses")]


def test_a_header_code_goes_to_review_naming_its_billable_codes() -> None:
    """Given the same referral coded G35 (a header since FY2026)
    When it is read at the door
    Then no referral is made, diagnoses.0.code is missing, and the problem offers the billable
    codes below G35: G35.A, G35.B0, G35.B1, G35.B2, G35.C0, G35.C1, G35.C2, G35.D (8 codes)."""
    outcome = parse_referral_document(_with_diagnosis("G35"))
    assert outcome.referral is None
    assert "diagnoses.0.code" in outcome.fields_missing
    [problem] = [p for p in outcome.problems if p.startswith("diagnoses.0.code")]
    assert "header in ICD-10-CM FY2026" in problem and "not billable" in problem
    offered = "G35.A, G35.B0, G35.B1, G35.B2, G35.C0, G35.C1, G35.C2, G35.D"
    assert problem.endswith(offered)


def test_a_code_not_in_the_release_is_refused_not_shortened() -> None:
    """Given a code of the right shape that does not exist (D83.90; D83.9 has no children)
    When it is read at the door
    Then the problem says it is not a code of the release; it is not read as D83.9."""
    outcome = parse_referral_document(_with_diagnosis("D83.90"))
    assert outcome.referral is None
    assert any(
        p.startswith("diagnoses.0.code") and "is not a code of ICD-10-CM FY2026" in p
        for p in outcome.problems
    )


def test_a_whole_category_offers_its_first_codes_and_counts_the_rest() -> None:
    """Given D81 (17 billable codes below it)
    When it is read at the door
    Then the problem lists the first 12 and says 5 more (17 - 12 = 5)."""
    outcome = parse_referral_document(_with_diagnosis("D81"))
    [problem] = [p for p in outcome.problems if p.startswith("diagnoses.0.code")]
    assert "D81.0, D81.1, D81.2, D81.30" in problem and problem.endswith("(and 5 more)")


def test_a_u_code_of_the_release_is_accepted() -> None:
    """Given U07.1 (COVID-19, a billable FY2026 code in chapter 22, letter U)
    When it is read at the door
    Then it is accepted: the release decides, not a letter range typed into a pattern."""
    outcome = parse_referral_document(_with_diagnosis("U07.1"))
    assert outcome.referral is not None
    assert outcome.referral.diagnoses[0].code == "U07.1"
