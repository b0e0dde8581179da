"""CORE vC2.2.0 real-time SOAP transport: the production :class:`ClearinghouseGateway`.

Retry policy, and why:
- timeouts, connection errors and HTTP 5xx are transient: retried with exponential backoff and
  full jitter (many Lambdas retrying in step would hammer a recovering clearinghouse);
- the payer may answer "try later" inside a valid 271 (AAA*42); only the X12 layer can tell, so
  an injected ``retry_payload`` predicate decides;
- envelope rejections (``Unauthorized``...) and 4xx are final: repeating cannot succeed.
Every attempt reuses one PayloadID and envelope, so a clearinghouse that deduplicates on
PayloadID sees a resend, not a second prior-auth submission. An overall deadline bounds the
whole exchange, so a Step Functions task never outlives its own timeout by retrying.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Self

import requests
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from tenacity import RetryCallState, RetryError, Retrying, retry_if_exception_type
from tenacity.wait import wait_random_exponential

from intake.clearinghouse.audit import AuditSink, audit_kind, check_correlation_id
from intake.clearinghouse.credentials import CredentialsProvider
from intake.clearinghouse.envelope import (
    RESPONSE_TYPE_FOR,
    SOAP_CONTENT_TYPE,
    CoreErrorCode,
    CoreRequest,
    CoreResponse,
    EnvelopeError,
    PayloadType,
    SoapFault,
    UsernameToken,
    build_request,
    new_payload_id,
    parse_reply,
)
from intake.clearinghouse.gateway import (
    ClearinghouseProtocolError,
    ClearinghouseRejected,
    ClearinghouseReply,
    ClearinghouseUnavailable,
)

logger = logging.getLogger(__name__)

CORE_RESPONSE_CEILING_S = 20.0
"""CORE real-time rule: a response is due within 20 seconds, so one attempt may not wait longer."""


def never_retry(_x12: str) -> bool:
    """Default ``retry_payload``: no payload-level retries until the X12 layer supplies one."""
    return False


class CoreSoapSettings(BaseModel):
    """Transport tuning. Tests shrink timeouts and backoff to milliseconds."""

    model_config = ConfigDict(frozen=True)

    endpoint_url: str
    connect_timeout_s: float = Field(default=3.05, gt=0)
    read_timeout_s: float = Field(default=16.0, gt=0)
    max_attempts: int = Field(default=3, ge=1, le=10)
    backoff_base_s: float = Field(default=0.5, ge=0)
    backoff_max_s: float = Field(default=4.0, ge=0)
    deadline_s: float = Field(default=55.0, gt=0)
    verify_tls: bool = True

    @field_validator("endpoint_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("endpoint_url must be an http(s) URL")
        return value

    @model_validator(mode="after")
    def _within_core_ceiling(self) -> Self:
        if self.connect_timeout_s + self.read_timeout_s > CORE_RESPONSE_CEILING_S:
            raise ValueError(
                f"connect + read timeout must not exceed the CORE {CORE_RESPONSE_CEILING_S:g} s "
                "real-time response ceiling"
            )
        return self


class _Transient(Exception):
    """An attempt failed in a way worth retrying; ``reason`` is a PHI-free code."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class _Exchange:
    """State of one logical exchange across its attempts."""

    payload_type: str
    payload_id: str
    correlation_id: str
    envelope: bytes = field(repr=False)
    started: float
    attempts: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    last_response: CoreResponse | None = field(default=None, repr=False)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class CoreSoapGateway:
    """:class:`~intake.clearinghouse.gateway.ClearinghouseGateway` over CORE SOAP 1.2 + HTTP(S).

    Raw X12 goes to ``audit`` (request before sending, last response received) and nowhere else;
    audit failures propagate, because PHI we cannot account for must not be exchanged.
    """

    def __init__(
        self,
        settings: CoreSoapSettings,
        credentials: CredentialsProvider,
        audit: AuditSink,
        *,
        retry_payload: Callable[[str], bool] = never_retry,
        session: requests.Session | None = None,
        clock: Callable[[], datetime] = _utcnow,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._settings = settings
        self._credentials = credentials
        self._audit = audit
        self._retry_payload = retry_payload
        self._session = session if session is not None else requests.Session()
        self._clock = clock
        self._sleep = sleep

    def check_eligibility(self, x12_270: str, *, correlation_id: str) -> ClearinghouseReply:
        return self.exchange(PayloadType.X12_270_REQUEST, x12_270, correlation_id=correlation_id)

    def submit_prior_auth(self, x12_278: str, *, correlation_id: str) -> ClearinghouseReply:
        return self.exchange(PayloadType.X12_278_REQUEST, x12_278, correlation_id=correlation_id)

    def exchange(self, payload_type: str, x12: str, *, correlation_id: str) -> ClearinghouseReply:
        check_correlation_id(correlation_id)
        if not x12.strip():
            raise ValueError("x12 payload is empty")
        started = time.monotonic()
        credentials = self._credentials.get()
        payload_id = new_payload_id()
        envelope = build_request(  # before auditing: an unsendable payload is never kept
            CoreRequest(
                payload_type=payload_type,
                payload_id=payload_id,
                timestamp=self._clock(),
                sender_id=credentials.sender_id,
                receiver_id=credentials.receiver_id,
                payload=x12,
            ),
            UsernameToken(credentials.username, credentials.password.get_secret_value()),
        )
        self._audit.keep(correlation_id, payload_id, audit_kind(payload_type, request=True), x12)
        call = _Exchange(payload_type, payload_id, correlation_id, envelope, started)
        try:
            response = self._retrying(call)(self._attempt, call)
        except RetryError as exc:
            self._keep_response(call)
            last = exc.last_attempt.exception()
            reason = last.reason if isinstance(last, _Transient) else "unknown"
            self._log_outcome(call, "unavailable")
            raise ClearinghouseUnavailable(
                f"clearinghouse unavailable after {call.attempts} attempt(s): {reason}",
                correlation_id=correlation_id,
                payload_id=payload_id,
                attempts=call.attempts,
                last_reason=reason,
            ) from None
        except ClearinghouseRejected as exc:
            if exc.error_code == CoreErrorCode.UNAUTHORIZED:
                self._credentials.invalidate()
            self._keep_response(call)
            self._log_outcome(call, exc.error_code)
            raise
        except ClearinghouseProtocolError:
            self._keep_response(call)
            self._log_outcome(call, "protocol_error")
            raise
        self._keep_response(call)
        elapsed_ms = self._elapsed_ms(call)
        self._log_outcome(call, CoreErrorCode.SUCCESS)
        return ClearinghouseReply(
            x12=response.payload,
            payload_id=payload_id,
            payload_type=response.payload_type,
            attempts=call.attempts,
            elapsed_ms=elapsed_ms,
        )

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ internals

    def _retrying(self, call: _Exchange) -> Retrying:
        settings = self._settings

        def stop(state: RetryCallState) -> bool:
            # Stop when out of attempts, or when sleeping would leave no time for an attempt.
            upcoming = state.upcoming_sleep or 0.0
            late = time.monotonic() - call.started + upcoming >= settings.deadline_s
            return state.attempt_number >= settings.max_attempts or late

        def before_sleep(state: RetryCallState) -> None:
            failure = state.outcome.exception() if state.outcome else None
            logger.warning(
                "clearinghouse attempt failed; retrying",
                extra={
                    "correlation_id": call.correlation_id,
                    "payload_id": call.payload_id,
                    "attempt": state.attempt_number,
                    "reason": failure.reason if isinstance(failure, _Transient) else "unknown",
                    "sleep_s": round(state.upcoming_sleep, 3),
                },
            )

        return Retrying(
            stop=stop,
            wait=wait_random_exponential(
                multiplier=settings.backoff_base_s, max=settings.backoff_max_s
            ),
            retry=retry_if_exception_type(_Transient),
            before_sleep=before_sleep,
            sleep=self._sleep,
        )

    def _attempt(self, call: _Exchange) -> CoreResponse:
        call.attempts += 1
        try:
            response = self._post(call)
        except _Transient as exc:
            call.failures[exc.reason] += 1
            raise
        return response

    def _post(self, call: _Exchange) -> CoreResponse:
        settings = self._settings
        remaining = settings.deadline_s - (time.monotonic() - call.started)
        if remaining <= 0:
            raise _Transient("deadline")
        # requests' read timeout bounds each socket read, not the whole body; CORE replies are
        # small and sent at once, so in practice it bounds the wait for the payer.
        timeout = (
            min(settings.connect_timeout_s, remaining),
            min(settings.read_timeout_s, remaining),
        )
        try:
            http = self._session.post(
                settings.endpoint_url,
                data=call.envelope,
                timeout=timeout,
                headers={"Content-Type": SOAP_CONTENT_TYPE},
                allow_redirects=False,
                verify=settings.verify_tls,
            )
        except requests.Timeout:
            raise _Transient("timeout") from None
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
            raise _Transient("connection") from None
        except requests.RequestException as exc:
            raise self._protocol_error(call, f"HTTP client error ({type(exc).__name__})") from None
        status = http.status_code
        if status >= 500:
            raise _Transient(f"http_{status}")
        if not 200 <= status < 500 or 300 <= status < 400:
            raise self._protocol_error(call, f"unexpected HTTP status {status}")
        return self._judge(call, status, http.content)

    def _judge(self, call: _Exchange, status: int, body: bytes) -> CoreResponse:
        try:
            reply = parse_reply(body)
        except EnvelopeError as exc:
            if status >= 400:
                code = CoreErrorCode.UNAUTHORIZED if status == 401 else f"HTTP{status}"
                raise self._rejected(call, code, status) from None
            raise self._protocol_error(call, f"malformed CORE response ({exc})") from None
        if isinstance(reply, SoapFault):
            raise self._rejected(call, f"SoapFault.{reply.code or 'Unknown'}", status)
        if not reply.ok:
            raise self._rejected(call, reply.error_code, status)
        if status >= 400:
            raise self._protocol_error(call, f"HTTP {status} with ErrorCode Success")
        expected = RESPONSE_TYPE_FOR.get(call.payload_type)
        if expected is not None and reply.payload_type != expected:
            raise self._protocol_error(
                call, f"expected PayloadType {expected}, got {reply.payload_type[:64]}"
            )
        call.last_response = reply
        if self._retry_payload(reply.payload):
            raise _Transient("retry_payload")
        return reply

    def _keep_response(self, call: _Exchange) -> None:
        reply = call.last_response
        if reply is not None and reply.payload:
            kind = audit_kind(reply.payload_type, request=False)
            self._audit.keep(call.correlation_id, call.payload_id, kind, reply.payload)

    def _rejected(self, call: _Exchange, code: str, status: int) -> ClearinghouseRejected:
        return ClearinghouseRejected(
            f"clearinghouse rejected the request: {code} (HTTP {status})",
            correlation_id=call.correlation_id,
            payload_id=call.payload_id,
            error_code=code,
            http_status=status,
        )

    def _protocol_error(self, call: _Exchange, message: str) -> ClearinghouseProtocolError:
        return ClearinghouseProtocolError(
            message, correlation_id=call.correlation_id, payload_id=call.payload_id
        )

    def _elapsed_ms(self, call: _Exchange) -> int:
        return int((time.monotonic() - call.started) * 1000)

    def _log_outcome(self, call: _Exchange, outcome: str) -> None:
        logger.info(
            "clearinghouse exchange finished",
            extra={
                "correlation_id": call.correlation_id,
                "payload_id": call.payload_id,
                "payload_type": call.payload_type,
                "outcome": outcome,
                "attempts": call.attempts,
                "failures": dict(call.failures),
                "elapsed_ms": self._elapsed_ms(call),
            },
        )
