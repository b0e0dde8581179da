"""X12 audit trail in S3: one object per payload, KMS-encrypted at rest.

Keys are ``audit/x12/{correlation_id}/{timestamp}-{payload_id}.{kind}`` so one referral's
exchanges list together in time order. The timestamp has microseconds so a request and its
response, which share a PayloadID, never collide.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from intake.adapters import aws
from intake.clearinghouse.audit import check_key_part


def _utcnow() -> datetime:
    return datetime.now(UTC)


class S3AuditSink:
    """:class:`~intake.clearinghouse.audit.AuditSink` writing to the documents bucket."""

    def __init__(
        self,
        bucket: str,
        *,
        kms_key_id: str | None = None,
        client: Any | None = None,
        prefix: str = "audit/x12",
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._bucket = bucket
        self._kms_key_id = kms_key_id
        self._client = client
        self._prefix = prefix.strip("/")
        self._clock = clock

    def keep(self, correlation_id: str, payload_id: str, kind: str, x12: str) -> str:
        for value, name in (
            (correlation_id, "correlation_id"),
            (payload_id, "payload_id"),
            (kind, "kind"),
        ):
            check_key_part(value, name)
        stamp = self._clock().astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        key = f"{self._prefix}/{correlation_id}/{stamp}-{payload_id}.{kind}"
        extra: dict[str, str] = {"ServerSideEncryption": "aws:kms"}
        if self._kms_key_id:
            extra["SSEKMSKeyId"] = self._kms_key_id
        self._s3().put_object(
            Bucket=self._bucket,
            Key=key,
            Body=x12.encode("utf-8"),
            ContentType="application/edi-x12",
            Metadata={"correlation-id": correlation_id, "payload-id": payload_id, "kind": kind},
            **extra,
        )
        return key

    def _s3(self) -> Any:
        if self._client is None:
            self._client = aws.client("s3")
        return self._client
