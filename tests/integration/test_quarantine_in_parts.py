"""An upload over S3's single-copy limit is quarantined in parts, not refused on every
delivery (issue 24, item 5). S3 copies at most 5 GB in one CopyObject (AWS, Amazon S3 User
Guide, "Copying an object using multipart upload"); the test lowers the limit to 5 MiB so a
12 MiB upload stands for a 12 GB one."""

from __future__ import annotations

import boto3
import pytest

from intake.adapters.s3_documents import SINGLE_COPY_LIMIT, S3Documents
from tests.integration.conftest import REGION, IntakeResources

MIB = 1024 * 1024


def test_the_single_copy_limit_is_s3s_5_gb() -> None:
    assert SINGLE_COPY_LIMIT == 5 * 1024 * 1024 * 1024


@pytest.mark.parametrize(("size", "in_parts"), [(12 * MIB, True), (1 * MIB, False)])
def test_given_an_upload_over_the_limit_when_quarantined_then_it_is_copied_in_parts(
    resources: IntakeResources, size: int, in_parts: bool
) -> None:
    """Given an upload of ``size`` bytes and a 5 MiB single-copy limit, when it is quarantined,
    then the copy under quarantine/ is the same bytes (12 MiB: 3 parts of at most 5 MiB; 1 MiB:
    one CopyObject), with its metadata, and the upload left referrals/."""
    s3 = boto3.client("s3", region_name=REGION)
    body = bytes(range(256)) * (size // 256)
    put = s3.put_object(
        Bucket=resources.intake_bucket,
        Key="referrals/clinic/big.pdf",
        Body=body,
        Metadata={"clinic": "lsc"},
    )
    calls: list[str] = []
    s3.meta.events.register("before-call.s3.*", lambda model, **_: calls.append(model.name))

    S3Documents(s3, single_copy_limit=5 * MIB).quarantine(
        resources.intake_bucket,
        "referrals/clinic/big.pdf",
        put["VersionId"],
        "quarantine/r/big.pdf",
    )

    copied = s3.get_object(Bucket=resources.intake_bucket, Key="quarantine/r/big.pdf")
    assert copied["Body"].read() == body and copied["Metadata"] == {"clinic": "lsc"}
    assert ("UploadPartCopy" in calls) is in_parts
    assert ("CopyObject" in calls) is not in_parts
    listed = s3.list_objects_v2(Bucket=resources.intake_bucket, Prefix="referrals/")
    assert listed["KeyCount"] == 0
