"""The match key: the same patient and therapy however spelled; anything else differs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from intake.models.referral import Referral
from intake.referrals.linking import match_key
from tests.conftest import EVENTS


def sample(**changes: Any) -> Referral:
    data = json.loads((EVENTS / "referrals" / "01-ppo-deductible-coinsurance.json").read_text())
    for path, value in changes.items():
        node = data
        *parents, last = path.split(".")
        for part in parents:
            node = node[part]
        node[last] = value
    return Referral.model_validate(data)


def test_case_accents_spacing_and_clinic_reference_do_not_matter() -> None:
    # Given the same patient and therapy spelled differently, under another clinic reference
    plain = sample()
    spelled = sample(
        **{
            "patient.first_name": "ÁVA",
            "patient.last_name": "martínez ",
            "insurance.member_id": "sbp000000101",
            "clinic_reference": "another",
        }
    )
    # Then both have the same key, and the key holds no name or id in clear
    assert match_key(plain) == match_key(spelled)
    assert "MARTINEZ" not in match_key(plain).upper()


@pytest.mark.parametrize(
    "change",
    [
        {"prescriber.npi": "1245319599"},
        {"therapy.hcpcs": "J1561"},
        {"patient.date_of_birth": "1990-01-01"},
        {"patient.first_name": "Eva"},
        {"insurance.member_id": "SBP000000102"},
    ],
)
def test_another_prescriber_drug_or_identity_gives_another_key(change: dict[str, Any]) -> None:
    assert match_key(sample(**change)) != match_key(sample())


def test_the_ndc_stands_for_the_drug_without_a_hcpcs() -> None:
    # Given no HCPCS code, the NDC identifies the drug
    assert match_key(sample(**{"therapy.hcpcs": None})) != match_key(
        sample(**{"therapy.hcpcs": None, "therapy.ndc": "00944-2700-02"})
    )
