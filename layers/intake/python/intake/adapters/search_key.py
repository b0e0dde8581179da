"""The secret that keys the patient search hash, read from Secrets Manager once per container.

The template creates it (``SearchKeySecret``: 64 random characters, under the data key); the
local stack seeds one of its own. Only the functions that write or search the ``PATIENT#``
items (ingest, the liaison API) may read it.
"""

from __future__ import annotations

import hashlib
import threading
from datetime import date
from typing import Any

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


def legacy_key(last_name: str, date_of_birth: date) -> str:
    """The unkeyed SHA-256 search key written before the keyed hash (to find and remove it)."""
    from intake.core.names import comparable_name

    raw = f"{comparable_name(last_name)}|{date_of_birth.isoformat()}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def reindex_patients(table_name: str) -> tuple[int, int]:
    """The one-off after the switch to the keyed hash: every referral's search item written
    under the key, and its old unkeyed item removed. Idempotent; returns (indexed, removed).
    Run by an operator (``intake ops reindex-patients``): no function role may delete."""
    from boto3.dynamodb.conditions import Attr

    from intake.adapters.dynamodb_store import DynamoDbStore, _from_item
    from intake.models.records import ReferralRecord
    from intake.workspace.service import patient_of

    store = DynamoDbStore(table_name)
    indexed = removed = 0
    scan: dict[str, Any] = {"FilterExpression": Attr("sk").eq("REFERRAL")}
    while True:
        page = store.table.scan(**scan)
        for item in page.get("Items", []):
            record = ReferralRecord.model_validate(_from_item(item))
            patient = patient_of(record)
            if patient is None:
                continue
            store.index_patient(record)
            indexed += 1
            old = {
                "pk": f"PATIENT#{legacy_key(patient[1], patient[2])}",
                "sk": f"REFERRAL#{record.referral_id}",
            }
            reply = store.table.delete_item(Key=old, ReturnValues="ALL_OLD")
            removed += 1 if reply.get("Attributes") else 0
        if "LastEvaluatedKey" not in page:
            return indexed, removed
        scan["ExclusiveStartKey"] = page["LastEvaluatedKey"]
