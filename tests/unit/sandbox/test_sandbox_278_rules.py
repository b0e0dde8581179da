"""The sandbox payer's 278 rules through its HTTP server (CORE SOAP, as the pipeline sends them):
partial (A2), modified (A6), denied then certified on appeal, denied for self-pay, denied out of
network, and cancelled."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import pytest
import requests

from intake.authorization.packet import Pharmacy, status_inquiry
from intake.clearinghouse import CoreSoapGateway, CoreSoapSettings, StaticCredentials
from intake.models.referral import Referral
from intake.x12.control_numbers import SequentialControlNumbers
from intake.x12.t278 import (
    AuthDecision,
    build_278_appeal,
    build_278_inquiry,
    interpret_278_response,
)
from intake_local.sandbox.payer import PriorAuthRule, SandboxCatalog, SandboxPayer
from intake_local.sandbox.server import SandboxAccount, SandboxClearinghouse
from tests.integration.clearinghouse.clearinghouse_doubles import (
    PASSWORD,
    SENDER_ID,
    USERNAME,
    MemoryAudit,
    credentials,
)
from tests.unit.prior_auth.conftest import EVENTS, NOW, benefits_with
from tests.unit.x12.pa_packets import packet_for

START = date(2026, 3, 1)
Submit = Callable[[str], str]


@pytest.fixture
def referral() -> Referral:
    return Referral.model_validate_json(
        (EVENTS / "03-auth-required-chinese.json").read_text(encoding="utf-8")
    )


@pytest.fixture
def pharmacy() -> Pharmacy:
    return Pharmacy(
        name="Sandbox Home Infusion", npi="1881000008", phone="312-555-0150", fax="312-555-0151"
    )


def _serve(payer: SandboxPayer) -> Iterator[Submit]:
    account = SandboxAccount(username=USERNAME, password=PASSWORD, sender_id=SENDER_ID)
    with SandboxClearinghouse(payer, [account]) as server:
        session = requests.Session()
        session.trust_env = False
        gateway = CoreSoapGateway(
            CoreSoapSettings(endpoint_url=server.url, read_timeout_s=5.0, max_attempts=1),
            StaticCredentials(credentials()),
            MemoryAudit(),
            session=session,
        )
        yield lambda x12: gateway.submit_prior_auth(x12, correlation_id="sandbox-278").x12
        gateway.close()


@pytest.fixture
def submit() -> Iterator[Submit]:
    yield from _serve(SandboxPayer(control_numbers=SequentialControlNumbers(), clock=lambda: NOW))


def _for(referral: Referral, member_id: str) -> Referral:
    return referral.model_copy(
        update={
            "insurance": referral.insurance.model_copy(update={"member_id": member_id}),
            "therapy": referral.therapy.model_copy(update={"start_date": START}),
        }
    )


def _request(referral: Referral, pharmacy: Pharmacy, trace: str = "PATRACE001") -> str:
    return packet_for(referral, benefits_with(), pharmacy, now=NOW, trace_number=trace).x12_278


def _inquire(
    submit: Submit, referral: Referral, pharmacy: Pharmacy, trace: str, review: str
) -> AuthDecision:
    inquiry = status_inquiry(
        referral,
        pharmacy,
        trace_number=trace + "Q1",
        original_trace=trace,
        event_start=START,
        review_number=review,
    )
    return interpret_278_response(submit(build_278_inquiry(inquiry, now=NOW)))


def test_given_partial_member_when_submitted_then_drug_and_per_diem_certified_nursing_not(
    submit: Submit, referral: Referral, pharmacy: Pharmacy
) -> None:
    # Given SBP000000108 (partial rule) / When the 278 goes through the sandbox
    decision = interpret_278_response(submit(_request(_for(referral, "SBP000000108"), pharmacy)))
    # Then the answer is partial: drug and per diem A1 with their units, nursing A3 with none
    assert (decision.status, decision.action_code) == ("partial", "A2")
    by_code = {ln.procedure_code: ln for ln in decision.lines}
    nursing = [ln for code, ln in by_code.items() if code.startswith("996")]
    others = [ln for code, ln in by_code.items() if not code.startswith("996")]
    assert nursing and all(ln.status == "denied" and ln.approved_units == 0 for ln in nursing)
    assert {ln.procedure_code for ln in others} >= {"J1569", "S9338"}
    assert all(ln.status == "certified" for ln in others)
    assert all(ln.approved_units == ln.requested_units for ln in others)
    assert decision.certification_number and decision.effective_from == START


def test_given_modified_member_when_submitted_then_half_the_drug_for_six_months(
    submit: Submit, referral: Referral, pharmacy: Pharmacy
) -> None:
    decision = interpret_278_response(submit(_request(_for(referral, "SBP000000109"), pharmacy)))
    assert (decision.status, decision.action_code) == ("modified", "A6")
    drug, *rest = decision.lines
    assert drug.procedure_code == "J1569" and drug.status == "modified"
    assert drug.requested_units is not None and drug.approved_units is not None
    assert drug.approved_units == int(drug.requested_units / 2)
    assert (drug.effective_from, drug.effective_to) == (START, date(2026, 8, 31))
    assert (decision.effective_from, decision.effective_to) == (START, date(2026, 8, 31))
    assert all(ln.status == "certified" and ln.approved_units == ln.requested_units for ln in rest)


def test_given_appealable_denial_when_appealed_then_pended_then_certified_on_inquiry(
    submit: Submit, referral: Referral, pharmacy: Pharmacy
) -> None:
    # Given SBP000000110 denied for medical necessity
    member = _for(referral, "SBP000000110")
    original = _request(member, pharmacy)
    denial = interpret_278_response(submit(original))
    assert denial.status == "denied" and denial.review_number
    assert all(ln.status == "denied" for ln in denial.lines)
    # When the appeal (UM02 2) is sent for that review
    appeal = build_278_appeal(
        original, review_number=denial.review_number, trace_number="PATRACE001A", now=NOW
    )
    pended = interpret_278_response(submit(appeal))
    # Then it is pended, and certified on the first status inquiry after it
    assert pended.status == "pended" and pended.trace_numbers == ("PATRACE001A",)
    assert pended.review_number
    decided = _inquire(submit, member, pharmacy, "PATRACE001A", pended.review_number)
    assert decided.status == "certified" and decided.certification_number


def test_given_self_pay_member_when_submitted_then_denied_medical_necessity(
    submit: Submit, referral: Referral, pharmacy: Pharmacy
) -> None:
    member = _for(referral, "SBP000000111")
    denial = interpret_278_response(submit(_request(member, pharmacy)))
    assert denial.status == "denied" and denial.reason_code is None
    assert any("NOT MEDICALLY NECESSARY" in m for m in denial.messages)
    # An appeal without an appeal rule is answered as the rule itself: denied again
    appeal = build_278_appeal(
        _request(member, pharmacy),
        review_number=denial.review_number or "",
        trace_number="A2",
        now=NOW,
    )
    assert interpret_278_response(submit(appeal)).status == "denied"


def test_given_out_of_network_member_when_submitted_then_denied_reason_09(
    submit: Submit, referral: Referral, pharmacy: Pharmacy
) -> None:
    denial = interpret_278_response(submit(_request(_for(referral, "SBP000000112"), pharmacy)))
    assert (denial.status, denial.reason_code, denial.reason) == ("denied", "09", "Out of network")


def test_given_cancel_rule_when_submitted_then_cancelled(
    referral: Referral, pharmacy: Pharmacy
) -> None:
    # Given a catalog whose rule cancels requests for one member
    catalog = SandboxCatalog.load()
    rule = PriorAuthRule(
        payer_id="SBX01", member_id="SBP000000107", outcome="cancelled", reason_code="07"
    )
    catalog = catalog.model_copy(update={"prior_auth_rules": (rule, *catalog.prior_auth_rules)})
    payer = SandboxPayer(catalog, control_numbers=SequentialControlNumbers(), clock=lambda: NOW)
    for submit in _serve(payer):
        # When the member's request is sent
        decision = interpret_278_response(
            submit(_request(_for(referral, "SBP000000107"), pharmacy))
        )
        # Then it is cancelled (C), administrative cancellation
        assert (decision.status, decision.action_code, decision.reason_code) == (
            "cancelled",
            "C",
            "07",
        )
        assert all(ln.status == "cancelled" and ln.approved_units == 0 for ln in decision.lines)
