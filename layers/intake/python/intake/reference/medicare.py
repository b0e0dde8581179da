"""Original Medicare at home: which benefit pays, decided from rules that name their source.

The rules are data (``intake/data/medicare_rules.json``): each has an id, the manual chapter and
section, LCD/article or statute it comes from, and what it says. A decision here carries the ids
of the rules it rests on, so the gate's timeline event and the estimate can cite them.

* Part B DME: a drug on the external infusion pump list (LCD L33794 / A52507), with the home
  infusion therapy (HIT) services benefit paid per day a professional is in the home
  (MBPM Ch.15 §320.8.2), the initial-visit code after a gap of more than 60 days (§320.8.3).
* Part B home IVIG: an IV immune globulin for a diagnosis on the MBPM Ch.15 §50.6 list, the
  drug only, with the items-and-services payment (Q2052).
* Part D: any other drug, by the patient's Part D plan; the per diem, supplies and nursing are
  not covered by Medicare.
* No Original Medicare prior authorization program covers any of these: no 278 to a MAC.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from importlib import resources
from typing import Any


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    cite: str
    says: str

    def label(self) -> str:
        return f"{self.cite}: {self.says}"


@functools.cache
def _data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        resources.files("intake.data").joinpath("medicare_rules.json").read_text("utf-8")
    )
    return data


def rule(rule_id: str) -> Rule:
    """One rule by id (KeyError for an unknown id: a decision must cite a real rule)."""
    entry = _data()["rules"][rule_id]
    return Rule(rule_id, entry["cite"], entry["says"])


def rules_version() -> str:
    return str(_data()["version"])


@dataclass(frozen=True, slots=True)
class YearFigure:
    amount: Decimal
    year: int
    """The year the figure is for (an earlier one when ``published`` is False)."""
    published: bool
    cite: str


def part_b_deductible(year: int) -> YearFigure:
    """The Part B deductible of ``year``; for a year not yet published, the latest one known
    (``published`` False: the caller names the assumption and lowers confidence)."""
    entry = _data()["part_b_deductible"]
    table = {int(y): Decimal(v) for y, v in entry["by_year"].items()}
    if year in table:
        return YearFigure(table[year], year, True, entry["cite"])
    latest = max(y for y in table if y <= year) if min(table) <= year else min(table)
    return YearFigure(table[latest], latest, False, entry["cite"])


def hit_gap_days() -> int:
    return int(_data()["rules"]["hit_initial_visit"]["gap_days"])


class HomeBenefit(StrEnum):
    PART_B_DME = "part_b_dme"
    PART_B_HOME_IVIG = "part_b_home_ivig"
    PART_D = "part_d"


@dataclass(frozen=True, slots=True)
class PumpDrug:
    name: str
    hcpcs: tuple[str, ...]
    hit_category: int


def pump_drug(hcpcs: str | None, names: Iterable[str] = ()) -> PumpDrug | None:
    """The LCD L33794 pump drug for this HCPCS code or drug name, if it is one."""
    wanted = {n.strip().lower() for n in names if n}
    for entry in _data()["pump_drugs"]["drugs"]:
        codes = tuple(entry["hcpcs"])
        if (hcpcs and hcpcs.upper() in codes) or any(entry["name"] in n for n in wanted):
            return PumpDrug(entry["name"], codes, int(entry["hit_category"]))
    return None


def is_ivig(hcpcs: str | None) -> bool:
    return bool(hcpcs) and str(hcpcs).upper() in set(_data()["ivig_drugs"]["hcpcs"])


def hit_codes(category: int) -> tuple[str, str]:
    """(initial, subsequent) G-codes of a HIT payment category."""
    codes = _data()["hit_codes"][str(category)]
    return codes["initial"], codes["subsequent"]


@dataclass(frozen=True, slots=True)
class HomeDecision:
    """Which Medicare benefit pays the drug at home, what else Medicare pays, and why."""

    benefit: HomeBenefit
    drug_paid_by: str
    services: str
    not_covered_by_medicare: tuple[str, ...]
    reasons: tuple[str, ...]
    rules: tuple[str, ...]
    hit_category: int | None = None
    services_code: str | None = None
    diagnosis_on_list: bool | None = None
    send_278_to_mac: bool = False

    def citations(self) -> list[str]:
        return [rule(r).cite for r in self.rules]


def decide_home_benefit(
    hcpcs: str | None,
    names: Iterable[str],
    diagnoses: Sequence[str],
    *,
    ivig_listed: Callable[[str], bool],
) -> HomeDecision:
    """The benefit that pays ``hcpcs`` at home under Original Medicare (module docstring).
    ``ivig_listed`` answers whether a diagnosis is on the home IVIG list (the code set's)."""
    pump = pump_drug(hcpcs, names)
    if pump is not None:
        initial, subsequent = hit_codes(pump.hit_category)
        return HomeDecision(
            HomeBenefit.PART_B_DME,
            "Part B DME (billed to the DME MAC as an external infusion pump supply, with the "
            "pump and supplies)",
            f"HIT services category {pump.hit_category}: {initial} on a first visit, "
            f"{subsequent} after, per day a professional is in the home",
            ("S-code per diem", "99601/99602 nursing"),
            (
                f"{pump.name} is an external infusion pump drug (LCD L33794): Part B pays it "
                "as a DME supply with the pump and supplies",
            ),
            ("part_b_dme_pump", "part_b_dme_drug", "hit_services", "hit_payment_day"),
            hit_category=pump.hit_category,
            services_code=subsequent,
        )
    if is_ivig(hcpcs):
        listed = [d for d in diagnoses if ivig_listed(d)]
        if listed:
            return HomeDecision(
                HomeBenefit.PART_B_HOME_IVIG,
                "Part B home IVIG benefit (billed to the DME MAC), the drug only",
                "the IVIG items-and-services payment Q2052 per administration",
                ("S-code per diem", "99601/99602 nursing"),
                (
                    f"IVIG at home for {', '.join(listed)}, on the MBPM Ch.15 §50.6 list: Part B "
                    "pays the drug; Q2052 pays the items and services",
                ),
                ("home_ivig", "ivig_items_services", "no_s_codes"),
                services_code="Q2052",
                diagnosis_on_list=True,
            )
        return HomeDecision(
            HomeBenefit.PART_D,
            "the patient's Part D plan (its formulary and coverage determination)",
            "none: Medicare pays no home infusion services for a Part D drug",
            ("S-code per diem", "supplies", "99601/99602 nursing"),
            (
                "IVIG at home is a Part B benefit only for a primary immune deficiency diagnosis "
                f"on the MBPM Ch.15 §50.6 list; {', '.join(diagnoses) or 'no diagnosis given'} "
                "is not on it",
            ),
            ("home_ivig", "part_d", "no_s_codes"),
            diagnosis_on_list=False,
        )
    return HomeDecision(
        HomeBenefit.PART_D,
        "the patient's Part D plan (its formulary and coverage determination)",
        "none: Medicare pays no home infusion services for a Part D drug",
        ("S-code per diem", "supplies", "99601/99602 nursing"),
        (
            f"{hcpcs or 'the drug'} is neither an external infusion pump drug (LCD L33794) nor "
            "home IVIG (MBPM Ch.15 §50.6): at home Part B does not pay it; Part D may",
        ),
        ("part_b_dme_drug", "part_b_dme_pump", "part_d", "no_s_codes"),
    )


def hit_visit_codes(
    category: int, visits: Sequence[date], *, last_visit_before: date | None = None
) -> list[tuple[date, str]]:
    """The HIT code per professional visit day (MBPM Ch.15 §320.8.2: only days a skilled
    professional is in the home are paid; §320.8.3: the initial-visit code on the first visit,
    and again only after a gap of more than 60 days). ``last_visit_before``: the last HIT
    visit before these, when there was one (None: these are the first)."""
    initial, subsequent = hit_codes(category)
    gap = hit_gap_days()
    out: list[tuple[date, str]] = []
    previous = last_visit_before
    for day in sorted(set(visits)):
        first = previous is None or (day - previous).days > gap
        out.append((day, initial if first else subsequent))
        previous = day
    return out


class Program(StrEnum):
    """Who pays, as a program: decides which rules apply (issue 23)."""

    ORIGINAL_MEDICARE = "original_medicare"
    MEDICARE_ADVANTAGE = "medicare_advantage"
    MEDICARE_SECONDARY = "medicare_secondary"
    """Original Medicare reporting another plan primary (MSP): verify with that plan."""
    MEDICAID = "medicaid"
    MEDIGAP = "medigap"
    COMMERCIAL = "commercial"


ORIGINAL_MEDICARE_TYPES = frozenset({"MA", "MB", "MP"})
MEDICARE_ADVANTAGE_TYPES = frozenset({"HN"})
MSP_TYPES = frozenset({"12", "13", "14", "15", "16", "41", "42", "43", "47"})
QMB_TYPES = frozenset({"QM"})
OTHER_PAYER_CODES = frozenset({"R", "U"})


@dataclass(frozen=True, slots=True)
class ProgramAnswer:
    program: Program
    reason: str
    other_payer: str | None = None
    """The plan the 271 names as the one to bill (an MA plan, the MSP primary)."""


def _named(lines: Sequence[Any]) -> str | None:
    for line in lines:
        for entity in line.related_entities:
            if entity.entity_code in {"PRP", "Y2", "PR"}:
                return str(entity.name)
        if line.plan_description:
            return str(line.plan_description)
    return None


def program(benefits: Any, payer_id: str | None = None) -> ProgramAnswer:
    """The patient's program from the 271 (EB04 types; an EB01 R/U line naming a Medicare
    Advantage plan or a Medicare-secondary type), else the payer's profile, else commercial."""
    from intake.reference.payer_profiles import payer_setting

    lines = list(benefits.benefits)
    own = {b.insurance_type for b in lines if b.insurance_type and b.code not in OTHER_PAYER_CODES}
    own |= {c.insurance_type for c in benefits.coverages if c.insurance_type}
    if benefits.plan.insurance_type:
        own.add(benefits.plan.insurance_type)
    other = [b for b in lines if b.code in OTHER_PAYER_CODES]
    if own & ORIGINAL_MEDICARE_TYPES:
        ma = [b for b in other if b.insurance_type in MEDICARE_ADVANTAGE_TYPES]
        if ma:
            return ProgramAnswer(
                Program.MEDICARE_ADVANTAGE,
                "Medicare reports a Medicare Advantage plan (EB01 R, EB04 HN): the plan is the "
                "payer, with its own authorization and network rules",
                _named(ma),
            )
        msp = [b for b in other if b.insurance_type in MSP_TYPES]
        if msp:
            return ProgramAnswer(
                Program.MEDICARE_SECONDARY,
                f"Medicare reports itself secondary (MSP type {msp[0].insurance_type}): the "
                "other plan pays first",
                _named(msp),
            )
    if own & MEDICARE_ADVANTAGE_TYPES:
        return ProgramAnswer(Program.MEDICARE_ADVANTAGE, "the 271 reports EB04 HN")
    if own & ORIGINAL_MEDICARE_TYPES:
        return ProgramAnswer(Program.ORIGINAL_MEDICARE, "the 271 reports Medicare Part A/B")
    if own & {"MC"}:
        return ProgramAnswer(Program.MEDICAID, "the 271 reports EB04 MC")
    if own & {"MH", "MI"}:
        return ProgramAnswer(Program.MEDIGAP, "the 271 reports a Medigap coverage")
    profiled = payer_setting(payer_id or "", "program") if payer_id else None
    if profiled:
        return ProgramAnswer(Program(profiled), f"the payer profile of {payer_id}")
    return ProgramAnswer(Program.COMMERCIAL, "no Medicare or Medicaid type in the 271")


def qmb(benefits: Any) -> bool:
    """Whether a 271 reports the patient a Qualified Medicare Beneficiary (EB04 QM)."""
    return any(b.insurance_type in QMB_TYPES for b in benefits.benefits) or (
        benefits.plan.insurance_type in QMB_TYPES
    )
