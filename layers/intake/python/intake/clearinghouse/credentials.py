"""Clearinghouse credentials and where they come from.

The password is a :class:`~pydantic.SecretStr` so it cannot leak through repr or logs. Providers
may cache; ``invalidate`` lets the gateway drop a cached secret after ``Unauthorized``, so a warm
Lambda picks up a rotated password on its next call instead of failing until it is recycled.
"""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class ClearinghouseCredentials(BaseModel):
    """WS-Security login plus the CORE SenderID/ReceiverID our trading partner assigned."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    username: str = Field(min_length=1)
    password: SecretStr
    sender_id: str = Field(min_length=1)
    receiver_id: str = Field(min_length=1)


class CredentialsProvider(Protocol):
    def get(self) -> ClearinghouseCredentials:
        """Current credentials (may be cached)."""
        ...

    def invalidate(self) -> None:
        """Forget any cached credentials (called after the clearinghouse says Unauthorized)."""
        ...


class StaticCredentials:
    """Fixed credentials: local stack, tests, and configuration-injected secrets."""

    def __init__(self, credentials: ClearinghouseCredentials) -> None:
        self._credentials = credentials

    def get(self) -> ClearinghouseCredentials:
        return self._credentials

    def invalidate(self) -> None:
        """Nothing cached to drop."""
