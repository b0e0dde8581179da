"""Sandbox payer: a 270 from our builder, answered, parsed and interpreted per scenario."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

import pytest

from intake.eligibility.benefits.interpret import interpret_271
from intake.models.benefits import BenefitsSummary, CoverageStatus, ExpectedPatient
from intake.models.referral import Relationship, Sex
from intake.x12.control_numbers import SequentialControlNumbers
from intake.x12.envelope import parse_interchange
from intake.x12.errors import X12Error
from intake.x12.t270 import DependentInfo, EligibilityInquiry, SubscriberInfo, build_270
from intake_local.samples.sandbox_family import LUCAS_MARTINEZ
from intake_local.sandbox.payer import SandboxCatalog, SandboxPayer

NOW = datetime(2026, 1, 5, 9, 30)
Ask = Callable[..., BenefitsSummary]


@pytest.fixture
def payer() -> SandboxPayer:
    return SandboxPayer(control_numbers=SequentialControlNumbers(), clock=lambda: NOW)


def _inquiry(
    payer_id: str,
    member_id: str,
    *,
    first: str = "X",
    last: str = "Y",
    dob: date = date(1970, 1, 1),
    dependent: DependentInfo | None = None,
    npi: str = "1234567893",
) -> EligibilityInquiry:
    return EligibilityInquiry(
        payer_name="Sandbox",
        payer_id=payer_id,
        provider_name="Sample Home Infusion",
        provider_npi=npi,
        subscriber=SubscriberInfo(
            first_name=first, last_name=last, dob=dob, sex=Sex.FEMALE, member_id=member_id
        ),
        dependent=dependent,
        service_date=date(2026, 2, 1),
        trace_number="TR-1",
    )


@pytest.fixture
def ask(payer: SandboxPayer) -> Ask:
    def _ask(payer_id: str, member_id: str, **kw: object) -> BenefitsSummary:
        text = build_270(
            _inquiry(payer_id, member_id, **kw),  # type: ignore[arg-type]
            control_numbers=SequentialControlNumbers(),
            now=NOW,
        )
        reply = payer.respond_270(text)
        parse_interchange(reply.x12, strict=True)  # counts and control numbers all right
        [summary] = interpret_271(reply.x12)
        return summary

    return _ask


def test_given_ppo_family_subscriber_then_accumulators_coinsurance_and_limits(ask: Ask) -> None:
    s = ask("SBX01", "SBP000000101")
    assert s.status is CoverageStatus.ACTIVE
    assert s.payer.id == "SBX01" and s.plan.group_number == "SBXGRP100"
    d, oop = s.summary.deductible, s.summary.out_of_pocket
    assert (d.in_network.individual.total, d.in_network.individual.remaining) == (
        Decimal("1500.00"),
        Decimal("1200.50"),
    )
    assert (d.out_of_network.family.total, d.out_of_network.family.remaining) == (
        Decimal("6000.00"),
        Decimal("6000.00"),
    )
    assert (oop.in_network.family.total, oop.in_network.family.remaining) == (
        Decimal("10000.00"),
        Decimal("8200.00"),
    )
    assert (s.coinsurance.in_network, s.coinsurance.out_of_network) == (
        Decimal("0.1"),
        Decimal("0.4"),
    )
    assert s.auth_required is False
    assert [v.quantity for v in s.visit_limits] == [Decimal("60"), Decimal("48")]
    assert (s.plan.begin, s.plan.end) == (date(2026, 1, 1), date(2026, 12, 31))
    assert s.trace_numbers == ("TR-1",)


def test_given_ppo_dependent_then_hl23_answer_for_the_child(ask: Ask) -> None:
    s = ask("SBX01", "SBP000000101", dependent=LUCAS_MARTINEZ)
    assert s.is_dependent and s.status is CoverageStatus.ACTIVE
    assert (s.patient.first_name, s.subscriber.first_name) == ("LUCAS", "AVA")
    assert s.relationship == "19"


def test_given_unknown_dependent_then_rejected_67_at_2100d(ask: Ask) -> None:
    stranger = DependentInfo(
        first_name="Zoe",
        last_name="Martinez",
        dob=date(2015, 1, 1),
        relationship=Relationship.CHILD,
    )
    s = ask("SBX01", "SBP000000101", dependent=stranger)
    assert s.status is CoverageStatus.REJECTED
    assert [(r.code, r.loop) for r in s.rejections] == [("67", "2100D")]


def test_given_hmo_then_copays_pcp_and_visit_limit(ask: Ask) -> None:
    s = ask("SBX02", "SBH000000201")
    assert s.plan.insurance_type == "HM"
    assert s.copay.in_network == Decimal("0.00")  # home health copay beats plan-level 25.00
    assert s.copay.out_of_network is None
    [limit] = s.visit_limits
    assert (limit.quantity_qualifier, limit.quantity, limit.service_types) == (
        "VS",
        Decimal("30"),
        ("44",),
    )
    pcp = next(b for b in s.benefits if b.code == "L")
    assert pcp.related_entities[0].name == "ELENA RIVERA"


def test_given_medicare_advantage_and_medicaid_then_insurance_types(ask: Ask) -> None:
    ma = ask("SBX03", "SBM000000301")
    assert (ma.status, ma.plan.insurance_type) == (CoverageStatus.ACTIVE, "HN")
    assert ma.summary.deductible.in_network.individual.total == Decimal("0.00")
    assert ma.summary.out_of_pocket.in_network.individual.remaining == Decimal("6100.00")
    assert ma.coinsurance.in_network == Decimal("0.2")
    mcd = ask("SBX04", "SBC000000401")
    assert (mcd.status, mcd.plan.insurance_type, mcd.copay.in_network) == (
        CoverageStatus.ACTIVE,
        "MC",
        Decimal("0.00"),
    )


def test_given_inactive_policy_then_inactive_with_end_date(ask: Ask) -> None:
    s = ask("SBX01", "SBP000000103")
    assert s.status is CoverageStatus.INACTIVE
    assert s.plan.end == date(2025, 3, 31)


def test_given_auth_plan_then_auth_required_with_messages(ask: Ask) -> None:
    s = ask("SBX01", "SBP000000102")
    assert s.auth_required is True
    assert "PRIOR AUTHORIZATION REQUIRED FOR HOME INFUSION THERAPY" in s.messages


@pytest.mark.parametrize(
    ("payer_id", "member_id", "code", "loop"),
    [
        ("SBX01", "SBP999999999", "75", "2100C"),
        ("SBX01", "SBP12345", "72", "2100C"),
        ("SBX99", "SBP000000101", "79", "2100A"),
    ],
)
def test_given_bad_member_or_payer_then_rejected_at_the_right_loop(
    ask: Ask, payer_id: str, member_id: str, code: str, loop: str
) -> None:
    s = ask(payer_id, member_id)
    assert s.status is CoverageStatus.REJECTED
    assert [(r.code, r.loop) for r in s.rejections] == [(code, loop)]


def test_given_flaky_member_then_42_twice_then_success(ask: Ask, payer: SandboxPayer) -> None:
    first, second, third = (ask("SBX01", "SBP000000104") for _ in range(3))
    assert [(r.code, r.loop, r.follow_up) for r in first.rejections] == [("42", "2100A", "R")]
    assert second.status is CoverageStatus.REJECTED
    assert third.status is CoverageStatus.ACTIVE
    payer.reset()
    assert ask("SBX01", "SBP000000104").status is CoverageStatus.REJECTED


def test_given_concurrent_flaky_inquiries_then_exactly_n_rejections(payer: SandboxPayer) -> None:
    text = build_270(_inquiry("SBX01", "SBP000000104"), now=NOW)
    results: list[str] = []
    lock = threading.Lock()

    def call() -> None:
        status = interpret_271(payer.respond_270(text).x12)[0].status.value
        with lock:
            results.append(status)

    threads = [threading.Thread(target=call) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results).count("rejected") == 2


def test_given_slow_payer_then_delay_from_catalog_or_override(payer: SandboxPayer) -> None:
    text = build_270(_inquiry("SBX05", "SBS000000501"), now=NOW)
    assert payer.respond_270(text).delay_seconds == 2.5
    fast = SandboxPayer(delays={"SBX05": 0.01})
    assert fast.respond_270(text).delay_seconds == 0.01
    assert payer.respond_270(build_270(_inquiry("SBX02", "SBH000000201"))).delay_seconds == 0


def test_given_referral_with_other_name_then_mismatch_flagged(payer: SandboxPayer) -> None:
    text = build_270(
        _inquiry("SBX01", "SBP000000105", first="Bob", last="Johnson", dob=date(1949, 4, 15)),
        now=NOW,
    )
    expected = ExpectedPatient(first_name="Bob", last_name="Johnson", dob=date(1949, 4, 15))
    [s] = interpret_271(payer.respond_270(text).x12, expected=expected)
    assert s.mismatches == ("first_name", "dob")
    assert s.subscriber.first_name == "ROBERT"


def test_given_provider_without_npi_then_rejected_43_at_2100b(
    payer: SandboxPayer, shared_x12_270: str
) -> None:
    # Given a known payer but a provider identified by SV (not an XX NPI)
    text = shared_x12_270.replace("PI*842610001", "PI*SBX01")
    [s] = interpret_271(payer.respond_270(text).x12)
    assert [(r.code, r.loop) for r in s.rejections] == [("43", "2100B")]


def test_given_garbage_then_x12_error(payer: SandboxPayer) -> None:
    with pytest.raises(X12Error):
        payer.respond_270("not x12")


def test_given_catalog_then_every_scenario_is_there() -> None:
    catalog = SandboxCatalog.load()
    scenarios = {m.scenario for m in catalog.members} | {
        s.scenario for s in catalog.scenarios_without_member
    }
    assert scenarios >= {
        "ppo_family",
        "auth_required",
        "inactive",
        "payer_unavailable_then_ok",
        "demographics_mismatch",
        "hmo_copay",
        "medicare_advantage",
        "medicaid",
        "slow_payer",
        "member_not_found",
        "invalid_member_id",
    }
