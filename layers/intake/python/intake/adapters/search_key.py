"""The secret that keys the patient search hash, read from Secrets Manager once per container.

The template creates it (``SearchKeySecret``: 64 random characters, under the data key); the
local stack seeds one of its own. Only the functions that write or search the ``PATIENT#``
items (ingest, the liaison API) may read it.
"""

from __future__ import annotations

import threading

from intake.adapters import aws

_lock = threading.Lock()
_cached: dict[str, bytes] = {}


def search_secret(secret_id: str | None = None) -> bytes:
    """The key's bytes (``secret_id``: else ``SEARCH_KEY_SECRET_ID``); cached per container."""
    if secret_id is None:
        from intake.core.settings import SearchKeySettings, load_settings

        secret_id = load_settings(SearchKeySettings).search_key_secret_id
    with _lock:
        if secret_id not in _cached:
            reply = aws.client("secretsmanager").get_secret_value(SecretId=secret_id)
            text = reply.get("SecretString")
            if not isinstance(text, str) or len(text) < 32:
                raise ValueError(f"secret {secret_id!r} holds no search key of 32+ characters")
            _cached[secret_id] = text.encode("utf-8")
        return _cached[secret_id]


def forget() -> None:
    """Drop the cached key (tests; a rotation)."""
    with _lock:
        _cached.clear()
