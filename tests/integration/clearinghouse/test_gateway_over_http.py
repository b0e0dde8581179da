"""CoreSoapGateway against the sandbox clearinghouse over real HTTP on 127.0.0.1."""

from __future__ import annotations

import pytest

from intake.clearinghouse import (
    ClearinghouseGateway,
    ClearinghouseRejected,
    ClearinghouseUnavailable,
    PayloadType,
)
from intake_local.sandbox.server import SandboxClearinghouse
from tests.integration.clearinghouse.clearinghouse_doubles import (
    X12_270,
    X12_271,
    CountingCredentials,
    GatewayFactory,
    MemoryAudit,
    Reply,
    ScriptedPayer,
    credentials,
)

pytestmark = pytest.mark.integration

RETRY_LATER = "AAA*N**42*Y~"


def test_eligibility_succeeds_first_time(
    make_gateway: GatewayFactory, payer: ScriptedPayer, sandbox: SandboxClearinghouse
) -> None:
    # Given a healthy payer (and the SOAP transport standing in for the Protocol)
    gateway: ClearinghouseGateway = make_gateway()
    # When a 270 is sent
    reply = gateway.check_eligibility(X12_270, correlation_id="ref-1")
    # Then the payer saw the exact 270 and its 271 comes back on the first attempt
    assert payer.received == [X12_270]
    assert reply.x12 == X12_271
    assert reply.payload_type == PayloadType.X12_271_RESPONSE
    assert reply.attempts == 1
    assert reply.elapsed_ms >= 0
    assert sandbox.request_count == 1


def test_read_timeout_then_retry_succeeds(
    make_gateway: GatewayFactory, payer: ScriptedPayer, sandbox: SandboxClearinghouse
) -> None:
    # Given a payer slower than the client's read timeout once, then prompt
    payer.script = [Reply(X12_271, delay_seconds=0.6)]
    gateway = make_gateway(read_timeout_s=0.2)
    # When a 270 is sent
    reply = gateway.check_eligibility(X12_270, correlation_id="ref-timeout")
    # Then the first attempt timed out and the second succeeded
    assert reply.attempts == 2
    assert reply.x12 == X12_271
    assert sandbox.request_count == 2


def test_503_then_success(make_gateway: GatewayFactory, sandbox: SandboxClearinghouse) -> None:
    # Given the clearinghouse fails the next request with 503
    sandbox.fail_next(1)
    # When a 270 is sent
    reply = make_gateway().check_eligibility(X12_270, correlation_id="ref-503")
    # Then it is retried and succeeds
    assert reply.attempts == 2
    assert sandbox.request_count == 2


def test_retries_exhausted_raise_unavailable(
    make_gateway: GatewayFactory, sandbox: SandboxClearinghouse, audit: MemoryAudit
) -> None:
    # Given a clearinghouse that keeps failing with 502
    sandbox.fail_next(10, status=502)
    # When a 270 is sent with three attempts allowed
    with pytest.raises(ClearinghouseUnavailable) as caught:
        make_gateway(max_attempts=3).check_eligibility(X12_270, correlation_id="ref-down")
    # Then every attempt was made and counted, and no response was audited
    assert caught.value.attempts == 3
    assert caught.value.last_reason == "http_502"
    assert caught.value.correlation_id == "ref-down"
    assert sandbox.request_count == 3
    assert audit.kinds() == ["270"]


def test_deadline_bounds_retries(
    make_gateway: GatewayFactory, payer: ScriptedPayer, sandbox: SandboxClearinghouse
) -> None:
    # Given a payer that is always too slow and a 0.5 s overall deadline
    payer.default = Reply(X12_271, delay_seconds=1.0)
    gateway = make_gateway(read_timeout_s=0.2, max_attempts=10, deadline_s=0.5)
    # When a 270 is sent
    with pytest.raises(ClearinghouseUnavailable) as caught:
        gateway.check_eligibility(X12_270, correlation_id="ref-deadline")
    # Then the deadline, not max_attempts, ended it: each attempt waits at least its 0.2 s read
    # timeout, so at most three fit in 0.5 s however slow the machine is
    assert caught.value.attempts <= 3
    assert caught.value.last_reason == "timeout"


def test_unauthorized_is_not_retried(
    make_gateway: GatewayFactory, sandbox: SandboxClearinghouse, payer: ScriptedPayer
) -> None:
    # Given a wrong password
    provider = CountingCredentials(credentials(password="wrong"))
    # When a 270 is sent
    with pytest.raises(ClearinghouseRejected) as caught:
        make_gateway(provider=provider).check_eligibility(X12_270, correlation_id="ref-401")
    # Then it fails once with Unauthorized, the payer is never reached,
    # and cached credentials are dropped so a rotated secret is re-read next time
    assert caught.value.error_code == "Unauthorized"
    assert caught.value.http_status == 401
    assert sandbox.request_count == 1
    assert payer.received == []
    assert provider.invalidations == 1


def test_sender_id_of_another_partner_is_rejected(
    make_gateway: GatewayFactory, sandbox: SandboxClearinghouse
) -> None:
    # Given valid login but a SenderID not assigned to it
    provider = CountingCredentials(credentials(sender_id="SOMEONEELSE"))
    # When a 270 is sent / Then it is rejected once, not retried
    with pytest.raises(ClearinghouseRejected) as caught:
        make_gateway(provider=provider).check_eligibility(X12_270, correlation_id="ref-403")
    assert caught.value.error_code == "SenderIDNotAuthorized"
    assert sandbox.request_count == 1
    assert provider.invalidations == 0


def test_payer_without_278_support_rejects_prior_auth(
    make_gateway: GatewayFactory, sandbox: SandboxClearinghouse
) -> None:
    # Given a payer that only answers 270s
    # When a 278 is submitted / Then PayloadTypeNotSupported comes back, without retries
    with pytest.raises(ClearinghouseRejected) as caught:
        make_gateway().submit_prior_auth("ST*278*0001~SE*2*0001~", correlation_id="ref-278")
    assert caught.value.error_code == "PayloadTypeNotSupported"
    assert sandbox.request_count == 1


def test_retry_payload_predicate_is_honoured(
    make_gateway: GatewayFactory, payer: ScriptedPayer, audit: MemoryAudit
) -> None:
    # Given a payer that first answers "unable to respond now" (AAA 42) inside a valid 271
    busy = X12_271.replace("SE*", RETRY_LATER + "SE*")
    payer.script = [Reply(busy)]
    gateway = make_gateway(retry_payload=lambda x12: RETRY_LATER in x12)
    # When a 270 is sent
    reply = gateway.check_eligibility(X12_270, correlation_id="ref-aaa42")
    # Then the busy answer was retried and the real 271 returned and audited
    assert reply.attempts == 2
    assert reply.x12 == X12_271
    assert audit.kept[-1][2:] == ("271", X12_271)


def test_retry_payload_exhausted_is_unavailable_and_last_271_is_audited(
    make_gateway: GatewayFactory, payer: ScriptedPayer, audit: MemoryAudit
) -> None:
    # Given a payer that is always busy
    busy = X12_271.replace("SE*", RETRY_LATER + "SE*")
    payer.default = Reply(busy)
    gateway = make_gateway(retry_payload=lambda x12: RETRY_LATER in x12, max_attempts=2)
    # When a 270 is sent
    with pytest.raises(ClearinghouseUnavailable) as caught:
        gateway.check_eligibility(X12_270, correlation_id="ref-busy")
    # Then it gives up as unavailable and still keeps what the payer said
    assert caught.value.attempts == 2
    assert caught.value.last_reason == "retry_payload"
    assert audit.kinds() == ["270", "271"]
    assert audit.kept[-1][3] == busy


def test_audit_receives_request_and_response(
    make_gateway: GatewayFactory, audit: MemoryAudit, sandbox: SandboxClearinghouse
) -> None:
    # Given a first attempt that fails with 503 (a retried exchange)
    sandbox.fail_next(1)
    # When a 270 is exchanged
    reply = make_gateway().check_eligibility(X12_270, correlation_id="ref-audit")
    # Then the sink got the 270 once and the final 271, grouped under one correlation/payload id
    assert audit.kept == [
        ("ref-audit", reply.payload_id, "270", X12_270),
        ("ref-audit", reply.payload_id, "271", X12_271),
    ]


def test_unsafe_correlation_id_is_refused_before_anything_is_sent(
    make_gateway: GatewayFactory, audit: MemoryAudit, sandbox: SandboxClearinghouse
) -> None:
    with pytest.raises(ValueError, match="correlation_id"):
        make_gateway().check_eligibility(X12_270, correlation_id="../other")
    assert audit.kept == []
    assert sandbox.request_count == 0
