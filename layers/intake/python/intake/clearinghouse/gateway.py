"""What the rest of the system sees of a clearinghouse: one Protocol, one reply, three errors.

Callers (Lambda handlers, Step Functions tasks) depend on this module only, so the transport
(CORE SOAP today) can change without touching them, and tests can substitute a fake.
"""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field


class ClearinghouseReply(BaseModel):
    """A payer's answer as delivered by the clearinghouse (X12 kept as opaque text)."""

    model_config = ConfigDict(frozen=True)

    x12: str = Field(repr=False)  # PHI: never in repr or logs
    payload_id: str
    payload_type: str
    attempts: int = Field(ge=1)
    elapsed_ms: int = Field(ge=0)


class ClearinghouseError(Exception):
    """Base of the transport's domain errors; messages never hold PHI."""

    def __init__(self, message: str, *, correlation_id: str, payload_id: str) -> None:
        super().__init__(message)
        self.correlation_id = correlation_id
        self.payload_id = payload_id


class ClearinghouseUnavailable(ClearinghouseError):
    """Retries exhausted (timeouts, connection errors, HTTP 5xx, payer says retry later).

    Worth trying again later: the workflow should back off, not fail the referral.
    """

    def __init__(
        self,
        message: str,
        *,
        correlation_id: str,
        payload_id: str,
        attempts: int,
        last_reason: str,
    ) -> None:
        super().__init__(message, correlation_id=correlation_id, payload_id=payload_id)
        self.attempts = attempts
        self.last_reason = last_reason


class ClearinghouseRejected(ClearinghouseError):
    """The clearinghouse refused the envelope (e.g. ``Unauthorized``); repeating cannot help."""

    def __init__(
        self,
        message: str,
        *,
        correlation_id: str,
        payload_id: str,
        error_code: str,
        http_status: int,
    ) -> None:
        super().__init__(message, correlation_id=correlation_id, payload_id=payload_id)
        self.error_code = error_code
        self.http_status = http_status


class ClearinghouseProtocolError(ClearinghouseError):
    """The reply broke the CORE contract (malformed XML, wrong payload type, redirect...)."""


class ClearinghouseGateway(Protocol):
    """Exchange X12 with a payer through a clearinghouse, in real time."""

    def exchange(self, payload_type: str, x12: str, *, correlation_id: str) -> ClearinghouseReply:
        """Send ``x12`` as ``payload_type`` and return the payer's reply."""
        ...

    def check_eligibility(self, x12_270: str, *, correlation_id: str) -> ClearinghouseReply:
        """Send a 270 eligibility inquiry; the reply holds a 271."""
        ...

    def submit_prior_auth(self, x12_278: str, *, correlation_id: str) -> ClearinghouseReply:
        """Send a 278 prior-authorization request; the reply holds a 278 response."""
        ...
