"""The sandbox payers read from the directory exactly as from today's hand-written files, and
the lookups other capabilities use (discovery's likely payers, assistance's plan policy)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest

from intake.authorization.packet.reference import policy_table
from intake.directory.service import PayerDirectory
from intake.directory.store import ShippedStore, shipped
from intake.directory.views import payer_contract, payer_policy, payer_profile
from intake.reference.contracts import load_contracts

SANDBOX = ("SBX01", "SBX02", "SBX03", "SBX04", "SBX05", "SBX06", "SBX07", "SBXRX")
_NO_DOCS: Any = {"doc": True, "plans": {"__all__": {"doc"}}}


def _profiles() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        resources.files("intake.data").joinpath("payer_profiles.json").read_text("utf-8")
    )
    return data


@pytest.mark.parametrize("payer_id", SANDBOX)
def test_a_sandbox_payer_reads_the_same_from_the_directory(payer_id: str) -> None:
    """Given the directory shipped in the layer
    When a sandbox payer's profile, contract and policies are read from it
    Then they equal payer_profiles.json's, contracts.json's and pa_policies.json's entries,
    because every sample must end as documented when the directory becomes their source."""
    entry = shipped().entries[payer_id]
    contract = load_contracts().payers.get(payer_id)
    policy = policy_table().payers.get(payer_id)

    assert payer_profile(entry) == _profiles().get(payer_id, {})
    assert (payer_contract(entry) and payer_contract(entry).model_dump(exclude=_NO_DOCS)) == (
        contract and contract.model_dump(exclude=_NO_DOCS)
    )
    assert payer_policy(entry) == policy


def test_likely_payers_come_in_directory_order_without_pbms() -> None:
    """Given the sandbox directory (no payer states its states)
    When discovery asks for likely payers in Texas, three at most
    Then it gets the first three payers in the directory's order with their clearinghouse id
    and whether they answer a demographic 270 (unknown: the directory does not say), because
    discovery spends paid inquiries in the pharmacy's order."""
    directory = PayerDirectory(ShippedStore())

    likely = directory.likely_payers("TX", 3)

    assert [p.payer_id for p in likely] == ["SBX01", "SBX02", "SBX03"]
    assert likely[0].clearinghouse_payer_id == "SBX01"
    assert {p.demographic_270 for p in likely} == {"unknown"}
    assert all(p.plan_type != "pbm" for p in directory.likely_payers(None, 100))


def test_copay_assistance_policy_is_unknown_unless_a_plan_row_says() -> None:
    """Given the sandbox directory, whose one plan row states no assistance policy
    When assistance asks for a plan's policy
    Then it is unknown for that plan, an unlisted plan and an unknown payer, because an
    accumulator assumed or denied by default would misstate what the patient owes."""
    directory = PayerDirectory(ShippedStore())

    assert directory.copay_assistance_policy("SBX01", "SBXGRP200") == "unknown"
    assert directory.copay_assistance_policy("SBX01", "OTHER") == "unknown"
    assert directory.copay_assistance_policy("NOPE", None) == "unknown"


def test_the_policy_that_decides_names_its_source_and_date() -> None:
    """Given the sandbox directory
    When the policy for SBX01 and infliximab (J1745) is looked up
    Then it says authorization is required and names its source and date, because a decision
    must be explainable from the directory version that made it."""
    found = PayerDirectory(ShippedStore()).policy_for("SBX01", "j1745")

    assert found is not None and found.version == "shipped"
    assert found.policy.required is True
    assert "pa_policies.json" in found.policy.source and found.policy.as_of.year == 2026
