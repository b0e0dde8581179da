"""Sample referrals, a pharmacy and benefit summaries for the prior-authorization tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest

from intake.authorization.packet import Packet, Pharmacy, build_packet, decide_prior_auth
from intake.models.benefits import BenefitLine, BenefitsSummary, CoverageStatus, Party
from intake.models.referral import Referral

PROJECT_ROOT = Path(__file__).resolve().parents[3]
EVENTS = PROJECT_ROOT / "events" / "referrals"
NOW = datetime(2026, 2, 2, 9, 30)


@pytest.fixture
def load_referral() -> Callable[[str], Referral]:
    def load(name: str) -> Referral:
        return Referral.model_validate_json((EVENTS / name).read_text(encoding="utf-8"))

    return load


@pytest.fixture
def pharmacy() -> Pharmacy:
    return Pharmacy(
        name="Sandbox Home Infusion Pharmacy",
        npi="1881000008",
        phone="312-555-0150",
        fax="312-555-0151",
        contact_name="Intake Desk",
    )


def benefits_with(*auth: tuple[tuple[str, ...], bool | None]) -> BenefitsSummary:
    """An active summary whose EB lines carry the given (service types, EB11) pairs."""
    lines = tuple(
        BenefitLine(code="1", service_types=types, auth_required=flag) for types, flag in auth
    )
    return BenefitsSummary(
        status=CoverageStatus.ACTIVE, payer=Party(name="SANDBOX"), benefits=lines
    )


def packet_for(
    referral: Referral,
    pharmacy: Pharmacy,
    benefits: BenefitsSummary | None = None,
    *,
    original_document: bytes | None = None,
    original_name: str = "-",
    now: datetime = NOW,
    trace_number: str | None = None,
    received_on: date | None = None,
    start: date | None = None,
    signed_letter: bytes | None = None,
) -> Packet:
    """The packet for ``referral`` as the service builds it: the prior-auth decision taken on
    ``benefits`` (default: an active summary with no EB11 flag), then ``build_packet``."""
    summary = benefits_with() if benefits is None else benefits
    return build_packet(
        referral,
        summary,
        decide_prior_auth(referral, summary),
        pharmacy=pharmacy,
        original_document=original_document,
        original_name=original_name,
        now=now,
        trace_number=trace_number,
        received_on=received_on,
        start=start,
        signed_letter=signed_letter,
    )
