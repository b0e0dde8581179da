"""Prior-authorization criteria as data, and the evidence found for them, read as a reviewer
reads it.

``criteria.json`` (``intake/data``) lists per drug class (and, where a class spans several
indications, per indication) what a payer's reviewer requires, where each item is found in a
referral, how old it may be, and per payer what differs. ``evaluate`` reads, in this order:

1. structured facts: a diagnosis code, the structured weight, a coded clinical fact (FHIR
   Observation, Condition, MedicationStatement, Procedure; HL7 OBX, DG1, RXA): ``met``, naming
   the fact (``where``) and its date;
2. free text, by whole words and phrases only ("alt" is not in "Alternating"), each mention
   read with NegEx (``negex.py``: "no", "denies", "not done", "pending", "ruled out",
   "history of"): an affirmed mention is ``to_confirm``: a quote for a person to confirm,
   never counted as an attached result; a negated or pending one is no evidence at all.

``stale`` is found but dated too long before receipt (or undated where a date is needed);
``missing`` is not found (a negated mention is named in the note). Dates are judged against the
receipt date, never the clock, so the same referral always reads the same.

Only what a document among the referral's documents holds is ever attached (X12 PWK): a coded
fact (the original that carries it goes with the packet) or records the clinic sent later and
that were linked to the referral. A sentence of the referral's own notes is quoted, never
attached. Only ids and labels are logged or put on tasks; the sentences stay in the packet.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from intake.authorization.packet import negex
from intake.models.authorization import EvidenceItem, EvidenceSummary
from intake.models.referral import ClinicalFact, Referral
from intake.therapy.body import dates_in

Status = Literal["met", "to_confirm", "stale", "missing"]
Find = Literal["weight", "diagnosis", "notes"]
When = Literal["any", "initial", "continuation"]
FactKind = Literal["observation", "condition", "medication", "procedure", "immunization"]
Basis = Literal["structured", "text", ""]

_SENTENCE = re.compile(
    r"(?<=[.!?])(?<!\b[A-Z]\.)(?<!\bDr\.)(?<!\bvs\.)(?<!\bMs\.)(?<!\bMr\.)\s+|(?<=。)\s*|\n+"
)
"""Sentence ends: not after an initial or a title ("E. coli", "Dr. Hart"); a ";" does not end
a sentence (a list of prior therapies is one sentence), it ends a clause (``clauses``)."""
_CLAUSE = re.compile(r"(?<=;)\s*")


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
    fact_kinds: tuple[FactKind, ...] = ()
    """Coded facts that can meet it (empty: none; only text is searched)."""
    negative_result_counts: bool = False
    """A screening: "negative for hepatitis B" is the result wanted, not an absent test."""
    when: When = "any"
    """``continuation``: asked only when a course is re-authorized (response documented,
    trough levels, a dose-reduction attempt); ``initial``: only for a first request."""
    source: str = ""
    """The label section or policy the item comes from."""


class DrugClass(_Model):
    label: str
    drugs: tuple[str, ...]
    diagnoses: tuple[str, ...] = ()
    """ICD-10 prefixes the class is for (empty: any diagnosis)."""
    items: tuple[Criterion, ...]

    source: str = ""
    """Where the class's items come from (label sections, policy ids)."""

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
    basis: Basis = ""
    """``structured`` (a code, a field, a coded fact) or ``text`` (a sentence read)."""
    document: bool = False
    """Held by a document among the referral's documents (a coded fact of the original, or
    records the clinic sent and that were linked): only then may the 278 claim it attached."""

    @property
    def met(self) -> bool:
        return self.status == "met"

    @property
    def to_confirm(self) -> bool:
        """Found in free text: quoted for a person to confirm, never counted as a result."""
        return self.status == "to_confirm"

    @property
    def found(self) -> bool:
        """Met, or quoted for confirmation: nothing to ask the clinic for."""
        return self.status in ("met", "to_confirm")

    @property
    def attached(self) -> bool:
        """What the 278 may name as an attachment (PWK): found, and held by a document."""
        return self.found and self.document

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
        """What the clinic must still send: items missing or out of date (a quote to confirm
        is not asked for again; it is shown for a person to confirm)."""
        return tuple(e for e in self.items if not e.found)

    @property
    def to_confirm(self) -> tuple[Evidence, ...]:
        return tuple(e for e in self.items if e.to_confirm)

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


def clauses(sentence: str) -> list[str]:
    """A sentence's parts between ";": a date or a negation speaks for its own clause."""
    return [c.strip() for c in _CLAUSE.split(sentence) if c.strip()]


def _age_check(
    ev: Callable[..., Evidence], item: Criterion, dated: date | None, found: dict[str, Any]
) -> Evidence | None:
    """``None`` when the date is recent enough (or the item is history), else the stale
    finding saying why."""
    if item.max_age_days is None:
        return None
    if dated is None:
        return ev("stale", **found, note="mentioned without a date: a dated result is needed")
    return ev(
        "stale",
        **found,
        dated=dated,
        note=f"dated {dated.isoformat()}, more than {item.max_age_days} days before the "
        "referral: a current result is needed",
    )


def _fresh(item: Criterion, dated: date | None, received_on: date) -> bool:
    if item.max_age_days is None:
        return True
    return dated is not None and received_on - dated <= timedelta(days=item.max_age_days)


_FACT_SKIP = frozenset({"entered-in-error", "cancelled", "not-done", "preliminary", "registered"})
"""FHIR statuses of a fact that is no result (Observation.status, Procedure.status)."""
_FACT_NEGATIVE = frozenset(
    {"neg", "negative", "n", "nonreactive", "non-reactive", "nr", "not detected"}
)


def _fact_text(f: ClinicalFact) -> str:
    return " ".join(x for x in (f.display, f.code, f.value) if x)


def _from_facts(
    item: Criterion, sources: list[Source], received_on: date, ev: Callable[..., Evidence]
) -> Evidence | None:
    """The newest coded fact that meets the item (its kind, a keyword of its name or code,
    a result status), or a stale one when only old ones exist."""
    best: Evidence | None = None
    for s in sources:
        for f in s.referral.clinical_facts:
            if f.kind.value not in item.fact_kinds or (f.status or "").lower() in _FACT_SKIP:
                continue
            if negex.find(_fact_text(f), item.keywords) is None:
                continue
            negative = (f.interpretation or "").lower() in _FACT_NEGATIVE
            if negative and not item.negative_result_counts:
                continue
            dated = f.effective if f.effective is None or f.effective <= received_on else None
            found: dict[str, Any] = {
                "where": f"{s.name}: {f.source}",
                "quote": " ".join(
                    x for x in (f.display or f.code, f.value, f.unit, f.interpretation) if x
                ),
                "basis": "structured",
                "document": True,
            }
            if _fresh(item, dated, received_on):
                candidate = ev("met", **found, dated=dated)
            else:
                candidate = _age_check(ev, item, dated, found) or ev("met", **found, dated=dated)
            rank = (candidate.met, candidate.dated or date.min)
            if best is None or rank > (best.met, best.dated or date.min):
                best = candidate
    return best


def _from_text(
    item: Criterion, sources: list[Source], received_on: date, ev: Callable[..., Evidence]
) -> Evidence:
    """Sentences that mention the item by whole words and affirm it (NegEx): the best one is
    a quote to confirm. A linked document the clinic sent beats the referral's own notes (it
    can be attached); then the most telling keyword (the list is in order of weight), then
    the newest date. A negated or pending mention is named in the note of a missing item."""
    found: list[tuple[tuple[int, int, date], Evidence]] = []
    denied: list[str] = []
    stale: Evidence | None = None
    for n, s in enumerate(sources):
        linked = n > 0
        for sentence, clause in (
            (whole, part)
            for whole in sentences(s.referral.clinical_notes)
            for part in clauses(whole)
        ):
            hit = negex.find(clause, item.keywords)
            if hit is None:
                continue
            rank, span = hit
            reading = negex.read(clause, span)
            if reading.assertion == "negative_result" and not item.negative_result_counts:
                denied.append(f"'{reading.trigger}'")
                continue
            if reading.assertion in ("negated", "possible"):
                denied.append(f"'{reading.trigger}'")
                continue
            if reading.assertion == "historical" and item.max_age_days is not None:
                denied.append(f"'{reading.trigger}'")
                continue
            dated = max((d for d in dates_in(clause) if d <= received_on), default=None)
            where = f"{s.name}: clinical notes"
            kept: dict[str, Any] = {
                "where": where,
                "quote": sentence,
                "basis": "text",
                "document": linked,
            }
            if not _fresh(item, dated, received_on):
                candidate = _age_check(ev, item, dated, kept)
                assert candidate is not None
                if stale is None or (candidate.dated or date.min) > (stale.dated or date.min):
                    stale = candidate
                continue
            note = "free text: a person confirms it against the records"
            found.append(
                (
                    (int(linked), -rank, dated or date.min),
                    ev("to_confirm", **kept, dated=dated, note=note),
                )
            )
    if found:
        return max(found, key=lambda f: f[0])[1]
    if stale is not None:
        return stale
    if denied:
        return ev(
            "missing",
            note="the notes mention it only as not done, negative or pending ("
            + ", ".join(sorted(set(denied)))
            + "): a result is needed",
        )
    return ev("missing", note="not in the referral")


def _weight(
    item: Criterion, sources: list[Source], received_on: date, ev: Callable[..., Evidence]
) -> Evidence:
    """The weight as ``intake.therapy.body`` reads it: structured or coded (met), or from the
    notes or the order (a quote to confirm); too old for the item's max age: stale."""
    from intake.therapy.body import body_of

    for n, s in enumerate(sources):
        body = body_of(s.referral)
        if body.weight is None:
            continue
        w = body.weight
        structured = w.where in ("structured", "clinical fact")
        where = f"{s.name}: " + ("weight" if w.where == "structured" else w.where)
        quote = f"{w.shown} kg" if w.where == "structured" else f"{w.written} ({w.shown} kg)"
        found: dict[str, Any] = {
            "where": where,
            "quote": quote,
            "basis": "structured" if structured else "text",
            "document": structured or n > 0,
        }
        if w.measured_on is not None and not _fresh(item, w.measured_on, received_on):
            return _age_check(ev, item, w.measured_on, found) or ev("stale", **found)
        status: Status = "met" if structured else "to_confirm"
        note = "" if structured else "read from free text: a person confirms it"
        return ev(status, **found, dated=w.measured_on, note=note)
    why = "; ".join(c for s in sources for c in body_of(s.referral).conflicts)
    return ev("missing", note=why or "no weight in the referral (structured, coded or notes)")


def _evaluate_one(item: Criterion, sources: list[Source], received_on: date) -> Evidence:
    def ev(status: Status, **found: Any) -> Evidence:
        return Evidence(item.id, item.label, status, report_type=item.report_type, **found)

    if item.find == "weight":
        return _weight(item, sources, received_on, ev)
    if item.find == "diagnosis":
        for s in sources:
            for d in s.referral.diagnoses:
                if any(d.code.upper().startswith(c) for c in item.codes):
                    return ev(
                        "met",
                        where=f"{s.name}: diagnosis",
                        quote=d.code,
                        basis="structured",
                        document=True,
                    )
        return ev("missing", note="no matching diagnosis code")
    fact = _from_facts(item, sources, received_on, ev) if item.fact_kinds else None
    if fact is not None and fact.met:
        return fact
    text = _from_text(item, sources, received_on, ev)
    if text.found or fact is None:
        return text
    return fact


def evaluate(
    referral: Referral,
    *,
    received_on: date,
    linked: list[Source] | None = None,
    table: CriteriaTable | None = None,
    continuation: bool = False,
) -> EvidenceReport:
    """Each criterion for the referral's drug at its payer: met (and where), stale or missing.
    ``linked`` are documents the clinic sent later, newest last (searched after the referral).
    A drug with no criteria gives an empty, complete report."""
    table = table or criteria_table()
    drug_class = table.class_of(referral)
    if drug_class is None:
        return EvidenceReport(None, "", table.version, ())
    sources = [Source("the referral", referral), *(linked or [])]
    items = tuple(
        i
        for i in table.items_for(drug_class, referral.coverage.payer_id)
        if i.when == "any" or (i.when == "continuation") == continuation
    )
    return EvidenceReport(
        drug_class,
        table.classes[drug_class].label,
        table.version,
        tuple(_evaluate_one(i, sources, received_on) for i in items),
    )
