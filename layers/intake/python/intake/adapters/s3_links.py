"""Short-lived signed links to stored documents (the API signs; the browser reads from S3)."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

from intake.adapters.aws import LazyClient


def _split(uri: str) -> tuple[str, str]:
    bucket, key = uri.removeprefix("s3://").split("/", 1)
    return bucket, key


class S3LinkSigner:
    # SigV4: S3 refuses other signatures for SSE-KMS objects (every document here)
    s3 = LazyClient(
        "s3",
        lambda: boto3.client(
            "s3", config=Config(signature_version="s3v4", retries={"mode": "standard"})
        ),
    )

    def __init__(self, s3: Any = None) -> None:
        self._s3 = s3

    def sign(self, uri: str, expires_in: int, content_type: str, filename: str) -> str:
        bucket, key = _split(uri)
        url: str = self.s3.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": bucket,
                "Key": key,
                "ResponseContentType": content_type,
                "ResponseContentDisposition": f'inline; filename="{filename}"',
            },
            ExpiresIn=expires_in,
        )
        return url

    def read(self, uri: str, max_bytes: int) -> bytes:
        bucket, key = _split(uri)
        body: bytes = self.s3.get_object(Bucket=bucket, Key=key, Range=f"bytes=0-{max_bytes - 1}")[
            "Body"
        ].read()
        return body
