"""Clearinghouse credentials from Secrets Manager (moto), including rotation after a 401."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from intake.adapters.secrets import SecretsManagerCredentials
from intake.clearinghouse import ClearinghouseRejected, CredentialsProvider
from tests.integration.clearinghouse.clearinghouse_doubles import (
    PASSWORD,
    RECEIVER_ID,
    SENDER_ID,
    USERNAME,
    X12_270,
    X12_271,
    GatewayFactory,
)

pytestmark = pytest.mark.integration

SECRET_ID = "intake/clearinghouse"


def _secret(password: str = PASSWORD) -> str:
    return json.dumps(
        {
            "username": USERNAME,
            "password": password,
            "sender_id": SENDER_ID,
            "receiver_id": RECEIVER_ID,
        }
    )


@pytest.fixture
def secretsmanager(aws_credentials: None) -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("secretsmanager", region_name="us-east-1")
        client.create_secret(Name=SECRET_ID, SecretString=_secret())
        yield client


def test_reads_and_caches_the_secret(secretsmanager: Any) -> None:
    # Given credentials read once
    provider = SecretsManagerCredentials(SECRET_ID, client=secretsmanager)
    first = provider.get()
    # When the secret rotates
    secretsmanager.put_secret_value(SecretId=SECRET_ID, SecretString=_secret("rotated"))
    # Then the cached value is served until invalidated, and the new one after
    assert first.username == USERNAME
    assert provider.get().password.get_secret_value() == PASSWORD
    provider.invalidate()
    assert provider.get().password.get_secret_value() == "rotated"


@pytest.mark.usefixtures("fresh_aws_clients")
def test_client_is_created_lazily(secretsmanager: Any) -> None:
    # Given no client injected / When the provider is built / Then no AWS client exists yet,
    # and the first get() creates one from the environment
    provider = SecretsManagerCredentials(SECRET_ID)
    assert provider._client is None
    assert provider.get().sender_id == SENDER_ID


def test_malformed_secret_names_fields_not_values(secretsmanager: Any) -> None:
    # Given a secret missing its password and sender id
    secretsmanager.put_secret_value(
        SecretId=SECRET_ID, SecretString=json.dumps({"username": "u-visible"})
    )
    provider = SecretsManagerCredentials(SECRET_ID, client=secretsmanager)
    # When read / Then the error lists the bad fields without echoing values
    with pytest.raises(ValueError, match="password") as caught:
        provider.get()
    assert "u-visible" not in str(caught.value)


def test_gateway_recovers_from_rotation_after_unauthorized(
    secretsmanager: Any, make_gateway: GatewayFactory
) -> None:
    # Given a cached password the sandbox no longer accepts (the secret was rotated since)
    secretsmanager.put_secret_value(SecretId=SECRET_ID, SecretString=_secret("stale"))
    provider: CredentialsProvider = SecretsManagerCredentials(SECRET_ID, client=secretsmanager)
    gateway = make_gateway(provider=provider)
    with pytest.raises(ClearinghouseRejected, match="Unauthorized"):
        gateway.check_eligibility(X12_270, correlation_id="ref-rot-1")
    secretsmanager.put_secret_value(SecretId=SECRET_ID, SecretString=_secret())
    # When the next exchange runs on the same (warm) provider
    reply = gateway.check_eligibility(X12_270, correlation_id="ref-rot-2")
    # Then it re-read the secret and succeeded
    assert reply.x12 == X12_271
