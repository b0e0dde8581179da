"""Prior-authorization criteria as data, and the evidence found for them in a referral.

``criteria.json`` (``intake/data``) lists per drug class what a payer's reviewer commonly
requires, where each item is found in a referral, how old it may be, and per payer what
differs. ``evaluate`` marks each item ``met`` (saying where it was found: the referral, or a
document the clinic sent later and that was linked to it), ``stale`` (found, but dated too
long before receipt, or undated where a date is required) or ``missing``. Dates are judged
against the receipt date, never the clock, so the same referral always reads the same.

Every statement quotes what the clinic sent: the evaluator finds sentences, it never infers.
Only ids and labels are logged or put on tasks; the sentences themselves stay in the packet.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from intake.models.authorization import EvidenceItem, EvidenceSummary
from intake.models.referral import Referral
from intake.therapy.body import dates_in

Status = Literal["met", "stale", "missing"]
Find = Literal["weight", "diagnosis", "notes"]

_SENTENCE = re.compile(
    r"(?<=[.!?;])(?<!\b[A-Z]\.)(?<!\bDr\.)(?<!\bvs\.)(?<!\bMs\.)(?<!\bMr\.)\s+|(?<=。)\s*|\n+"
)
"""Sentence ends: not after an initial or a title ("E. coli", "Dr. Hart")."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Criterion(_Model):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    label: str
    find: Find
    keywords: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    max_age_days: int | None = Field(default=None, ge=1)
    report_type: str = Field(default="OZ", pattern=r"^[A-Z0-9]{2}$")


class DrugClass(_Model):
    label: str
    drugs: tuple[str, ...]
    diagnoses: tuple[str, ...] = ()
    """ICD-10 prefixes the class is for (empty: any diagnosis)."""
    items: tuple[Criterion, ...]

    def applies(self, referral: Referral, keys: set[str]) -> bool:
        if not keys & set(self.drugs):
            return False
        codes = [d.code.upper() for d in referral.diagnoses]
        return not self.diagnoses or any(c.startswith(self.diagnoses) for c in codes)


class ClassOverride(_Model):
    drop: tuple[str, ...] = ()
    add: tuple[Criterion, ...] = ()
    max_age_days: dict[str, int] = Field(default_factory=dict)


class PayerCriteria(_Model):
    accepts_unsigned_summary: bool = False
    classes: dict[str, ClassOverride] = Field(default_factory=dict)


class CriteriaTable(_Model):
    doc: str = Field(default="", alias="_doc")
    version: str
    classes: dict[str, DrugClass]
    payers: dict[str, PayerCriteria] = Field(default_factory=dict)
    default_payer: PayerCriteria = Field(default_factory=PayerCriteria)

    def class_of(self, referral: Referral) -> str | None:
        """The drug class of the referral's drug (HCPCS, else 11-digit NDC), or None."""
        t = referral.therapy
        keys = {k for k in (t.hcpcs, (t.ndc or "").replace("-", "")) if k}
        ordered = sorted(self.classes.items(), key=lambda kv: not kv[1].diagnoses)
        return next((name for name, c in ordered if c.applies(referral, keys)), None)

    def payer(self, payer_id: str) -> PayerCriteria:
        return self.payers.get(payer_id, self.default_payer)

    def items_for(self, drug_class: str, payer_id: str) -> tuple[Criterion, ...]:
        """The class's items with the payer's overrides applied."""
        items = list(self.classes[drug_class].items)
        override = self.payer(payer_id).classes.get(drug_class)
        if override is None:
            return tuple(items)
        items = [i for i in items if i.id not in override.drop] + list(override.add)
        return tuple(
            i.model_copy(update={"max_age_days": override.max_age_days[i.id]})
            if i.id in override.max_age_days
            else i
            for i in items
        )


@cache
def criteria_table() -> CriteriaTable:
    raw = resources.files("intake.data").joinpath("criteria.json").read_text(encoding="utf-8")
    return CriteriaTable.model_validate(json.loads(raw))


@dataclass(frozen=True, slots=True)
class Source:
    """A document evidence may be found in: the referral, or an upload linked to it."""

    name: str
    """Where, in words: "the referral", "records received 2026-11-30 (upload 3f2a…)"."""
    referral: Referral


@dataclass(frozen=True, slots=True)
class Evidence:
    """One criterion and what was found for it."""

    id: str
    label: str
    status: Status
    where: str = ""
    """The source and field it was found in (empty when missing)."""
    quote: str = ""
    """The sentence or value found (for the packet only; never logged)."""
    dated: date | None = None
    note: str = ""
    report_type: str = "OZ"

    @property
    def met(self) -> bool:
        return self.status == "met"

    def as_task_item(self) -> dict[str, str]:
        """What a task and the timeline carry: ids, labels and status, no clinical text."""
        out = {"id": self.id, "label": self.label, "status": self.status}
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True, slots=True)
class EvidenceReport:
    """Every criterion for the referral's drug and payer, evaluated."""

    drug_class: str | None
    class_label: str
    version: str
    items: tuple[Evidence, ...]

    @property
    def unmet(self) -> tuple[Evidence, ...]:
        return tuple(e for e in self.items if not e.met)

    @property
    def complete(self) -> bool:
        return not self.unmet

    def only(self, ids: list[str]) -> EvidenceReport:
        """The report with the items ``ids`` marked missing unless met (what a payer asked
        for is asked of the clinic even if our own reading thought it met)."""
        items = tuple(
            e
            if e.id not in ids
            else Evidence(
                e.id, e.label, "missing", note="the payer asked for it", report_type=e.report_type
            )
            for e in self.items
        )
        return EvidenceReport(self.drug_class, self.class_label, self.version, items)

    def summary(self) -> EvidenceSummary:
        """What the referral's authorization headline keeps of the evaluation."""
        return EvidenceSummary(
            drug_class=self.drug_class,
            criteria_version=self.version,
            items=[
                EvidenceItem.model_validate(e.as_task_item() | {"where": e.where})
                for e in self.items
            ],
        )


def sentences(text: str | None) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text or "") if s and s.strip()]


def _rank(text: str, keywords: tuple[str, ...]) -> int:
    """The position in ``keywords`` of the first one ``text`` mentions."""
    return next((n for n, k in enumerate(keywords) if _mentions(text, (k,))), len(keywords))


def _mentions(text: str, keywords: tuple[str, ...]) -> bool:
    low = f" {text.lower()} "
    return any(re.search(r"(?<![a-z])" + re.escape(k), low) for k in keywords)


def _evaluate_one(item: Criterion, sources: list[Source], received_on: date) -> Evidence:
    def ev(status: Status, **found: Any) -> Evidence:
        return Evidence(item.id, item.label, status, report_type=item.report_type, **found)

    if item.find == "weight":
        for s in sources:
            if s.referral.patient.weight_kg is not None:
                kg = s.referral.patient.weight_kg
                return ev("met", where=f"{s.name}: weight", quote=f"{kg:g} kg")
        return ev("missing", note="no weight in the referral")
    if item.find == "diagnosis":
        for s in sources:
            for d in s.referral.diagnoses:
                if any(d.code.upper().startswith(c) for c in item.codes):
                    return ev("met", where=f"{s.name}: diagnosis", quote=d.code)
        return ev("missing", note="no matching diagnosis code")
    # Free text: the newest dated mention across sources wins; an undated mention satisfies
    # only items that are history (no max age).
    best: Evidence | None = None
    if item.max_age_days is None:
        # history: the sentence with the most telling keyword (the list is in order of
        # weight: "moderate to severe" before the disease's name), first source first
        found = [
            (_rank(sentence, item.keywords), n, s, sentence)
            for n, s in enumerate(sources)
            for sentence in sentences(s.referral.clinical_notes)
            if _mentions(sentence, item.keywords)
        ]
        if found:
            _, _, s, sentence = min(found, key=lambda f: (f[0], f[1]))
            dated = max((d for d in dates_in(sentence) if d <= received_on), default=None)
            return ev("met", where=f"{s.name}: clinical notes", quote=sentence, dated=dated)
    for s in sources:
        for sentence in sentences(s.referral.clinical_notes):
            if not _mentions(sentence, item.keywords):
                continue
            dated = max((d for d in dates_in(sentence) if d <= received_on), default=None)
            where = f"{s.name}: clinical notes"
            if item.max_age_days is None:
                return ev("met", where=where, quote=sentence, dated=dated)
            if dated is None:
                candidate = ev(
                    "stale",
                    where=where,
                    quote=sentence,
                    note="mentioned without a date: a dated result is needed",
                )
            elif received_on - dated > timedelta(days=item.max_age_days):
                candidate = ev(
                    "stale",
                    where=where,
                    quote=sentence,
                    dated=dated,
                    note=f"dated {dated.isoformat()}, more than {item.max_age_days} days "
                    "before the referral: a current result is needed",
                )
            else:
                return ev("met", where=where, quote=sentence, dated=dated)
            if best is None or (candidate.dated or date.min) > (best.dated or date.min):
                best = candidate
    return best or ev("missing", note="not in the referral")


def evaluate(
    referral: Referral,
    *,
    received_on: date,
    linked: list[Source] | None = None,
    table: CriteriaTable | None = None,
) -> EvidenceReport:
    """Each criterion for the referral's drug at its payer: met (and where), stale or missing.
    ``linked`` are documents the clinic sent later, newest last (searched after the referral).
    A drug with no criteria gives an empty, complete report."""
    table = table or criteria_table()
    drug_class = table.class_of(referral)
    if drug_class is None:
        return EvidenceReport(None, "", table.version, ())
    sources = [Source("the referral", referral), *(linked or [])]
    items = table.items_for(drug_class, referral.insurance.payer_id)
    return EvidenceReport(
        drug_class,
        table.classes[drug_class].label,
        table.version,
        tuple(_evaluate_one(i, sources, received_on) for i in items),
    )
