"""Fixtures: the sandbox clearinghouse on 127.0.0.1 with a scripted fake payer, and a gateway
tuned to milliseconds so retry paths run fast."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import requests

from intake.adapters import aws
from intake.clearinghouse import (
    CoreSoapGateway,
    CoreSoapSettings,
    CredentialsProvider,
    StaticCredentials,
    never_retry,
)
from intake_local.sandbox.server import SandboxAccount, SandboxClearinghouse
from tests.integration.clearinghouse.clearinghouse_doubles import (
    PASSWORD,
    SENDER_ID,
    USERNAME,
    GatewayFactory,
    MemoryAudit,
    ScriptedPayer,
    credentials,
)


@pytest.fixture
def payer() -> ScriptedPayer:
    return ScriptedPayer()


@pytest.fixture
def sandbox(payer: ScriptedPayer) -> Iterator[SandboxClearinghouse]:
    account = SandboxAccount(username=USERNAME, password=PASSWORD, sender_id=SENDER_ID)
    with SandboxClearinghouse(payer, [account]) as server:
        yield server


@pytest.fixture
def audit() -> MemoryAudit:
    return MemoryAudit()


@pytest.fixture
def fast_settings(sandbox: SandboxClearinghouse) -> CoreSoapSettings:
    return CoreSoapSettings(
        endpoint_url=sandbox.url,
        connect_timeout_s=0.5,
        read_timeout_s=1.0,
        max_attempts=3,
        backoff_base_s=0.01,
        backoff_max_s=0.02,
        deadline_s=5.0,
    )


@pytest.fixture
def make_gateway(fast_settings: CoreSoapSettings, audit: MemoryAudit) -> Iterator[GatewayFactory]:
    """Build gateways against the sandbox; keyword overrides go to the settings."""
    made: list[CoreSoapGateway] = []

    def make(
        *,
        provider: CredentialsProvider | None = None,
        retry_payload: Callable[[str], bool] = never_retry,
        **overrides: object,
    ) -> CoreSoapGateway:
        session = requests.Session()
        session.trust_env = False  # no proxy from the environment for 127.0.0.1
        gateway = CoreSoapGateway(
            CoreSoapSettings.model_validate({**fast_settings.model_dump(), **overrides}),
            provider if provider is not None else StaticCredentials(credentials()),
            audit,
            retry_payload=retry_payload,
            session=session,
        )
        made.append(gateway)
        return gateway

    yield make
    for gateway in made:
        gateway.close()


@pytest.fixture
def fresh_aws_clients() -> Iterator[None]:
    """Tests that let adapters create their own client must not leak it (it is cached
    process-wide) to tests that run later against another endpoint or mock."""
    aws.client.cache_clear()
    yield
    aws.client.cache_clear()
