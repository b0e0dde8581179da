"""Fixtures for the estimate tests: the round-number contract and the sandbox payer's 271s."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest

from intake.estimate import Contracts
from intake.models.referral import Sex
from intake.x12.control_numbers import SequentialControlNumbers
from intake.x12.t270 import EligibilityInquiry, SubscriberInfo, build_270
from intake_local.sandbox.payer import SandboxPayer
from tests.unit.estimate.builders import round_contracts

Sandbox271 = Callable[[str, str], str]


@pytest.fixture
def contracts() -> Contracts:
    return round_contracts()


@pytest.fixture
def sandbox_271() -> Sandbox271:
    """The sandbox payer's 271 for a member (payer id, member id), as of 2026-01-05."""
    payer = SandboxPayer(
        control_numbers=SequentialControlNumbers(), clock=lambda: datetime(2026, 1, 5, 9, 30)
    )

    def answer(payer_id: str, member_id: str) -> str:
        inquiry = EligibilityInquiry(
            payer_name="Sandbox",
            payer_id=payer_id,
            provider_name="Sample Home Infusion",
            provider_npi="1234567893",
            subscriber=SubscriberInfo(
                first_name="X",
                last_name="Y",
                dob=date(1970, 1, 1),
                sex=Sex.FEMALE,
                member_id=member_id,
            ),
            service_date=date(2026, 2, 1),
            trace_number="TR-1",
        )
        return payer.respond_270(build_270(inquiry)).x12

    return answer
