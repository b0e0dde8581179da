"""When the benefits check hands over to discovery, and when it must not."""

from __future__ import annotations

from datetime import UTC, date, datetime

from intake.discovery.profiles import ProfilePayers
from intake.discovery.service import CoverageDiscovery
from intake.eligibility.service import BenefitsCheck
from tests.unit.discovery.fakes import REFERRAL_ID, RecordStore, SandboxGateway, sample

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def check(store: RecordStore, gateway: SandboxGateway) -> BenefitsCheck:
    discovery = CoverageDiscovery(
        store,  # type: ignore[arg-type]
        gateway,  # type: ignore[arg-type]
        ProfilePayers(),
        "Sample",
        "1234567893",
        budget=3,
        clock=lambda: NOW,
    )
    return BenefitsCheck(store, gateway, "Sample", "1234567893", lambda: NOW, discovery)  # type: ignore[arg-type]


def test_the_cards_payer_not_finding_the_member_at_intake_asks_the_other_payers() -> None:
    """Given sample 11 (SBX01 answers AAA 75 to the card), When intake checks benefits, Then
    discovery asks the next three payers (SBX01 excluded) and opens coverage_not_found."""
    store, gateway = RecordStore(sample("11-member-not-found.json")), SandboxGateway()
    outcome = check(store, gateway).run(REFERRAL_ID)
    assert gateway.payers_asked == ["SBX01", "SBX02", "SBX03", "SBX04"]
    assert outcome.outcome == "coverage_not_found"
    assert outcome.task is not None and outcome.task.task_type == "coverage_not_found"


def test_a_pre_dose_check_never_runs_discovery() -> None:
    """Given the same answer on a pre-dose check (service_day set), Then no paid discovery
    inquiry is sent: a course's coverage change is the dose check's to handle."""
    store, gateway = RecordStore(sample("11-member-not-found.json")), SandboxGateway()
    outcome = check(store, gateway).run(REFERRAL_ID, service_day=date(2026, 12, 20))
    assert gateway.payers_asked == ["SBX01"]
    assert outcome.outcome == "verify_insurance"


def test_a_wrong_member_id_is_fixed_by_a_person_not_searched_for() -> None:
    """Given AAA 72 on the card (sample 12), Then verify_insurance and no other payer asked."""
    store, gateway = RecordStore(sample("12-invalid-member-id.json")), SandboxGateway()
    outcome = check(store, gateway).run(REFERRAL_ID)
    assert gateway.payers_asked == ["SBX01"] and outcome.outcome == "verify_insurance"
