"""Clearinghouse credentials from AWS Secrets Manager.

The secret is a JSON object ``{"username", "password", "sender_id", "receiver_id"}``. It is read
once per instance (one Lambda container) and re-read after ``invalidate()``, which the gateway
calls when the clearinghouse answers Unauthorized, i.e. after a rotation.
"""

from __future__ import annotations

import threading
from typing import Any

from pydantic import ValidationError

from intake.adapters import aws
from intake.clearinghouse.credentials import ClearinghouseCredentials


class SecretsManagerCredentials:
    """:class:`~intake.clearinghouse.credentials.CredentialsProvider` backed by Secrets Manager."""

    def __init__(self, secret_id: str, client: Any | None = None) -> None:
        self._secret_id = secret_id
        self._client = client
        self._cached: ClearinghouseCredentials | None = None
        self._lock = threading.Lock()

    def get(self) -> ClearinghouseCredentials:
        with self._lock:
            if self._cached is None:
                self._cached = self._load()
            return self._cached

    def invalidate(self) -> None:
        with self._lock:
            self._cached = None

    def _load(self) -> ClearinghouseCredentials:
        if self._client is None:
            self._client = aws.client("secretsmanager")
        response = self._client.get_secret_value(SecretId=self._secret_id)
        secret = response.get("SecretString")
        if not isinstance(secret, str):
            raise ValueError(f"secret {self._secret_id!r} has no SecretString")
        try:
            return ClearinghouseCredentials.model_validate_json(secret)
        except ValidationError as exc:
            # Name the missing/invalid fields only: the error text could otherwise echo values.
            fields = sorted({".".join(map(str, e["loc"])) or "<root>" for e in exc.errors()})
            raise ValueError(
                f"secret {self._secret_id!r} is not valid clearinghouse credentials: {fields}"
            ) from None
