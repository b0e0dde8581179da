"""Audit of raw X12 exchanged with payers (HIPAA: we must show what was sent and received).

The sink stores payloads; it is the only place raw X12 goes. Keys are built from our own
identifiers, never from payload content, so storage paths hold no PHI.
"""

from __future__ import annotations

import re
from typing import Protocol

from intake.clearinghouse.envelope import PayloadType

_KEY_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
_PAYLOAD_TYPE = re.compile(r"^X12_(\d{3})_(Request|Response)_")
# 270/271 differ by number; 278 requests and responses share one, so they carry a direction.
_KINDS: dict[str, str] = {
    PayloadType.X12_270_REQUEST: "270",
    PayloadType.X12_271_RESPONSE: "271",
    PayloadType.X12_278_REQUEST: "278-request",
    PayloadType.X12_278_RESPONSE: "278-response",
}


class AuditSink(Protocol):
    def keep(self, correlation_id: str, payload_id: str, kind: str, x12: str) -> str:
        """Store ``x12`` durably and return its storage key."""
        ...


def audit_kind(payload_type: str, *, request: bool) -> str:
    """File-extension-like kind for a payload type (``270``, ``271``, ``278-request``...)."""
    known = _KINDS.get(payload_type)
    if known is not None:
        return known
    match = _PAYLOAD_TYPE.match(payload_type)
    number = str(match.group(1)) if match else "x12"
    return f"{number}-{'request' if request else 'response'}"


def check_key_part(value: str, name: str) -> str:
    """Values that become storage path segments may hold only safe characters."""
    if not _KEY_PART.match(value) or ".." in value:
        raise ValueError(
            f"{name} must be 1-128 of [A-Za-z0-9._:-], not starting with one of "
            "'._:-' and without '..'"
        )
    return value


def check_correlation_id(correlation_id: str) -> str:
    """Correlation ids become storage path segments: allow only safe characters."""
    return check_key_part(correlation_id, "correlation_id")
