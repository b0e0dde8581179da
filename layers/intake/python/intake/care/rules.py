"""The clinical rule table (``intake/data/clinical_rules.json``): per drug, the allergies,
interactions, conditions and earlier reactions that stop a referral for a pharmacist, the labs
the label asks for, storage and administration, each naming its label section and revision.

A drug is found by its HCPCS code, else by a name in the drug name; a drug not in the table
has no rules (``None``), which the assessment reports as unknown, never as "no conflict"."""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

from intake.care.model import Source

RuleKind = Literal["allergy", "interaction", "condition", "prior_reaction"]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    kind: RuleKind
    why: str
    section: str
    match: tuple[str, ...] = ()
    icd10: tuple[str, ...] = ()
    severities: tuple[str, ...] | None = None
    """None: every severity."""


@dataclass(frozen=True, slots=True)
class LabRule:
    id: str
    name: str
    when: str
    before_first_dose: bool
    section: str
    match: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DrugRules:
    hcpcs: str
    drug: str
    names: tuple[str, ...]
    label: dict[str, Any]
    rules: tuple[Rule, ...]
    labs: tuple[LabRule, ...]
    storage: dict[str, Any]
    administration: dict[str, Any]

    def source(self, section: str | None) -> Source:
        return Source(
            title=str(self.label["title"]),
            section=section,
            setid=self.label.get("setid"),
            revised=self.label.get("revised"),
            read_from=self.label.get("read_from"),
        )


@dataclass(frozen=True, slots=True)
class SiteReason:
    id: str
    why: str
    source: str


@dataclass(frozen=True, slots=True)
class RuleTable:
    version: str
    drugs: dict[str, DrugRules]
    site_reasons: dict[str, SiteReason]

    def for_drug(self, hcpcs: str | None, drug_name: str | None) -> DrugRules | None:
        if hcpcs and hcpcs.upper() in self.drugs:
            return self.drugs[hcpcs.upper()]
        name = (drug_name or "").lower()
        for rules in self.drugs.values():
            if any(mentions(name, n) for n in rules.names):
                return rules
        return None


def mentions(text: str, term: str) -> bool:
    """``term`` as whole words in ``text`` (case-insensitive): 'tb' in 'TB test', not in 'stb'."""
    return (
        re.search(rf"(?<![a-z0-9]){re.escape(term.lower())}(?![a-z0-9])", text.lower()) is not None
    )


def _rule(raw: dict[str, Any]) -> Rule:
    severities = raw.get("severities")
    return Rule(
        id=raw["id"],
        kind=raw["kind"],
        why=raw["why"],
        section=raw["section"],
        match=tuple(raw.get("match", ())),
        icd10=tuple(raw.get("icd10", ())),
        severities=None if severities in (None, "any") else tuple(severities),
    )


@functools.cache
def rule_table() -> RuleTable:
    raw = json.loads(
        resources.files("intake.data").joinpath("clinical_rules.json").read_text("utf-8")
    )
    drugs = {
        hcpcs: DrugRules(
            hcpcs=hcpcs,
            drug=entry["drug"],
            names=tuple(entry["names"]),
            label=entry["label"],
            rules=tuple(_rule(r) for r in entry["rules"]),
            labs=tuple(
                LabRule(
                    id=lab["id"],
                    name=lab["name"],
                    when=lab["when"],
                    before_first_dose=bool(lab["before_first_dose"]),
                    section=lab["section"],
                    match=tuple(lab["match"]),
                )
                for lab in entry["labs"]
            ),
            storage=entry["storage"],
            administration=entry["administration"],
        )
        for hcpcs, entry in raw["drugs"].items()
    }
    reasons = {
        r["id"]: SiteReason(r["id"], r["why"], r["source"]) for r in raw["site_of_care"]["reasons"]
    }
    return RuleTable(raw["version"], drugs, reasons)


@functools.cache
def first_dose_table() -> dict[str, dict[str, Any]]:
    """``first_dose.json``: premedication and observation per HCPCS, each with its source."""
    raw = resources.files("intake.data").joinpath("first_dose.json").read_text("utf-8")
    drugs: dict[str, dict[str, Any]] = json.loads(raw)["drugs"]
    return drugs
