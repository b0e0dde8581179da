"""The sandbox clearinghouse as a CORE endpoint: raw HTTP behaviour and payer plumbing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
import requests

from intake.clearinghouse import ClearinghouseUnavailable, PayloadType
from intake.clearinghouse.envelope import (
    SOAP_CONTENT_TYPE,
    CoreRequest,
    CoreResponse,
    SoapFault,
    UsernameToken,
    build_request,
    new_payload_id,
    parse_reply,
)
from intake_local.sandbox.server import SandboxAccount, SandboxClearinghouse
from tests.integration.clearinghouse.clearinghouse_doubles import (
    PASSWORD,
    SENDER_ID,
    USERNAME,
    X12_270,
    X12_271,
    GatewayFactory,
    Reply,
    ScriptedPayer,
)

pytestmark = pytest.mark.integration

X12_278 = "ISA*00*          *00*          *ZZ*HOMEINFUSION01~ST*278*0001*005010X217~SE*2*0001~"
X12_278_RESPONSE = "ISA*00*          *00*          *ZZ*SANDBOXCH~ST*278*0001*005010X217~SE*2*0001~"


@pytest.fixture
def http() -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    return session


def _post(
    http: requests.Session, url: str, body: bytes, content_type: str = SOAP_CONTENT_TYPE
) -> requests.Response:
    return http.post(url, data=body, headers={"Content-Type": content_type}, timeout=2)


def _request_body(*, payload_id: str | None = None, password: str = PASSWORD) -> bytes:
    request = CoreRequest(
        payload_type=PayloadType.X12_270_REQUEST,
        payload_id=payload_id or new_payload_id(),
        timestamp=datetime.now(UTC),
        sender_id=SENDER_ID,
        receiver_id="SANDBOXCH",
        payload=X12_270,
    )
    return build_request(request, UsernameToken(USERNAME, password))


def test_health(sandbox: SandboxClearinghouse, http: requests.Session) -> None:
    # Given a running sandbox / When its health is asked / Then it answers ok
    response = http.get(sandbox.health_url, timeout=2)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_success_response_echoes_payload_id_and_swaps_parties(
    sandbox: SandboxClearinghouse, http: requests.Session
) -> None:
    # Given a valid 270 envelope
    payload_id = new_payload_id()
    # When posted
    response = _post(http, sandbox.url, _request_body(payload_id=payload_id))
    # Then a CORE Success 271 comes back addressed to the sender
    reply = parse_reply(response.content)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/soap+xml")
    assert isinstance(reply, CoreResponse) and reply.ok
    assert (reply.payload_id, reply.payload_type) == (payload_id, PayloadType.X12_271_RESPONSE)
    assert (reply.sender_id, reply.receiver_id) == ("SANDBOXCH", SENDER_ID)
    assert reply.payload == X12_271


def test_garbage_gets_a_soap_sender_fault(
    sandbox: SandboxClearinghouse, http: requests.Session
) -> None:
    # Given a body that is not XML / When posted / Then HTTP 400 with a SOAP Sender fault
    response = _post(http, sandbox.url, b"ISA*00*~")
    assert response.status_code == 400
    fault = parse_reply(response.content)
    assert isinstance(fault, SoapFault) and fault.code == "Sender"


def test_missing_field_gets_core_error(
    sandbox: SandboxClearinghouse, http: requests.Session
) -> None:
    # Given an authenticated envelope without a PayloadID
    body = (
        _request_body()
        .replace(b"<PayloadID>", b"<Ignored>")
        .replace(b"</PayloadID>", b"</Ignored>")
    )
    # When posted / Then the CORE error code names the missing field
    response = _post(http, sandbox.url, body)
    reply = parse_reply(response.content)
    assert response.status_code == 400
    assert isinstance(reply, CoreResponse) and reply.error_code == "PayloadIDRequired"


def test_bad_password_gets_401_unauthorized(
    sandbox: SandboxClearinghouse, http: requests.Session
) -> None:
    response = _post(http, sandbox.url, _request_body(password="nope"))
    reply = parse_reply(response.content)
    assert response.status_code == 401
    assert isinstance(reply, CoreResponse) and reply.error_code == "Unauthorized"


def test_wrong_content_type_and_path(sandbox: SandboxClearinghouse, http: requests.Session) -> None:
    assert _post(http, sandbox.url, _request_body(), "text/plain").status_code == 415
    assert _post(http, sandbox.base_url + "/other", _request_body()).status_code == 404


def test_fail_next_accepts_only_server_errors(sandbox: SandboxClearinghouse) -> None:
    with pytest.raises(ValueError, match="5xx"):
        sandbox.fail_next(1, status=404)


def test_stopped_server_has_no_url(payer: ScriptedPayer) -> None:
    # Given a sandbox started and stopped
    server = SandboxClearinghouse(payer, []).start()
    server.stop()
    # When its url is asked / Then it says it is not running
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.url


@dataclass
class PriorAuthPayer:
    received: list[str] = field(default_factory=list)

    def respond_270(self, x12_270: str) -> Reply:
        return Reply(X12_271)

    def respond_278(self, x12_278: str) -> Reply:
        self.received.append(x12_278)
        return Reply(X12_278_RESPONSE)


def test_payer_with_278_support_answers_prior_auth(make_gateway: GatewayFactory) -> None:
    # Given a sandbox whose payer answers 278s
    account = SandboxAccount(username=USERNAME, password=PASSWORD, sender_id=SENDER_ID)
    prior_auth_payer = PriorAuthPayer()
    with SandboxClearinghouse(prior_auth_payer, [account]) as server:
        gateway = make_gateway(endpoint_url=server.url)
        # When a 278 is submitted
        reply = gateway.submit_prior_auth(X12_278, correlation_id="ref-pa")
    # Then the 278 response comes back
    assert reply.payload_type == PayloadType.X12_278_RESPONSE
    assert reply.x12 == X12_278_RESPONSE
    assert prior_auth_payer.received == [X12_278]


class BrokenPayer:
    def respond_270(self, x12_270: str) -> Reply:
        raise RuntimeError("payer system down")


def test_payer_crash_is_a_retryable_500(make_gateway: GatewayFactory) -> None:
    # Given a payer that crashes
    account = SandboxAccount(username=USERNAME, password=PASSWORD, sender_id=SENDER_ID)
    with SandboxClearinghouse(BrokenPayer(), [account]) as server:
        gateway = make_gateway(endpoint_url=server.url, max_attempts=2)
        # When a 270 is sent / Then each attempt got a 500 and the gateway gave up
        with pytest.raises(ClearinghouseUnavailable) as caught:
            gateway.check_eligibility(X12_270, correlation_id="ref-500")
        assert caught.value.last_reason == "http_500"
        assert server.request_count == 2
