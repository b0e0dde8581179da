"""Where directory versions are kept: the port, an in-memory store (tests, the CLI's local
files) and the directory shipped in the layer (``intake/data/directory/*.csv``: the sandbox
payers, read when no table holds a directory)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources
from typing import Protocol

from intake.core.errors import Conflict
from intake.directory import schema
from intake.directory.csvfiles import Compiled, read_directory
from intake.directory.model import NameIndex, PayerEntry, VersionRecord

SHIPPED = "shipped"
"""The version name of the directory in the layer."""


class DirectoryStore(Protocol):
    def current(self) -> str | None:
        """The version lookups read (None: no directory imported)."""
        ...

    def versions(self) -> list[VersionRecord]:
        """Every import, oldest first."""
        ...

    def save(
        self, record: VersionRecord, entries: Mapping[str, PayerEntry], index: NameIndex
    ) -> None:
        """Write a version's data and record (not yet current); Conflict if the version exists."""
        ...

    def make_current(self, version: str, expected: str | None) -> None:
        """Point lookups at ``version`` if ``expected`` is still current, else Conflict."""
        ...

    def index(self, version: str) -> NameIndex: ...

    def entry(self, version: str, payer_id: str) -> PayerEntry | None: ...

    def entries(self, version: str) -> list[PayerEntry]:
        """Every payer of the version (export)."""
        ...


class MemoryStore:
    """``DirectoryStore`` in a process's memory."""

    def __init__(self) -> None:
        self._current: str | None = None
        self._records: dict[str, VersionRecord] = {}
        self._entries: dict[str, dict[str, PayerEntry]] = {}
        self._indexes: dict[str, NameIndex] = {}

    def current(self) -> str | None:
        return self._current

    def versions(self) -> list[VersionRecord]:
        return sorted(self._records.values(), key=lambda r: r.version)

    def save(
        self, record: VersionRecord, entries: Mapping[str, PayerEntry], index: NameIndex
    ) -> None:
        if record.version in self._records:
            raise Conflict(f"directory version {record.version} exists")
        self._records[record.version] = record
        self._entries[record.version] = dict(entries)
        self._indexes[record.version] = index

    def make_current(self, version: str, expected: str | None) -> None:
        if self._current != expected:
            raise Conflict(f"directory version {self._current} is current, not {expected}")
        if version not in self._records:
            raise Conflict(f"no directory version {version}")
        self._current = version

    def index(self, version: str) -> NameIndex:
        return self._indexes[version]

    def entry(self, version: str, payer_id: str) -> PayerEntry | None:
        return self._entries[version].get(payer_id)

    def entries(self, version: str) -> list[PayerEntry]:
        return list(self._entries[version].values())


def shipped_files() -> dict[str, bytes]:
    folder = resources.files("intake.data").joinpath("directory")
    return {k.file: folder.joinpath(k.file).read_bytes() for k in schema.KINDS}


@functools.cache
def shipped() -> Compiled:
    """The layer's directory, compiled once per process."""
    return read_directory(shipped_files())


class ShippedStore:
    """The layer's directory as a read-only store of one version, ``shipped``."""

    def current(self) -> str | None:
        return SHIPPED

    def versions(self) -> list[VersionRecord]:
        return []

    def save(
        self, record: VersionRecord, entries: Mapping[str, PayerEntry], index: NameIndex
    ) -> None:
        raise Conflict("the shipped directory is read-only: import into the table")

    def make_current(self, version: str, expected: str | None) -> None:
        raise Conflict("the shipped directory is read-only: import into the table")

    def index(self, version: str) -> NameIndex:
        return shipped().index

    def entry(self, version: str, payer_id: str) -> PayerEntry | None:
        return shipped().entries.get(payer_id)

    def entries(self, version: str) -> list[PayerEntry]:
        return list(shipped().entries.values())
