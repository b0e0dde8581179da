"""The clinical rule table (``intake/data/clinical_rules.json``): per drug, the allergies,
medicines, conditions, vaccines and earlier reactions that stop a referral for a pharmacist
(each with what the label makes of it: contraindication, warning, interaction,
cross-sensitivity, allergy, and the section it rests on), the labs the label or the IDSA OPAT
guideline asks for, storage, administration and what bears on the site of care.

A drug is found by its HCPCS code, else by the longest of its names in the drug text; a drug
not in the table has no rules (``None``), which the assessment reports as unknown, never as
"no conflict"."""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Literal

from intake.care.model import Source

MatchOn = Literal["allergy", "medicine", "condition", "prior_reaction", "vaccine"]
Kind = Literal["contraindication", "warning", "interaction", "cross_sensitivity", "allergy"]
PRECEDENCE: tuple[str, ...] = (
    "contraindication",
    "allergy",
    "warning",
    "interaction",
    "cross_sensitivity",
    "instability",
)
"""Which finding leads when several match (the first in this order)."""


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    on: MatchOn
    kind: Kind
    label_section: str
    section: str
    why: str
    match: tuple[str, ...] = ()
    icd10: tuple[str, ...] = ()
    severities: tuple[str, ...] | None = None
    """None: every severity."""
    age_max_days: int | None = None
    age_min_days: int | None = None

    def applies_at(self, age_days: int | None) -> bool:
        """Whether the rule applies at this age (an unknown age: every rule may apply)."""
        if age_days is None:
            return True
        if self.age_max_days is not None and age_days > self.age_max_days:
            return False
        return not (self.age_min_days is not None and age_days < self.age_min_days)


@dataclass(frozen=True, slots=True)
class LabRule:
    id: str
    name: str
    due: str
    repeat: str
    section: str
    match: tuple[str, ...]
    repeat_words: str | None = None
    window_days: tuple[int, int] | None = None
    threshold: str | None = None


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
    site: dict[str, Any] = field(default_factory=dict)
    evaluations: dict[str, Any] | None = None

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
    recommends: str
    why: str
    source: str
    review: str | None = None


@dataclass(frozen=True, slots=True)
class RuleTable:
    version: str
    drugs: dict[str, DrugRules]
    site_reasons: dict[str, SiteReason]

    def for_drug(self, hcpcs: str | None, drug_name: str | None) -> DrugRules | None:
        if hcpcs and hcpcs.upper() in self.drugs:
            return self.drugs[hcpcs.upper()]
        name = drug_name or ""
        found = [
            (len(n), rules)
            for rules in self.drugs.values()
            for n in rules.names
            if mentions(name, n)
        ]
        return max(found, key=lambda x: x[0])[1] if found else None


def mentions(text: str, term: str) -> bool:
    """``term`` as whole words in ``text`` (case-insensitive): 'tb' in 'TB test', not in 'stb'."""
    return _at(text, term) is not None


def _at(text: str, term: str) -> re.Match[str] | None:
    pattern = rf"(?<![a-z0-9]){re.escape(term.lower())}(?![a-z0-9])"
    return re.search(pattern, text.lower())


_NEGATED_BEFORE = re.compile(
    r"(?:\bno\b|\bnot\b|\bdenies\b|\bdenied\b|\bwithout\b|\bnegative for\b|\bruled out\b|"
    r"\bfree of\b|\babsence of\b)[^;,.]*$"
)
_NEGATED_AFTER = re.compile(r"^[^;,.]*?\b(?:negative|ruled out|excluded|not detected)\b")


def affirmed(text: str, term: str) -> bool:
    """``term`` in ``text`` and not negated in its clause: NegEx's pre-negation triggers
    ("no", "denies", "negative for", "ruled out" …) before it, or "negative"/"ruled out" after
    it (Chapman et al., J Biomed Inform 2001). 'HBsAg negative' is not hepatitis B."""
    found = _at(text, term)
    if found is None:
        return False
    before = text.lower()[: found.start()]
    after = text.lower()[found.end() :]
    return not (_NEGATED_BEFORE.search(before) or _NEGATED_AFTER.search(after))


def _rule(raw: dict[str, Any]) -> Rule:
    severities = raw.get("severities")
    return Rule(
        id=raw["id"],
        on=raw["on"],
        kind=raw["kind"],
        label_section=raw["label_section"],
        section=raw["section"],
        why=raw["why"],
        match=tuple(raw.get("match", ())),
        icd10=tuple(raw.get("icd10", ())),
        severities=None if severities in (None, "any") else tuple(severities),
        age_max_days=raw.get("age_max_days"),
        age_min_days=raw.get("age_min_days"),
    )


def _lab(raw: dict[str, Any]) -> LabRule:
    window = raw.get("window_days")
    return LabRule(
        id=raw["id"],
        name=raw["name"],
        due=raw["due"],
        repeat=raw["repeat"],
        section=raw["section"],
        match=tuple(raw["match"]),
        repeat_words=raw.get("repeat_words"),
        window_days=(int(window[0]), int(window[1])) if window else None,
        threshold=raw.get("threshold"),
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
            labs=tuple(_lab(lab) for lab in entry["labs"]),
            storage=entry["storage"],
            administration=entry["administration"],
            site=entry.get("site", {}),
            evaluations=entry.get("evaluations"),
        )
        for hcpcs, entry in raw["drugs"].items()
    }
    reasons = {
        r["id"]: SiteReason(r["id"], r["recommends"], r["why"], r["source"], r.get("review"))
        for r in raw["site_of_care"]["reasons"]
    }
    return RuleTable(raw["version"], drugs, reasons)


@functools.cache
def first_dose_table() -> dict[str, dict[str, Any]]:
    """``first_dose.json``: premedication and observation per HCPCS, each with its source."""
    raw = resources.files("intake.data").joinpath("first_dose.json").read_text("utf-8")
    drugs: dict[str, dict[str, Any]] = json.loads(raw)["drugs"]
    return drugs
