"""S3 audit sink (moto): key layout, KMS encryption, and a full exchange audited to S3."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
import requests
from moto import mock_aws

from intake.adapters.audit_s3 import S3AuditSink
from intake.clearinghouse import CoreSoapGateway, CoreSoapSettings, StaticCredentials
from intake_local.sandbox.server import SandboxClearinghouse
from tests.integration.clearinghouse.clearinghouse_doubles import X12_270, X12_271, credentials

pytestmark = pytest.mark.integration

BUCKET = "intake-documents"
PAYLOAD_ID = "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"
MOMENT = datetime(2026, 11, 22, 10, 20, 34, 123456, tzinfo=UTC)


@pytest.fixture
def aws(aws_credentials: None) -> Iterator[tuple[Any, str]]:
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        key_id = boto3.client("kms", region_name="us-east-1").create_key()["KeyMetadata"]["KeyId"]
        yield s3, key_id


def test_keeps_x12_kms_encrypted_under_audit_prefix(aws: tuple[Any, str]) -> None:
    # Given a sink with a customer KMS key and a fixed clock
    s3, key_id = aws
    sink = S3AuditSink(BUCKET, kms_key_id=key_id, client=s3, clock=lambda: MOMENT)
    # When a 270 is kept
    key = sink.keep("ref-1", PAYLOAD_ID, "270", X12_270)
    # Then it lands at the documented key, byte-exact, encrypted with that key
    assert key == f"audit/x12/ref-1/20261122T102034.123456Z-{PAYLOAD_ID}.270"
    stored = s3.get_object(Bucket=BUCKET, Key=key)
    assert stored["Body"].read().decode() == X12_270
    assert stored["ServerSideEncryption"] == "aws:kms"
    assert stored["SSEKMSKeyId"].endswith(key_id)
    assert stored["Metadata"] == {
        "correlation-id": "ref-1",
        "payload-id": PAYLOAD_ID,
        "kind": "270",
    }


@pytest.mark.usefixtures("fresh_aws_clients")
def test_default_kms_key_and_lazy_client(aws: tuple[Any, str]) -> None:
    # Given a sink with no key id and no client (created on first use)
    s3, _ = aws
    sink = S3AuditSink(BUCKET)
    # When a 271 is kept / Then it is still KMS-encrypted (bucket's AWS-managed key)
    key = sink.keep("ref-2", PAYLOAD_ID, "271", X12_271)
    assert s3.head_object(Bucket=BUCKET, Key=key)["ServerSideEncryption"] == "aws:kms"


def test_refuses_unsafe_key_parts(aws: tuple[Any, str]) -> None:
    s3, _ = aws
    with pytest.raises(ValueError, match="payload_id"):
        S3AuditSink(BUCKET, client=s3).keep("ref-3", "../x", "270", X12_270)


def test_exchange_audited_to_s3(aws: tuple[Any, str], sandbox: SandboxClearinghouse) -> None:
    # Given a gateway auditing to S3 and a sandbox over HTTP
    s3, key_id = aws
    session = requests.Session()
    session.trust_env = False
    settings = CoreSoapSettings(
        endpoint_url=sandbox.url, read_timeout_s=1.0, backoff_base_s=0.01, backoff_max_s=0.02
    )
    sink = S3AuditSink(BUCKET, kms_key_id=key_id, client=s3)
    with CoreSoapGateway(
        settings, StaticCredentials(credentials()), sink, session=session
    ) as gateway:
        # When a 270 is exchanged
        reply = gateway.check_eligibility(X12_270, correlation_id="ref-s3")
    # Then the request and the response are both in S3 under the referral's prefix
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix="audit/x12/ref-s3/")["Contents"]
    keys = sorted(obj["Key"] for obj in listed)
    assert [k.rsplit(".", 1)[1] for k in keys] == ["270", "271"]
    assert all(reply.payload_id in k for k in keys)
