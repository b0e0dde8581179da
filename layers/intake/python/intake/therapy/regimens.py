"""The regimen table (``intake/data/regimens.json``): each drug's dosing from its US label.

One entry per drug, each regimen citing the label section it comes from (DailyMed setid,
section, revision as read). A regimen is a list of phases, each with its own dose (flat, per
kg, per m², a weight table), the days it is given in a cycle, how often the cycle repeats,
how many cycles, a total divided over consecutive days, and what its first cycle counts from
*as that label says it* (ocrelizumab's first 600 mg dose is counted from infusion 1 of the
initial dose; infliximab's maintenance from the week-6 dose). Nothing here is a default typed
from memory: a rule the label leaves open says so (``open_rule``) with the reading used.

``label_schedule`` applies the label to a referral's separate dose and frequency fields where
the order leaves something open (what "every 6 months" counts from; when the two loading doses
of "300 mg x 2, then 600 mg" fall), and says so in plain words; it never changes what the order
states.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from intake.therapy.prescription import DosePlan, Frequency

Anchor = Literal["regimen_start", "previous_phase_first", "previous_phase_last"]


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Tier(_Data):
    """One row of a weight table: ``below_kg`` (exclusive) or ``through_kg`` (inclusive)."""

    mg: Decimal
    below_kg: Decimal | None = None
    through_kg: Decimal | None = None

    def holds(self, weight_kg: Decimal) -> bool:
        if self.below_kg is not None:
            return weight_kg < self.below_kg
        if self.through_kg is not None:
            return weight_kg <= self.through_kg
        return True


class LabelDose(_Data):
    """A label dose: ``amount`` (or a ``range``) in ``unit`` per ``per``, or a weight table."""

    amount: Decimal | None = None
    range: tuple[Decimal, Decimal] | None = None
    unit: Literal["mg", "g"] = "mg"
    per: Literal["kg", "m2"] | None = None
    tiers: tuple[Tier, ...] = ()

    def mg(self, value: Decimal) -> Decimal:
        return value * (1000 if self.unit == "g" else 1)

    def tier_mg(self, weight_kg: Decimal) -> Decimal | None:
        return next((t.mg for t in self.tiers if t.holds(weight_kg)), None)

    def describe(self) -> str:
        per = f"/{self.per}" if self.per else ""
        if self.tiers:
            return "by weight (" + ", ".join(_tier_text(t) for t in self.tiers) + ")"
        if self.range is not None:
            return f"{self.range[0]}-{self.range[1]} {self.unit}{per}"
        return f"{self.amount} {self.unit}{per}"


def _tier_text(tier: Tier) -> str:
    if tier.below_kg is not None:
        return f"under {tier.below_kg} kg {tier.mg} mg"
    if tier.through_kg is not None:
        return f"up to {tier.through_kg} kg {tier.mg} mg"
    return f"above {tier.mg} mg"


class Split(_Data):
    min: int
    max: int


class Phase(_Data):
    name: str
    dose: LabelDose | None = None
    escalation: LabelDose | None = None
    """A dose the label allows after the starting one ("increase to 8 mg/kg on response")."""
    at_days: tuple[int, ...] = (0,)
    every_days: int | None = None
    range_days: tuple[int, int] | None = None
    months_as_days: dict[str, int] = Field(default_factory=dict)
    count_options: tuple[int, ...] = ()
    split_days: Split | None = None
    from_: Anchor = Field(default="regimen_start", alias="from")
    after_days: int = 0

    def interval_text(self) -> str:
        if self.range_days is not None:
            return f"every {days_text(self.range_days[0])} to {days_text(self.range_days[1])}"
        if self.every_days is None:
            return "once"
        months = next((m for m, d in self.months_as_days.items() if d == self.every_days), None)
        if months is not None:
            return f"every {months} months ({days_text(self.every_days)})"
        return f"every {days_text(self.every_days)}"

    def accepts_interval(self, days: int) -> bool:
        if self.range_days is not None:
            return self.range_days[0] <= days <= self.range_days[1]
        return self.every_days == days


def days_text(days: int) -> str:
    """42 → "6 weeks", 3 → "3 days"."""
    if days % 7 == 0 and days >= 7:
        weeks = days // 7
        return f"{weeks} week{'s' if weeks > 1 else ''}"
    return f"{days} day{'s' if days > 1 else ''}"


class SwitchFromIvig(_Data):
    factor: Decimal
    start_after_last_ivig_days: int


class Regimen(_Data):
    indication: str
    match: tuple[str, ...] = ()
    icd10: tuple[str, ...] = ()
    section: str
    quote: str
    open_rule: str | None = None
    phases: tuple[Phase, ...] = Field(min_length=1)
    max_dose_mg: Decimal | None = None
    max_daily_mg: Decimal | None = None
    max_course_days: int | None = None
    min_separation_days: int | None = None
    min_course_separation_days: int | None = None
    switch_from_ivig: SwitchFromIvig | None = None


class Label(_Data):
    title: str
    setid: str | None
    revised: str
    read_from: str


class DrugRegimens(_Data):
    drug: str
    names: tuple[str, ...] = Field(min_length=1)
    hcpcs: str
    label: Label
    regimens: tuple[Regimen, ...] = Field(min_length=1)

    def citation(self, regimen: Regimen) -> str:
        setid = f", DailyMed setid {self.label.setid}" if self.label.setid else ""
        return f"{self.label.title.split(' (')[0]} label section {regimen.section}{setid}"

    def regimen_for(self, indication: str | None, icd10: Sequence[str] = ()) -> Regimen | None:
        """The regimen for the indication (words or ICD-10 codes); the only one when the drug
        has one; None when several could apply and nothing says which."""
        for regimen in self.regimens:
            if any(code.upper().startswith(p) for code in icd10 for p in regimen.icd10):
                return regimen
        words = f" {re.sub(r'[^a-z0-9]+', ' ', (indication or '').lower())} "
        for regimen in self.regimens:
            if any(f" {m} " in words for m in regimen.match):
                return regimen
        return self.regimens[0] if len(self.regimens) == 1 else None


class Regimens(_Data):
    version: str
    drugs: tuple[DrugRegimens, ...]
    doc: str | None = Field(default=None, alias="_doc")

    _by_name: dict[str, DrugRegimens] = PrivateAttr(default_factory=dict)
    _pattern: re.Pattern[str] | None = PrivateAttr(default=None)

    def model_post_init(self, context: object, /) -> None:
        self._by_name.update({n.lower(): d for d in self.drugs for n in d.names})
        names = sorted(self._by_name, key=len, reverse=True)  # longest name first
        alternation = "|".join(re.escape(n) for n in names)
        self._pattern = re.compile(rf"(?<![a-z])({alternation})(?![a-z])")

    def find(self, text: str) -> tuple[DrugRegimens, str] | None:
        """The drug a text names (brand or generic, as a whole word) and the name found."""
        assert self._pattern is not None
        m = self._pattern.search(text.lower())
        return None if m is None else (self._by_name[m.group(1)], m.group(1))


@functools.cache
def load_regimens() -> Regimens:
    text = resources.files("intake.data").joinpath("regimens.json").read_text("utf-8")
    return Regimens.model_validate(json.loads(text))


def label_schedule(
    drug_name: str,
    dose_plan: DosePlan | None,
    frequency: Frequency,
    diagnoses: Sequence[str] = (),
) -> tuple[Frequency, tuple[str, ...]]:
    """The referral's frequency with what it leaves open filled from the drug's label, and
    plain-words notes saying what was filled and from which section.

    Only open points are filled: what an interval after loading doses counts from (unless the
    order says "from the first dose"), a month interval the label defines in weeks, and when
    loading doses written as a count ("300 mg x 2") fall. An interval, dose or count the order
    states is never changed."""
    return _label_schedule(drug_name, dose_plan, frequency, tuple(diagnoses))


@functools.lru_cache(maxsize=512)
def _label_schedule(
    drug_name: str,
    dose_plan: DosePlan | None,
    frequency: Frequency,
    diagnoses: tuple[str, ...],
) -> tuple[Frequency, tuple[str, ...]]:
    found = load_regimens().find(drug_name)
    if found is None:
        return frequency, ()
    drug = found[0]
    regimen = drug.regimen_for(None, diagnoses)
    if regimen is None or len(regimen.phases) < 1:
        return frequency, ()
    cite = drug.citation(regimen)
    notes: list[str] = []
    first, last = regimen.phases[0], regimen.phases[-1]
    loading_count = dose_plan.loading_count if dose_plan and dose_plan.loading else None
    if (
        loading_count
        and not frequency.loading_days
        and len(regimen.phases) > 1
        and len(first.at_days) == loading_count
    ):
        days = ", ".join(str(d) for d in first.at_days)
        frequency = replace(frequency, loading_days=first.at_days)
        notes.append(
            f"the order gives {loading_count} loading doses without their days: the label's "
            f"{first.name} falls on days {days} ({cite})"
        )
    if frequency.every_months is not None and str(frequency.every_months) in last.months_as_days:
        days_count = last.months_as_days[str(frequency.every_months)]
        frequency = replace(frequency, every_days=days_count, every_months=None)
        notes.append(
            f"'every {frequency_months(days_count, last)} months' is {days_count // 7} weeks "
            f"as the label states it ({cite})"
        )
    if (
        frequency.loading_days
        and frequency.repeating
        and not frequency.from_first
        and len(regimen.phases) > 1
        and last.from_ == "previous_phase_first"
    ):
        frequency = replace(frequency, from_first=True)
        notes.append(
            f"the label counts the first of the {last.name} from the first infusion of the "
            f"{first.name}, not from the last ({cite})"
        )
    return frequency, tuple(notes)


def frequency_months(days: int, phase: Phase) -> str:
    return next((m for m, d in phase.months_as_days.items() if d == days), "?")


__all__ = [
    "DrugRegimens",
    "LabelDose",
    "Phase",
    "Regimen",
    "Regimens",
    "label_schedule",
    "load_regimens",
]
