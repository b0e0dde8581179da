"""Each prior-authorization decision names the payer policy it used (or says there was none)."""

from __future__ import annotations

from collections.abc import Callable

from intake.authorization.packet import decide_prior_auth
from intake.authorization.packet.reference import DrugPolicy, policy_table
from intake.models.referral import Referral
from tests.unit.prior_auth.conftest import benefits_with

Load = Callable[[str], Referral]


def _at(referral: Referral, payer_id: str, hcpcs: str) -> Referral:
    return referral.model_copy(
        update={
            "insurance": referral.insurance.model_copy(update={"payer_id": payer_id}),
            "therapy": referral.therapy.model_copy(update={"hcpcs": hcpcs, "ndc": None}),
        }
    )


def test_the_decision_names_the_policy_table_entry_it_used(load_referral: Load) -> None:
    """Given SBX01's policy table entry for J1745 (no policy id in the data) and a silent 271
    When authorization is decided
    Then the decision names that entry: the payer, the drug and where it came from (the payer
    directory, since it became the policies' source)."""
    referral = _at(load_referral("01-ppo-deductible-coinsurance.json"), "SBX01", "J1745")
    decision = decide_prior_auth(referral, benefits_with((("30",), None)))
    assert decision.required
    assert decision.policy == "SANDBOX PPO HEALTH PLAN medical policy for J1745 (payer directory)"


def test_a_policy_id_in_the_data_is_the_one_cited(load_referral: Load) -> None:
    """Given a table whose J1745 entry names its policy id and revision
    When authorization is decided
    Then that id is what the decision cites."""
    table = policy_table()
    payer = table.payer("SBX01")
    assert payer is not None
    named = DrugPolicy(required=True, policy="Policy RX-123 Infliximab, rev. 2026-01")
    drugs = {**payer.drugs, "J1745": named}
    custom = table.model_copy(
        update={"payers": {**table.payers, "SBX01": payer.model_copy(update={"drugs": drugs})}}
    )
    referral = _at(load_referral("01-ppo-deductible-coinsurance.json"), "SBX01", "J1745")
    decision = decide_prior_auth(referral, benefits_with((("30",), None)), custom)
    assert decision.policy == "Policy RX-123 Infliximab, rev. 2026-01"


def test_no_policy_for_the_drug_is_said_not_invented(load_referral: Load) -> None:
    """Given a payer the table does not hold (SBX99)
    When authorization is decided
    Then no policy is cited (None) and the reason says the policy is unknown."""
    referral = _at(load_referral("01-ppo-deductible-coinsurance.json"), "SBX99", "J3262")
    decision = decide_prior_auth(referral, benefits_with((("30",), None)))
    assert decision.policy is None
    assert decision.required and "payer policy unknown" in decision.reasons
