"""Generated documents (prior-authorization packets, appeals) in the documents bucket,
encrypted with the data key; and the original referral file they append."""

from __future__ import annotations

from typing import Any

from intake.adapters.aws import LazyClient
from intake.models.records import ReferralRecord


class S3PacketDocuments:
    s3 = LazyClient("s3")

    def __init__(self, bucket: str, kms_key_id: str | None = None, s3: Any = None) -> None:
        self._bucket = bucket
        self._kms_key_id = kms_key_id
        self._s3 = s3

    def put(self, key: str, body: bytes, content_type: str) -> str:
        args: dict[str, Any] = {
            "Bucket": self._bucket,
            "Key": key,
            "Body": body,
            "ContentType": content_type,
            "ServerSideEncryption": "aws:kms",
        }
        if self._kms_key_id:
            args["SSEKMSKeyId"] = self._kms_key_id
        self.s3.put_object(**args)
        return f"s3://{self._bucket}/{key}"

    def get(self, uri: str) -> bytes:
        bucket, key = uri.removeprefix("s3://").split("/", 1)
        body: bytes = self.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        return body

    def original(self, record: ReferralRecord) -> bytes | None:
        """The uploaded file as received (that exact version), to append to the packet."""
        source = record.source
        args: dict[str, Any] = {"Bucket": source.bucket, "Key": source.quarantine_key or source.key}
        if source.version_id and not source.quarantine_key:
            args["VersionId"] = source.version_id
        body: bytes = self.s3.get_object(**args)["Body"].read()
        return body
