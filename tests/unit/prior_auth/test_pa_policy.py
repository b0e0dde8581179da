"""Is prior authorization required? EB11 on home-infusion lines or the payer policy table."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from intake.authorization.packet import POLICY_UNKNOWN, decide_prior_auth
from intake.estimate import load_contracts
from intake.models.benefits import BenefitLine, BenefitsSummary, CoverageStatus, Party
from intake.models.referral import Referral, SiteOfCare, Therapy
from tests.unit.prior_auth.conftest import benefits_with

Load = Callable[[str], Referral]
IN_NETWORK = load_contracts().terms_for(
    "SBX01", BenefitsSummary(status=CoverageStatus.ACTIVE, payer=Party()).plan
)


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
    decision = decide_prior_auth(referral, benefits, terms=IN_NETWORK)
    # Then required, said in plain words; the X12 reasoning goes to the audit
    assert decision.required and not decision.network_exception
    assert decision.reasons == [
        "the payer's eligibility response says prior authorization is required for the drug "
        "and the per diem (pharmacy services, supplies, pump) and nursing visits"
    ]
    assert "the drug: EB11=Y on service type 43" in decision.audit
    assert "nursing visits: EB11=Y on service type 42" in decision.audit


def test_given_policy_requires_drug_when_271_silent_then_required_with_docs(
    load_referral: Load,
) -> None:
    referral = _with_drug(load_referral("01-ppo-deductible-coinsurance.json"), "SBX01", "J1745")
    decision = decide_prior_auth(referral, benefits_with((("30",), None)))
    assert decision.required
    assert decision.reasons == ["the payer's medical policy requires prior authorization for J1745"]
    assert {"TB test", "Hepatitis B screen", "Prior therapy failure"} <= set(decision.documentation)


def test_given_eb11_no_for_every_part_and_no_policy_when_decided_then_not_required(
    load_referral: Load,
) -> None:
    referral = _with_drug(load_referral("01-ppo-deductible-coinsurance.json"), "SBX99", "J3262")
    benefits = benefits_with((("42", "43", "44"), False))
    decision = decide_prior_auth(referral, benefits, terms=IN_NETWORK)
    assert not decision.required and decision.documentation == []


def test_given_lone_eb11_no_on_home_health_when_no_policy_then_still_required(
    load_referral: Load,
) -> None:
    # Given EB11=N only on 42/44 (home health: nursing) and a drug no policy lists
    referral = _with_drug(load_referral("01-ppo-deductible-coinsurance.json"), "SBX99", "J3262")
    decision = decide_prior_auth(referral, benefits_with((("42", "44"), False)), terms=IN_NETWORK)
    # Then the N says nothing about the drug: authorization is still asked for
    assert decision.required and decision.reasons == [POLICY_UNKNOWN]
    assert "the drug: no EB11 on service types 43, 1, 12, 30" in decision.audit


def test_given_lone_eb11_no_when_policy_requires_then_required(load_referral: Load) -> None:
    referral = _with_drug(load_referral("01-ppo-deductible-coinsurance.json"), "SBX01", "J1745")
    decision = decide_prior_auth(referral, benefits_with((("42", "44"), False)), terms=IN_NETWORK)
    assert decision.required
    assert decision.reasons == ["the payer's medical policy requires prior authorization for J1745"]


def test_given_slow_payer_sample_ocrelizumab_out_of_network_then_not_let_through(
    load_referral: Load,
) -> None:
    # Given sample 10: ocrelizumab at an infusion suite, SBX05 (no contract: out of network),
    # a 271 whose only EB11 is N on home-health lines and which pays out-of-network benefits
    referral = load_referral("10-slow-payer.json")
    benefits = BenefitsSummary(
        status=CoverageStatus.ACTIVE,
        payer=Party(name="SANDBOX SLOW MUTUAL"),
        benefits=(
            BenefitLine(code="1", service_types=("30",)),
            BenefitLine(code="A", service_types=("42", "44"), auth_required=False, in_network=True),
            BenefitLine(code="C", service_types=("30",), in_network=False),
        ),
    )
    # When decided with the shipped contracts
    decision = decide_prior_auth(referral, benefits)
    # Then authorization is required (policy unknown), not waved through by the lone N
    assert decision.required and POLICY_UNKNOWN in decision.reasons
    assert not decision.network_exception  # the plan pays out-of-network benefits
    assert any(a.startswith("contract: SANDBOX SLOW MUTUAL out of network") for a in decision.audit)


def test_given_out_of_network_without_oon_benefit_then_network_exception(
    load_referral: Load,
) -> None:
    # Given a policy that does not require authorization, out of network, and a 271 that
    # covers nothing out of network (EB I with EB12=N)
    referral = _with_drug(load_referral("01-ppo-deductible-coinsurance.json"), "SBX01", "J1335")
    out = dataclasses.replace(IN_NETWORK, in_network=False)
    benefits = benefits_with((("30",), None)).model_copy(
        update={"benefits": (BenefitLine(code="I", service_types=("30",), in_network=False),)}
    )
    # When decided
    decision = decide_prior_auth(referral, benefits, terms=out)
    # Then never "not required": a network exception (single-case agreement) is needed
    assert decision.required and decision.network_exception
    assert decision.network_exception_reason is not None
    assert "single-case agreement" in decision.network_exception_reason
    assert decision.network_exception_reason in decision.reasons


def test_given_infusion_suite_when_only_home_health_says_yes_then_not_from_271(
    load_referral: Load,
) -> None:
    # Given a suite patient: home-health service types do not describe a suite
    referral = _with_drug(load_referral("01-ppo-deductible-coinsurance.json"), "SBX01", "J1335")
    referral = referral.model_copy(
        update={
            "therapy": referral.therapy.model_copy(
                update={"site_of_care": SiteOfCare.INFUSION_SUITE}
            )
        }
    )
    decision = decide_prior_auth(
        referral, benefits_with((("42", "43", "44"), True)), terms=IN_NETWORK
    )
    assert not decision.required


def test_given_policy_says_not_required_when_decided_then_not_required(
    load_referral: Load,
) -> None:
    referral = _with_drug(load_referral("01-ppo-deductible-coinsurance.json"), "SBX01", "J1335")
    decision = decide_prior_auth(referral, benefits_with(), terms=IN_NETWORK)
    assert not decision.required and "does not require" in decision.reasons[0]


def test_given_nothing_known_when_decided_then_required_policy_unknown(load_referral: Load) -> None:
    referral = _with_drug(load_referral("01-ppo-deductible-coinsurance.json"), "SBX99", "J3262")
    decision = decide_prior_auth(referral, benefits_with((("30",), None)), terms=IN_NETWORK)
    assert decision.required and decision.reasons == [POLICY_UNKNOWN]
    assert decision.documentation


def test_given_only_plan_level_eb11_yes_when_decided_then_it_counts(load_referral: Load) -> None:
    # plan level (30) counts when nothing more specific answers for a part
    referral = _with_drug(load_referral("01-ppo-deductible-coinsurance.json"), "SBX99", "J3262")
    decision = decide_prior_auth(referral, benefits_with((("30",), True)), terms=IN_NETWORK)
    assert decision.required and "eligibility response says" in decision.reasons[0]
    assert "the drug: EB11=Y on service type 30 (plan level)" in decision.audit


def test_given_ndc_only_when_policy_lists_ndc_then_policy_applies(load_referral: Load) -> None:
    referral = load_referral("01-ppo-deductible-coinsurance.json")
    therapy = {**referral.therapy.model_dump(), "hcpcs": None, "ndc": "57894-0030-01"}
    referral = referral.model_copy(update={"therapy": Therapy.model_validate(therapy)})
    decision = decide_prior_auth(referral, benefits_with((("42",), False)))
    assert decision.required and "57894003001" in decision.reasons[0]
