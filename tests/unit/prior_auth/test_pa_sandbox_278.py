"""The sandbox payer answers 278s: certified, denied, pended then decided by status inquiry."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import pytest

from intake.authorization.packet import Pharmacy, status_inquiry
from intake.models.referral import Referral
from intake.x12.control_numbers import SequentialControlNumbers
from intake.x12.t278 import AuthDecision, build_278_inquiry, interpret_278_response
from intake_local.sandbox.payer import PriorAuthRule, SandboxCatalog, SandboxPayer
from tests.unit.prior_auth.conftest import NOW, packet_for

Load = Callable[[str], Referral]
START = date(2026, 3, 1)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def payer(clock: Clock) -> SandboxPayer:
    return SandboxPayer(control_numbers=SequentialControlNumbers(), clock=clock)


@dataclass(frozen=True)
class Desk:
    """The pharmacy's side of the exchange: sample members sent to ``payer`` as 278 requests,
    then asked about with 278 status inquiries (trace PAQ<n>)."""

    payer: SandboxPayer
    load: Load
    pharmacy: Pharmacy

    def member(self, sample: str | Referral, member_id: str, payer_id: str = "SBX01") -> Referral:
        referral = self.load(sample) if isinstance(sample, str) else sample
        insurance = referral.insurance.model_copy(
            update={"member_id": member_id, "payer_id": payer_id}
        )
        therapy = referral.therapy.model_copy(update={"start_date": START})
        return referral.model_copy(update={"insurance": insurance, "therapy": therapy})

    def submit(self, referral: Referral, trace: str = "PATRACE001") -> AuthDecision:
        packet = packet_for(referral, self.pharmacy, trace_number=trace)
        return interpret_278_response(self.payer.respond_278(packet.x12_278).x12)

    def ask(self, referral: Referral, first: AuthDecision, n: int = 1) -> AuthDecision:
        inquiry = status_inquiry(
            referral,
            self.pharmacy,
            trace_number=f"PAQ{n}",
            original_trace=first.trace_numbers[0],
            event_start=START,
            review_number=first.review_number or "",
        )
        return interpret_278_response(self.payer.respond_278(build_278_inquiry(inquiry)).x12)


@pytest.fixture
def desk(payer: SandboxPayer, load_referral: Load, pharmacy: Pharmacy) -> Desk:
    return Desk(payer, load_referral, pharmacy)


def test_given_auth_required_member_when_submitted_then_pended_then_certified(desk: Desk) -> None:
    # Given NOAH CHEN (pended, certified on the 2nd status inquiry)
    referral = desk.member("03-auth-required-chinese.json", "SBP000000102")
    # When the request is sent, then asked about twice
    first = desk.submit(referral)
    second = desk.ask(referral, first, 1)
    third = desk.ask(referral, first, 2)
    # Then
    assert first.status == "pended" and first.review_number
    assert first.trace_numbers == ("PATRACE001",)
    assert second.status == "pended"
    assert third.status == "certified" and third.certification_number
    assert (third.effective_from, third.effective_to) == (START, date(2026, 8, 31))
    assert desk.ask(referral, first, 3) == third  # decided stays decided


def test_given_denied_member_when_submitted_then_a3_with_reason(desk: Desk) -> None:
    decision = desk.submit(desk.member("01-ppo-deductible-coinsurance.json", "SBP000000106"))
    assert decision.status == "denied" and decision.action_code == "A3"
    assert decision.reason_code == "0C" and decision.reason == "Authorization/access restrictions"


def test_given_certified_member_when_submitted_then_a1_immediately(desk: Desk) -> None:
    referral = desk.member("01-ppo-deductible-coinsurance.json", "SBP000000107")
    decision = desk.submit(referral)
    again = desk.submit(referral)
    assert decision.status == "certified" and decision.certification_number
    assert decision.effective_from == START and decision.effective_to == date(2027, 2, 28)
    assert again.certification_number == decision.certification_number  # deterministic


def test_given_drug_rule_when_pended_then_denied_on_first_inquiry(desk: Desk) -> None:
    referral = desk.member("02-hmo-copay-spanish.json", "SBH000000201", "SBX02")
    first = desk.submit(referral)
    later = desk.ask(referral, first)
    assert first.status == "pended"
    assert later.status == "denied" and later.reason == "Out of network"


def test_given_delay_rule_when_time_passes_then_decided(desk: Desk, clock: Clock) -> None:
    base = SandboxCatalog.load()
    rule = PriorAuthRule(
        payer_id="SBX01",
        outcome="pended",
        then="certified",
        decide_after_inquiries=99,
        decide_after_seconds=600,
    )
    payer = SandboxPayer(base.model_copy(update={"prior_auth_rules": (rule,)}), clock=clock)
    slow = replace(desk, payer=payer)
    referral = slow.member("01-ppo-deductible-coinsurance.json", "SBXPPO1234")
    first = slow.submit(referral)
    assert slow.ask(referral, first).status == "pended"
    clock.now += timedelta(seconds=601)
    assert slow.ask(referral, first).status == "certified"


def test_given_unknown_member_or_request_when_asked_then_rejected(desk: Desk) -> None:
    referral = desk.member("01-ppo-deductible-coinsurance.json", "SBP999999999")
    missing = desk.submit(referral)
    assert missing.status == "rejected" and missing.reason_code == "75"
    known = desk.member(referral, "SBP000000107")
    never_sent = AuthDecision(status="pended", trace_numbers=("NOSUCHTRACE",))
    assert desk.ask(known, never_sent).status == "rejected"


def test_given_concurrent_inquiries_when_counted_then_decided_exactly_once(desk: Desk) -> None:
    referral = desk.member("03-auth-required-chinese.json", "SBP000000102")
    first = desk.submit(referral)
    results: list[str] = []
    lock = threading.Lock()

    def ask(n: int) -> None:
        status = desk.ask(referral, first, n).status
        with lock:
            results.append(status)

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["certified"] * 7 + ["pended"]
