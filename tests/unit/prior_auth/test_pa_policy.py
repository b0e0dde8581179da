"""Is prior authorization required? EB11 on home-infusion lines or the payer policy table."""

from __future__ import annotations

from collections.abc import Callable

from intake.models.referral import Referral, Therapy
from intake.prior_auth import POLICY_UNKNOWN, decide_prior_auth
from tests.unit.prior_auth.conftest import benefits_with

Load = Callable[[str], Referral]


def _with_drug(referral: Referral, payer_id: str, hcpcs: str) -> Referral:
    return referral.model_copy(
        update={
            "insurance": referral.insurance.model_copy(update={"payer_id": payer_id}),
            "therapy": referral.therapy.model_copy(update={"hcpcs": hcpcs, "ndc": None}),
        }
    )


def test_given_eb11_yes_on_home_infusion_when_decided_then_required(load_referral: Load) -> None:
    # Given a drug no policy lists and a 271 with EB11=Y on 42/43 (plan level 30 says N)
    referral = _with_drug(load_referral("03-auth-required-chinese.json"), "SBX99", "J3262")
    benefits = benefits_with((("30",), False), (("42", "43"), True))
    # When
    decision = decide_prior_auth(referral, benefits)
    # Then
    assert decision.required
    assert "EB11=Y" in decision.reasons[0] and "42, 43" in decision.reasons[0]


def test_given_policy_requires_drug_when_271_silent_then_required_with_docs(
    load_referral: Load,
) -> None:
    referral = _with_drug(load_referral("01-ppo-deductible-coinsurance.json"), "SBX01", "J1745")
    decision = decide_prior_auth(referral, benefits_with((("30",), None)))
    assert decision.required
    assert decision.reasons == ["the payer's medical policy requires prior authorization for J1745"]
    assert {"TB test", "Hepatitis B screen", "Prior therapy failure"} <= set(decision.documentation)


def test_given_eb11_no_and_no_policy_when_decided_then_not_required(load_referral: Load) -> None:
    referral = _with_drug(load_referral("01-ppo-deductible-coinsurance.json"), "SBX99", "J3262")
    decision = decide_prior_auth(referral, benefits_with((("42", "44"), False)))
    assert not decision.required and decision.documentation == []


def test_given_policy_says_not_required_when_decided_then_not_required(
    load_referral: Load,
) -> None:
    referral = _with_drug(load_referral("01-ppo-deductible-coinsurance.json"), "SBX01", "J1335")
    decision = decide_prior_auth(referral, benefits_with())
    assert not decision.required and "does not require" in decision.reasons[0]


def test_given_nothing_known_when_decided_then_required_policy_unknown(load_referral: Load) -> None:
    referral = _with_drug(load_referral("01-ppo-deductible-coinsurance.json"), "SBX99", "J3262")
    decision = decide_prior_auth(referral, benefits_with((("30",), True)))
    # plan-level EB11 (30) does not speak for home infusion: still unknown
    assert decision.required and decision.reasons == [POLICY_UNKNOWN]
    assert decision.documentation


def test_given_ndc_only_when_policy_lists_ndc_then_policy_applies(load_referral: Load) -> None:
    referral = load_referral("01-ppo-deductible-coinsurance.json")
    therapy = {**referral.therapy.model_dump(), "hcpcs": None, "ndc": "57894-0030-01"}
    referral = referral.model_copy(update={"therapy": Therapy.model_validate(therapy)})
    decision = decide_prior_auth(referral, benefits_with((("42",), False)))
    assert decision.required and "57894003001" in decision.reasons[0]
