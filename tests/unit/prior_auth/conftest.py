"""Sample referrals, a pharmacy and benefit summaries for the prior-authorization tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from intake.authorization.packet import Pharmacy
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
