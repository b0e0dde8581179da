"""The sandbox payers read from the directory exactly as from today's hand-written files, and
the lookups other capabilities use (discovery's likely payers, assistance's plan policy)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from intake.authorization.packet.reference import PayerPolicy, policy_table
from intake.directory.runtime import payer_contract
from intake.directory.service import PayerDirectory
from intake.directory.store import ShippedStore, shipped
from intake.models.benefits import Plan
from intake.reference.contracts import PayerContract, load_contracts
from intake.reference.payer_profiles import payer_setting

SANDBOX = ("SBX01", "SBX02", "SBX03", "SBX04", "SBX05", "SBX06", "SBX07", "SBXRX")
_NO_DOCS: Any = {"doc": True, "plans": {"__all__": {"doc"}}}


FIXTURES = Path(__file__).parent / "fixtures"


def _before(name: str) -> dict[str, Any]:
    """The hand-written file as it was before the directory became its source."""
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}_before_directory.json").read_text())
    return data


@pytest.mark.parametrize("payer_id", SANDBOX)
def test_a_sandbox_payer_reads_as_it_did_before_the_directory(payer_id: str) -> None:
    """Given the directory shipped in the layer as the payers' source
    When a sandbox payer's settings, contract and policies are read the way the pipeline reads
    them (payer_setting, the contracts' terms, the policy table)
    Then they equal the entries of payer_profiles.json, contracts.json and pa_policies.json as
    they were before the directory, because every sample must still end as documented."""
    profiles = _before("payer_profiles")
    wanted_contract = _before("contracts")["payers"].get(payer_id)
    wanted_policy = _before("pa_policies")["payers"].get(payer_id)

    for key in profiles["default"]:
        expected = profiles.get(payer_id, {}).get(key, profiles["default"][key])
        assert payer_setting(payer_id, key) == expected, key
    contract = load_contracts().payers.get(payer_id) or payer_contract(payer_id)
    if wanted_contract is None:
        assert contract is None and not load_contracts().terms_for(payer_id, Plan()).known
    else:
        assert contract.model_dump(exclude=_NO_DOCS) == PayerContract.model_validate(
            wanted_contract
        ).model_dump(exclude=_NO_DOCS)
    policy = policy_table().payer(payer_id)
    assert policy == (wanted_policy and PayerPolicy.model_validate(wanted_policy))


def test_every_directory_rate_prices_a_code_the_contracts_know() -> None:
    """Given the shipped directory's contracts
    When their rate codes are compared with contracts.json's code catalog
    Then each is a known HCPCS/CPT code or an NDC, because a rate for a code the estimator has
    no billing unit for would never be used (contracts.json checks its own payers the same)."""
    known = set(load_contracts().codes)
    for entry in shipped().entries.values():
        for row in entry.contracts:
            assert {c for c in row.rates if not c.isdigit() or len(c) != 11} <= known


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
