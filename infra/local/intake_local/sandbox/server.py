"""A local CORE vC2.2.0 real-time SOAP endpoint: a stand-in clearinghouse over real HTTP.

It speaks the same envelope as production (``intake.clearinghouse.envelope``), checks the
WS-Security UsernameToken, and hands the X12 to a pluggable :class:`Payer`, so the transport's
timeouts, retries and error handling are exercised end to end without a trading partner.
Fault injection (``fail_next``) and slow payers (``delay_seconds``) drive the unhappy paths.
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Protocol, Self, runtime_checkable

from intake.clearinghouse import envelope as core

logger = logging.getLogger(__name__)

CORE_PATH = "/core/realtime"
HEALTH_PATH = "/health"
MAX_BODY_BYTES = 1_000_000
_SOAP_RESPONSE_TYPE = "application/soap+xml; charset=utf-8"


class PayerReply(Protocol):
    """What a payer answers: X12 text and how long to take (to simulate slow payers)."""

    @property
    def x12(self) -> str: ...

    @property
    def delay_seconds(self) -> float: ...


class Payer(Protocol):
    def respond_270(self, x12_270: str) -> PayerReply: ...


@runtime_checkable
class PriorAuthPayer(Payer, Protocol):
    """A payer that also answers 278 prior-authorization requests."""

    def respond_278(self, x12_278: str) -> PayerReply: ...


@dataclass(frozen=True)
class SandboxAccount:
    """A trading partner allowed to call: WS-Security login and the SenderID it must use."""

    username: str
    password: str = field(repr=False)
    sender_id: str


@dataclass(frozen=True)
class _Answer:
    status: int
    body: bytes
    outcome: str
    request_id: str


class SandboxClearinghouse:
    """Threaded HTTP server on 127.0.0.1 (free port) serving ``POST /core/realtime``."""

    def __init__(
        self,
        payer: Payer,
        accounts: Iterable[SandboxAccount],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self._payer = payer
        self._accounts = {account.username: account for account in accounts}
        self._address = (host, port)
        self._lock = threading.Lock()
        self._failures_left = 0
        self._failure_status = HTTPStatus.SERVICE_UNAVAILABLE.value
        self._request_count = 0
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> Self:
        if self._server is not None:
            raise RuntimeError("sandbox clearinghouse already started")
        self._stopping.clear()
        self._server = _Server(self._address, _Handler, self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="sandbox-clearinghouse",
            daemon=True,
        )
        self._thread.start()
        logger.info("sandbox clearinghouse listening", extra={"url": self.url})
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()  # wakes handlers sleeping for a slow payer
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("sandbox clearinghouse is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def url(self) -> str:
        """The CORE real-time endpoint."""
        return self.base_url + CORE_PATH

    @property
    def health_url(self) -> str:
        return self.base_url + HEALTH_PATH

    # ------------------------------------------------------------------ test hooks

    def fail_next(self, count: int, status: int = HTTPStatus.SERVICE_UNAVAILABLE.value) -> None:
        """Answer the next ``count`` CORE requests with ``status`` (a SOAP Receiver fault)."""
        if count < 0 or not 500 <= status < 600:
            raise ValueError("count must be >= 0 and status a 5xx code")
        with self._lock:
            self._failures_left = count
            self._failure_status = status

    @property
    def request_count(self) -> int:
        """CORE requests received so far (including injected failures)."""
        with self._lock:
            return self._request_count

    # ------------------------------------------------------------------ CORE handling

    def handle(self, body: bytes, content_type: str) -> tuple[int, bytes]:
        """Answer one CORE request: ``(HTTP status, SOAP body)``. Logs ids and outcomes only."""
        try:
            answer = self._answer(body, content_type)
        except Exception as exc:  # e.g. a payer reply XML cannot carry: still answer the client
            logger.error("sandbox clearinghouse failed", extra={"error": type(exc).__name__})
            answer = _fault(
                HTTPStatus.INTERNAL_SERVER_ERROR, "Receiver", "internal error", "internal_error"
            )
        logger.info(
            "sandbox clearinghouse answered",
            extra={
                "request_id": answer.request_id,
                "status": answer.status,
                "outcome": answer.outcome,
            },
        )
        return answer.status, answer.body

    def _answer(self, body: bytes, content_type: str) -> _Answer:
        with self._lock:
            self._request_count += 1
            injected = self._failures_left > 0
            if injected:
                self._failures_left -= 1
            failure_status = self._failure_status
        if injected:
            return _fault(failure_status, "Receiver", "service unavailable", "injected_failure")
        if not content_type.lower().startswith("application/soap+xml"):
            return _fault(
                HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                "Sender",
                "SOAP 1.2 requires application/soap+xml",
                "bad_content_type",
            )
        try:
            raw = core.read_request(body)
        except core.EnvelopeError as exc:
            return _fault(HTTPStatus.BAD_REQUEST, "Sender", str(exc), "malformed_envelope")
        fields = raw.fields
        account = self._authenticate(raw.token)
        if account is None:
            return _error(
                HTTPStatus.UNAUTHORIZED,
                fields,
                core.CoreErrorCode.UNAUTHORIZED,
                "UsernameToken missing or not recognized",
            )
        try:
            request = core.validate_request(fields)
        except core.EnvelopeError as exc:
            return _error(
                HTTPStatus.BAD_REQUEST, fields, exc.error_code or "EnvelopeIllegal", str(exc)
            )
        if request.sender_id != account.sender_id:
            return _error(
                HTTPStatus.FORBIDDEN,
                fields,
                core.CoreErrorCode.SENDER_ID_NOT_AUTHORIZED,
                "SenderID is not assigned to this user",
            )
        return self._dispatch(request)

    def _authenticate(self, token: core.UsernameToken | None) -> SandboxAccount | None:
        if token is None:
            return None
        account = self._accounts.get(token.username)
        if account is None or not hmac.compare_digest(
            account.password.encode(), token.password.encode()
        ):
            return None
        return account

    def _dispatch(self, request: core.CoreRequest) -> _Answer:
        payer = self._payer
        try:
            if request.payload_type == core.PayloadType.X12_270_REQUEST:
                reply = payer.respond_270(request.payload)
            elif request.payload_type == core.PayloadType.X12_278_REQUEST and isinstance(
                payer, PriorAuthPayer
            ):
                reply = payer.respond_278(request.payload)
            else:
                return _error(
                    HTTPStatus.BAD_REQUEST,
                    _echo(request),
                    core.CoreErrorCode.PAYLOAD_TYPE_NOT_SUPPORTED,
                    "PayloadType is not supported by this receiver",
                )
        except Exception as exc:  # a payer bug must become a 500, as a real payer outage would
            logger.error(  # class name only: payer messages could quote the payload
                "sandbox payer failed",
                extra={"request_id": request.payload_id, "error": type(exc).__name__},
            )
            return _fault(
                HTTPStatus.INTERNAL_SERVER_ERROR,
                "Receiver",
                "payer error",
                "payer_error",
                request.payload_id,
            )
        if reply.delay_seconds > 0 and self._stopping.wait(reply.delay_seconds):
            return _fault(
                HTTPStatus.SERVICE_UNAVAILABLE,
                "Receiver",
                "shutting down",
                "shutting_down",
                request.payload_id,
            )
        response = core.CoreResponse(
            payload_type=core.RESPONSE_TYPE_FOR[request.payload_type],
            payload_id=request.payload_id,
            timestamp=datetime.now(UTC),
            sender_id=request.receiver_id,
            receiver_id=request.sender_id,
            payload=reply.x12,
            error_code=core.CoreErrorCode.SUCCESS,
            error_message="None",
        )
        return _Answer(
            HTTPStatus.OK,
            core.build_response(response),
            core.CoreErrorCode.SUCCESS,
            request.payload_id,
        )


def _echo(request: core.CoreRequest) -> dict[str, str]:
    return {
        "PayloadType": request.payload_type,
        "PayloadID": request.payload_id,
        "SenderID": request.sender_id,
        "ReceiverID": request.receiver_id,
    }


def _error(status: int, known: Mapping[str, str], code: str, message: str) -> _Answer:
    """A CORE error response echoing the metadata we could read (never the payload)."""
    response = core.CoreResponse(
        payload_type=known.get("PayloadType", ""),
        payload_id=known.get("PayloadID", ""),
        timestamp=datetime.now(UTC),
        sender_id=known.get("ReceiverID", ""),
        receiver_id=known.get("SenderID", ""),
        payload="",
        error_code=code,
        error_message=message,
    )
    return _Answer(status, core.build_response(response), code, known.get("PayloadID", "-"))


def _fault(status: int, code: str, reason: str, outcome: str, request_id: str = "-") -> _Answer:
    return _Answer(
        status, core.build_fault(core.SoapFault(code=code, reason=reason)), outcome, request_id
    )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        app: SandboxClearinghouse,
    ) -> None:
        self.app = app
        super().__init__(address, handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        if self.path != HEALTH_PATH:
            self._send(HTTPStatus.NOT_FOUND, b"", "text/plain")
            return
        self._send(HTTPStatus.OK, json.dumps({"status": "ok"}).encode(), "application/json")

    def do_POST(self) -> None:
        if self.path != CORE_PATH:
            self._send(HTTPStatus.NOT_FOUND, b"", "text/plain")
            return
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self._send(HTTPStatus.LENGTH_REQUIRED, b"", "text/plain")
            return
        if not 0 <= length <= MAX_BODY_BYTES:
            self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, b"", "text/plain")
            return
        body = self.rfile.read(length)
        status, answer = self.server.app.handle(body, self.headers.get("Content-Type", ""))
        self._send(status, answer, _SOAP_RESPONSE_TYPE)

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (read timeout) while the payer was slow: expected, not an error.
            self.close_connection = True
            logger.info("sandbox client disconnected before the answer")

    def log_message(self, format: str, *args: object) -> None:
        # The default writes client addresses and request lines to stderr; keep it quiet.
        logger.debug("sandbox http: " + format, *args)
