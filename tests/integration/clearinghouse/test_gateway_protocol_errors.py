"""CoreSoapGateway against a misbehaving server: replies that break the CORE contract."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread

import pytest

from intake.clearinghouse import (
    ClearinghouseProtocolError,
    ClearinghouseRejected,
    CoreSoapGateway,
)
from intake.clearinghouse.envelope import CoreResponse, SoapFault, build_fault, build_response
from tests.integration.clearinghouse.clearinghouse_doubles import (
    X12_270,
    X12_271,
    GatewayFactory,
    MemoryAudit,
)

pytestmark = pytest.mark.integration


class CannedServer(ThreadingHTTPServer):
    """Answers every POST with one fixed status, headers and body."""

    daemon_threads = True
    status = 200
    body = b""
    headers: dict[str, str] = {}


class _Canned(BaseHTTPRequestHandler):
    server: CannedServer

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(self.server.status)
        for name, value in {
            "Content-Length": str(len(self.server.body)),
            **self.server.headers,
        }.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(self.server.body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def canned() -> Iterator[CannedServer]:
    server = CannedServer(("127.0.0.1", 0), _Canned)
    thread = Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _gateway(make_gateway: GatewayFactory, canned: CannedServer) -> CoreSoapGateway:
    host, port = canned.server_address[:2]
    return make_gateway(endpoint_url=f"http://{host!s}:{port}/core")


def _response(payload_type: str) -> bytes:
    return build_response(
        CoreResponse(
            payload_type=payload_type,
            payload_id="f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
            timestamp=datetime.now(UTC),
            sender_id="CH",
            receiver_id="US",
            payload=X12_271,
            error_code="Success",
            error_message="None",
        )
    )


@pytest.mark.parametrize(
    "answer",
    [
        (200, b"<html>maintenance</html>", {}),
        (200, _response("X12_278_Response_005010X217E1_2"), {}),
        (302, b"", {"Location": "http://127.0.0.1:1/elsewhere"}),
    ],
    ids=["not-soap", "wrong-payload-type", "redirect"],
)
def test_contract_breaches_are_protocol_errors(
    make_gateway: GatewayFactory,
    canned: CannedServer,
    audit: MemoryAudit,
    answer: tuple[int, bytes, dict[str, str]],
) -> None:
    # Given a server answering outside the CORE contract
    canned.status, canned.body, canned.headers = answer
    # When a 270 is sent / Then it is a protocol error, not retried, and only the 270 is kept
    with pytest.raises(ClearinghouseProtocolError) as caught:
        _gateway(make_gateway, canned).check_eligibility(X12_270, correlation_id="ref-proto")
    assert caught.value.correlation_id == "ref-proto"
    assert audit.kinds() == ["270"]


@pytest.mark.parametrize(
    ("status", "body", "code"),
    [
        (401, b"<html>login required</html>", "Unauthorized"),
        (403, b"<html>forbidden</html>", "HTTP403"),
        (400, build_fault(SoapFault(code="Sender", reason="bad envelope")), "SoapFault.Sender"),
    ],
    ids=["401-html", "403-html", "400-fault"],
)
def test_client_errors_are_rejections(
    make_gateway: GatewayFactory,
    canned: CannedServer,
    status: int,
    body: bytes,
    code: str,
) -> None:
    # Given a server refusing the request (even without a CORE body)
    canned.status, canned.body, canned.headers = status, body, {}
    # When a 270 is sent / Then it is rejected with a usable code
    with pytest.raises(ClearinghouseRejected) as caught:
        _gateway(make_gateway, canned).check_eligibility(X12_270, correlation_id="ref-4xx")
    assert (caught.value.error_code, caught.value.http_status) == (code, status)
