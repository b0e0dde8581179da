"""The container's payer directory, built on first use (never at import).

``DIRECTORY_SOURCE`` chooses where lookups read: ``shipped`` (the default: the layer's
``intake/data/directory/*.csv``) or ``table`` (the table named by ``TABLE_NAME``: its current
version, else the shipped one until a first import). The shapes today's callers read
(profile, contract, policy) are built here from the payer's entry, once per version.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from typing import Any

from intake.directory.model import NameIndex, PayerEntry, VersionRecord
from intake.directory.service import PayerDirectory
from intake.directory.store import SHIPPED, DirectoryStore, ShippedStore


class TableOrShipped:
    """The table's directory once one is imported; the shipped one before."""

    def __init__(self, table: DirectoryStore) -> None:
        self._table = table
        self._shipped = ShippedStore()

    def _store(self, version: str) -> DirectoryStore:
        return self._shipped if version == SHIPPED else self._table

    def current(self) -> str | None:
        return self._table.current() or SHIPPED

    def versions(self) -> list[VersionRecord]:
        return self._table.versions()

    def save(
        self, record: VersionRecord, entries: Mapping[str, PayerEntry], index: NameIndex
    ) -> None:
        self._table.save(record, entries, index)

    def make_current(self, version: str, expected: str | None) -> None:
        self._table.make_current(version, None if expected == SHIPPED else expected)

    def index(self, version: str) -> NameIndex:
        return self._store(version).index(version)

    def entry(self, version: str, payer_id: str) -> PayerEntry | None:
        return self._store(version).entry(version, payer_id)

    def entries(self, version: str) -> list[PayerEntry]:
        return self._store(version).entries(version)


@functools.cache
def payer_directory() -> PayerDirectory:
    source = os.environ.get("DIRECTORY_SOURCE", "shipped")
    if source == "table":
        from intake.adapters.dynamodb_directory import DynamoDbDirectory

        return PayerDirectory(TableOrShipped(DynamoDbDirectory(os.environ["TABLE_NAME"])))
    return PayerDirectory(ShippedStore())


@functools.cache
def _view(version: str | None, payer_id: str, kind: str) -> Any:
    from intake.directory import views

    entry = payer_directory().payer(payer_id)
    if entry is None:
        return None
    return getattr(views, kind)(entry)


def payer_profile(payer_id: str) -> dict[str, Any] | None:
    """The payer's ``payer_profiles.json``-shaped settings (None: not in the directory)."""
    found: dict[str, Any] | None = _view(payer_directory().version(), payer_id, "payer_profile")
    return found


def payer_contract(payer_id: str) -> Any:
    """The payer's ``PayerContract`` (None: no contract in the directory)."""
    return _view(payer_directory().version(), payer_id, "payer_contract")


def payer_policy(payer_id: str) -> Any:
    """The payer's ``PayerPolicy`` (None: no policies in the directory)."""
    return _view(payer_directory().version(), payer_id, "payer_policy")


def reset() -> None:
    """Forget the container's directory (tests: each is a new container)."""
    payer_directory.cache_clear()
    _view.cache_clear()
