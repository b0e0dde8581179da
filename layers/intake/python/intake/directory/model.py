"""What the directory stores: one entry per payer (everything a referral's payer needs, read
with one lookup), a name index (names, aliases and the fields discovery ranks by) and the
version record of each import."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

PlanType = Literal[
    "commercial",
    "medicare_advantage",
    "original_medicare",
    "medigap",
    "medicaid",
    "government",
    "pbm",
    "unknown",
]
CopayAssistancePolicy = Literal["accumulator", "maximizer", "standard", "unknown"]
Channel = Literal["x12_278", "portal", "fax", "phone", "pbm"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PlanEntry(_Model):
    plan_key: str
    plan_name: str
    product: str | None = None
    plan_type: PlanType | None = None
    copay_assistance_policy: CopayAssistancePolicy = "unknown"
    source: str | None = None


class ContractEntry(_Model):
    """A contract row: the payer's (``plan_key`` None) or one plan's overrides."""

    plan_key: str | None = None
    in_network: bool | None = None
    schedule: str | None = None
    pharmacy_benefit: tuple[str, ...] = ()
    effective_from: date
    effective_to: date | None = None
    rates: dict[str, Decimal] = Field(default_factory=dict)


class PolicyEntry(_Model):
    required: bool
    documentation: tuple[str, ...] = ()
    policy: str | None = None
    source: str
    as_of: date


class RouteEntry(_Model):
    channel: Channel
    value: str
    drug: str | None = None


class PayerEntry(_Model):
    """Everything the directory knows about one payer."""

    payer_id: str
    name: str
    plan_type: PlanType
    states: tuple[str, ...] = ()
    medicare_jurisdiction: str | None = None
    demographic_270: Literal["yes", "no", "unknown"] = "unknown"
    directory_order: int
    service_types: tuple[str, ...] = ()
    ais_place_of_service: str | None = None
    ais_nursing: Literal["per_visit", "in_per_diem"] | None = None
    pbm: str | None = None
    source: str | None = None
    aliases: tuple[str, ...] = ()
    clearinghouse_ids: dict[str, str] = Field(default_factory=dict)
    plans: tuple[PlanEntry, ...] = ()
    contracts: tuple[ContractEntry, ...] = ()
    policies: dict[str, PolicyEntry] = Field(default_factory=dict)
    routes: tuple[RouteEntry, ...] = ()

    def plan(self, key: str | None) -> PlanEntry | None:
        wanted = (key or "").strip().upper()
        return next((p for p in self.plans if p.plan_key.upper() == wanted), None)

    def contract(self, plan_key: str | None = None, on: date | None = None) -> ContractEntry | None:
        """The contract row for the plan (None: the payer-wide row) in force on ``on``."""
        wanted = (plan_key or "").strip().upper() or None
        for row in self.contracts:
            if (row.plan_key.upper() if row.plan_key else None) != wanted:
                continue
            if on is not None and (
                on < row.effective_from or (row.effective_to and on > row.effective_to)
            ):
                continue
            return row
        return None


class IndexEntry(_Model):
    """A payer as name resolution and discovery see it (small: the whole index is one read)."""

    payer_id: str
    name: str
    plan_type: PlanType
    states: tuple[str, ...] = ()
    demographic_270: Literal["yes", "no", "unknown"] = "unknown"
    directory_order: int
    clearinghouse_ids: dict[str, str] = Field(default_factory=dict)
    names: tuple[str, ...] = ()
    """The payer's name and aliases, normalized (``intake.directory.names.normalize``)."""
    plans: tuple[str, ...] = ()
    """Its plans' names, normalized: product words a referral may write beside the payer."""


class NameIndex(_Model):
    payers: tuple[IndexEntry, ...]
    _by_id: dict[str, IndexEntry] | None = PrivateAttr(default=None)
    _by_name: dict[str, list[IndexEntry]] | None = PrivateAttr(default=None)

    def by_id(self, payer_id: str) -> IndexEntry | None:
        """By the pharmacy's id, else by a clearinghouse's id (built once per index)."""
        if self._by_id is None:
            table: dict[str, IndexEntry] = {}
            for entry in self.payers:
                for other in entry.clearinghouse_ids.values():
                    table.setdefault(other.upper(), entry)
            table.update({e.payer_id: e for e in self.payers})
            self._by_id = table
        return self._by_id.get(payer_id.strip().upper())

    def by_name(self, key: str) -> list[IndexEntry]:
        """The payers whose normalized name or alias is ``key``."""
        if self._by_name is None:
            table: dict[str, list[IndexEntry]] = {}
            for entry in self.payers:
                for name in entry.names:
                    table.setdefault(name, []).append(entry)
            self._by_name = table
        return self._by_name.get(key, [])


class VersionRecord(_Model):
    """One import: who, when, what it held."""

    version: str
    imported_by: str
    imported_at: datetime
    counts: dict[str, int]
    """Rows per file."""
    checksum: str
    """SHA-256 over the files' bytes in kind order (the same files give the same checksum)."""
    rolled_back_from: str | None = None
    """Set on a rollback's record: the version that was current before it."""
