"""The real SandboxPayer behind the sandbox clearinghouse, reached through CoreSoapGateway.

Wires the pieces as the local stack will: a real 270 (intake.x12 builder), CORE SOAP over HTTP,
the catalog-driven payer, and an AAA 42 retry predicate reading the 271 with intake.x12.
"""

from __future__ import annotations

from datetime import date

import pytest

from intake.clearinghouse import PayloadType
from intake.eligibility.service import payer_says_retry
from intake.x12.t270.build import build_270
from intake.x12.t270.inquiry import EligibilityInquiry, SubscriberInfo
from intake_local.sandbox.payer import SandboxPayer
from intake_local.sandbox.server import SandboxClearinghouse
from tests.integration.clearinghouse.clearinghouse_doubles import (
    GatewayFactory,
    MemoryAudit,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def payer() -> SandboxPayer:
    """The real catalog-driven payer behind the conftest's ``sandbox`` (not the scripted one)."""
    return SandboxPayer()


def _inquiry_270(payer: SandboxPayer, scenario: str) -> str:
    member = next(m for m in payer.catalog.members if m.scenario == scenario)
    inquiry = EligibilityInquiry(
        payer_name=payer.catalog.payers[member.payer_id].name,
        payer_id=member.payer_id,
        provider_name="SANDBOX HOME INFUSION",
        provider_npi="1234567893",
        subscriber=SubscriberInfo(
            first_name=member.first_name,
            last_name=member.last_name,
            dob=member.dob,
            member_id=member.member_id,
        ),
        service_date=date(2026, 11, 22),
        trace_number=f"trace-{scenario.replace('_', '-')}",
    )
    return build_270(inquiry)


def test_payer_busy_twice_then_answers(
    make_gateway: GatewayFactory,
    payer: SandboxPayer,
    sandbox: SandboxClearinghouse,
    audit: MemoryAudit,
) -> None:
    # Given the catalog member whose payer answers AAA 42 to the first two inquiries
    x12_270 = _inquiry_270(payer, "payer_unavailable_then_ok")
    gateway = make_gateway(endpoint_url=sandbox.url, max_attempts=3, retry_payload=payer_says_retry)
    # When the 270 goes through the clearinghouse
    reply = gateway.check_eligibility(x12_270, correlation_id="ref-sandbox-payer")
    # Then the gateway retried past both busy answers and got a real, rejection-free 271
    assert reply.attempts == 3
    assert reply.payload_type == PayloadType.X12_271_RESPONSE
    assert not payer_says_retry(reply.x12)
    assert sandbox.request_count == 3
    assert audit.kinds() == ["270", "271"]
