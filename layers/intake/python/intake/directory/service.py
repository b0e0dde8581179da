"""The payer directory: import (a version), versions, rollback, export, and the lookups.

Reads are lazy and cached per container keyed by the version: the current version's pointer
is read at most once per ``pointer_seconds``; the name index and each payer entry are read
once per version (a Lambda that asks about one payer reads that payer's entry and nothing
else; name resolution and discovery read the index, one item).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from intake.core.clock import utcnow
from intake.core.errors import Conflict
from intake.directory.csvfiles import read_directory, write_directory
from intake.directory.model import (
    CopayAssistancePolicy,
    NameIndex,
    PayerEntry,
    PlanType,
    PolicyEntry,
    VersionRecord,
)
from intake.directory.resolve import Resolution, resolve, resolve_271
from intake.directory.store import DirectoryStore


@dataclass(frozen=True, slots=True)
class LikelyPayer:
    """A payer discovery may ask, in the directory's order."""

    payer_id: str
    name: str
    clearinghouse_payer_id: str | None
    """The id a 270 names it by at the clearinghouse (None: the directory has none)."""
    plan_type: PlanType
    demographic_270: str
    """yes | no | unknown: whether it answers a 270 without a member id."""
    directory_order: int


@dataclass(frozen=True, slots=True)
class DecidingPolicy:
    """The directory's policy for a payer and drug, with where it came from."""

    payer_id: str
    drug: str
    policy: PolicyEntry
    version: str


class PayerDirectory:
    def __init__(
        self,
        store: DirectoryStore,
        *,
        clearinghouse: str = "sandbox",
        clock: Callable[[], datetime] = utcnow,
        pointer_seconds: float = 30.0,
    ) -> None:
        self._store = store
        self._clearinghouse = clearinghouse
        self._clock = clock
        self._pointer_seconds = pointer_seconds
        self._pointer: tuple[float, str | None] | None = None
        self._index: tuple[str, NameIndex] | None = None
        self._entries: dict[tuple[str, str], PayerEntry | None] = {}

    # ---------------------------------------------------------------- versions
    def import_files(self, files: Mapping[str, bytes], who: str) -> VersionRecord:
        """Validate every file and make them the current version; DirectoryInvalid (nothing
        applied) when any row is bad."""
        compiled = read_directory(files)
        current = self._store.current()
        numbers = [int(r.version.removeprefix("v")) for r in self._store.versions()]
        record = VersionRecord(
            version=f"v{max(numbers, default=0) + 1:04d}",
            imported_by=who,
            imported_at=self._clock(),
            counts=compiled.counts,
            checksum=compiled.checksum,
        )
        self._store.save(record, compiled.entries, compiled.index)
        self._store.make_current(record.version, current)
        self._pointer = None
        return record

    def versions(self) -> tuple[str | None, list[VersionRecord]]:
        return self._store.current(), self._store.versions()

    def rollback(self, version: str) -> str | None:
        """Make an earlier import current again; returns the version it replaced."""
        current = self._store.current()
        if version not in {r.version for r in self._store.versions()}:
            raise Conflict(f"no directory version {version}")
        self._store.make_current(version, current)
        self._pointer = None
        return current

    def export(self, version: str | None = None) -> dict[str, bytes]:
        wanted = version or self.version()
        if wanted is None:
            raise Conflict("no directory imported")
        return write_directory(self._store.entries(wanted))

    # ---------------------------------------------------------------- reads
    def version(self) -> str | None:
        now = time.monotonic()
        if self._pointer is None or now - self._pointer[0] > self._pointer_seconds:
            self._pointer = (now, self._store.current())
        return self._pointer[1]

    def index(self) -> NameIndex:
        version = self.version()
        if version is None:
            return NameIndex(payers=())
        if self._index is None or self._index[0] != version:
            self._index = (version, self._store.index(version))
        return self._index[1]

    def payer(self, payer_id: str | None) -> PayerEntry | None:
        """The payer's whole entry, by the pharmacy's id (one read per version)."""
        version = self.version()
        key = (payer_id or "").strip().upper()
        if version is None or not key:
            return None
        if (version, key) not in self._entries:
            self._entries[version, key] = self._store.entry(version, key)
        return self._entries[version, key]

    def resolve(self, payer_id: str | None, payer_name: str | None) -> Resolution:
        return resolve(self.index(), payer_id, payer_name)

    def resolve_271(self, payer_id: str | None, payer_name: str | None) -> Resolution:
        return resolve_271(self.index(), payer_id, payer_name)

    def likely_payers(self, state: str | None, limit: int) -> list[LikelyPayer]:
        """Payers for discovery, in directory order: those covering ``state`` (a payer whose
        states are not stated is kept, since it may), PBMs left out; None: every state."""
        wanted = (state or "").strip().upper() or None
        out: list[LikelyPayer] = []
        for entry in self.index().payers:
            if len(out) >= limit:
                break
            if entry.plan_type == "pbm":
                continue
            if wanted and entry.states and wanted not in entry.states:
                continue
            out.append(
                LikelyPayer(
                    payer_id=entry.payer_id,
                    name=entry.name,
                    clearinghouse_payer_id=entry.clearinghouse_ids.get(self._clearinghouse),
                    plan_type=entry.plan_type,
                    demographic_270=entry.demographic_270,
                    directory_order=entry.directory_order,
                )
            )
        return out

    def copay_assistance_policy(
        self, payer_id: str | None, plan_key: str | None
    ) -> CopayAssistancePolicy:
        """How the plan counts manufacturer assistance; ``unknown`` when the directory does not
        have the payer or the plan, or the plan's row does not say (never assumed)."""
        payer = self.payer(payer_id)
        plan = payer.plan(plan_key) if payer else None
        return plan.copay_assistance_policy if plan else "unknown"

    def policy_for(self, payer_id: str | None, drug: str | None) -> DecidingPolicy | None:
        """The payer's prior-authorization policy for the drug (HCPCS or 11-digit NDC)."""
        payer = self.payer(payer_id)
        code = (drug or "").strip().upper()
        if payer is None or code not in payer.policies:
            return None
        return DecidingPolicy(payer.payer_id, code, payer.policies[code], self.version() or "")
