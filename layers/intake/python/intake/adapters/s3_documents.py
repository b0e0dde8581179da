"""Uploaded referral files in S3: read with a size bound, move to quarantine intact."""

from __future__ import annotations

import hashlib
from typing import Any

from intake.adapters.aws import LazyClient
from intake.core.errors import InvalidRequest

SINGLE_COPY_LIMIT = 5 * 1024**3
"""S3 copies an object of up to 5 GB in one CopyObject; a larger one only in parts
(UploadPartCopy): AWS, Amazon S3 User Guide, "Copying an object using multipart upload"."""
COPY_PART_SIZE = 512 * 1024**2


class S3Documents:
    s3 = LazyClient("s3")

    def __init__(self, s3: Any = None, single_copy_limit: int = SINGLE_COPY_LIMIT) -> None:
        self._s3 = s3
        self.single_copy_limit = single_copy_limit

    def read(self, bucket: str, key: str, version_id: str | None, max_bytes: int) -> bytes:
        args: dict[str, Any] = {"Bucket": bucket, "Key": key}
        if version_id:
            args["VersionId"] = version_id
        head = self.s3.head_object(**args)
        if head["ContentLength"] > max_bytes:
            raise InvalidRequest(
                f"the file is larger than {max_bytes // (1024 * 1024)} MB "
                f"({head['ContentLength']} bytes; the limit is {max_bytes} bytes)"
            )
        body: bytes = self.s3.get_object(**args)["Body"].read(max_bytes + 1)
        return body

    def digest(self, bucket: str, key: str, version_id: str | None) -> str:
        """SHA-256 of the object, streamed in 1 MiB chunks (memory stays flat at any size), so
        even a file too large to read gets an id derived from its content."""
        args: dict[str, Any] = {"Bucket": bucket, "Key": key}
        if version_id:
            args["VersionId"] = version_id
        sha = hashlib.sha256()
        for chunk in self.s3.get_object(**args)["Body"].iter_chunks(1024 * 1024):
            sha.update(chunk)
        return sha.hexdigest()

    def quarantine(self, bucket: str, key: str, version_id: str | None, target_key: str) -> None:
        """Copy the upload (that exact version) under quarantine/, then remove it from referrals/.

        The bucket is versioned, so the delete leaves the original version recoverable too.
        An upload over S3's single-copy limit (5 GB) is copied in parts: boto3's managed copy
        (s3transfer) makes one CopyObject below the threshold and a multipart copy above it
        (its metadata kept; its tags, which a multipart copy cannot take over, are not).
        """
        from boto3.s3.transfer import TransferConfig

        source: dict[str, Any] = {"Bucket": bucket, "Key": key}
        if version_id:
            source["VersionId"] = version_id
        self.s3.copy(
            CopySource=source,
            Bucket=bucket,
            Key=target_key,
            ExtraArgs={"MetadataDirective": "COPY", "TaggingDirective": "COPY"},
            Config=TransferConfig(
                multipart_threshold=self.single_copy_limit,
                multipart_chunksize=min(COPY_PART_SIZE, self.single_copy_limit),
                use_threads=True,
            ),
        )
        self.s3.delete_object(Bucket=bucket, Key=key)
