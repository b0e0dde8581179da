"""Real-time X12 exchange with payers through a clearinghouse (CAQH CORE vC2.2.0 SOAP).

Callers depend on :class:`ClearinghouseGateway`; :class:`CoreSoapGateway` is the transport.
X12 is opaque text here: building and reading it belongs to ``intake.x12``.
"""

from intake.clearinghouse.audit import AuditSink, audit_kind, check_correlation_id
from intake.clearinghouse.core_soap import CoreSoapGateway, CoreSoapSettings, never_retry
from intake.clearinghouse.credentials import (
    ClearinghouseCredentials,
    CredentialsProvider,
    StaticCredentials,
)
from intake.clearinghouse.envelope import CoreErrorCode, PayloadType
from intake.clearinghouse.gateway import (
    ClearinghouseError,
    ClearinghouseGateway,
    ClearinghouseProtocolError,
    ClearinghouseRejected,
    ClearinghouseReply,
    ClearinghouseUnavailable,
)

__all__ = [
    "AuditSink",
    "ClearinghouseCredentials",
    "ClearinghouseError",
    "ClearinghouseGateway",
    "ClearinghouseProtocolError",
    "ClearinghouseRejected",
    "ClearinghouseReply",
    "ClearinghouseUnavailable",
    "CoreErrorCode",
    "CoreSoapGateway",
    "CoreSoapSettings",
    "CredentialsProvider",
    "PayloadType",
    "StaticCredentials",
    "audit_kind",
    "check_correlation_id",
    "never_retry",
]
