"""A 278's HI segment carries only billable ICD-10-CM codes.

The door refuses header codes; this is the second line for a referral recorded before the
release changed: G35 "Multiple sclerosis" was billable through FY2025 and is a header in
FY2026 (G35.A ... G35.D below it), so a request built from such a referral must stop.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from intake.authorization.packet.request278 import hi_diagnoses
from intake.core.errors import InvalidRequest
from intake.models.referral import Diagnosis, Referral


def test_billable_codes_are_sent_principal_first(load_referral: Callable[[str], Referral]) -> None:
    """Given sample 02 (relapsing MS, G35.A)
    When the HI codes are built
    Then G35.A is sent as the principal diagnosis."""
    [sent] = hi_diagnoses(load_referral("02-hmo-copay-spanish.json"))
    assert (sent.code, sent.principal) == ("G35.A", True)


def test_a_header_recorded_before_fy2026_is_not_sent(
    load_referral: Callable[[str], Referral],
) -> None:
    """Given the same referral recorded with G35 and a billable second code
    When the HI codes are built
    Then the request is refused naming the field (diagnoses.0.code), not the code."""
    referral = load_referral("02-hmo-copay-spanish.json")
    stored = referral.model_copy(
        update={"diagnoses": [Diagnosis(code="G35"), Diagnosis(code="G35.A")]}
    )
    with pytest.raises(InvalidRequest) as refused:
        hi_diagnoses(stored)
    assert str(refused.value).startswith("diagnoses.0.code: not a billable code of ICD-10-CM")
    assert "G35" not in str(refused.value)
