"""The data files prior authorization reads (policies, HCPCS units), loaded once; ICD-10-CM
descriptions come from the code set (``intake.reference.codesets``).

Plain JSON beside the code (``intake/data``) so policy analysts can change a payer's rules in
a reviewable diff without touching code; validated with pydantic so a typo fails loudly.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field

from intake.reference import codesets


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DrugPolicy(_Model):
    required: bool
    documentation: tuple[str, ...] = ()
    policy: str = ""
    """The payer's policy id, title and revision when the data names one (a decision cites it)."""


class PayerPolicy(_Model):
    name: str
    um_fax: str = ""
    um_phone: str = ""
    drugs: dict[str, DrugPolicy] = Field(default_factory=dict)


class PolicyTable(_Model):
    """pa_policies.json: documentation names and their keywords; payer id → drug (HCPCS or
    11-digit NDC) → policy comes from the payer directory unless ``payers`` names the payer."""

    doc: str = Field(default="", alias="_doc")
    default_documentation: tuple[str, ...] = ()
    documentation_keywords: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    payers: dict[str, PayerPolicy] = Field(default_factory=dict)

    def payer(self, payer_id: str | None) -> PayerPolicy | None:
        """The payer's policies: this table's entry, else the payer directory's."""
        if not payer_id:
            return None
        if payer_id in self.payers:
            return self.payers[payer_id]
        from intake.directory.runtime import payer_policy

        found: PayerPolicy | None = payer_policy(payer_id)
        return found


class DrugCodes(_Model):
    description: str
    unit_mg: float | None = None
    per_diem: str | None = None


class HomeInfusionCodes(_Model):
    doc: str = Field(default="", alias="_doc")
    drugs: dict[str, DrugCodes]
    default_per_diem: str
    codes: dict[str, str]
    nursing: str


def _read(name: str) -> object:
    return json.loads(resources.files("intake.data").joinpath(name).read_text(encoding="utf-8"))


@cache
def policy_table() -> PolicyTable:
    return PolicyTable.model_validate(_read("pa_policies.json"))


@cache
def home_infusion_codes() -> HomeInfusionCodes:
    return HomeInfusionCodes.model_validate(_read("home_infusion_codes.json"))


def describe_icd10(code: str, given: str | None = None) -> str | None:
    """The referral's own description when it sent one, else the ICD-10-CM release's."""
    return given or codesets.describe(code)


def describe_code(code: str) -> str | None:
    """A HCPCS/CPT description from the home infusion table."""
    table = home_infusion_codes()
    drug = table.drugs.get(code)
    return drug.description if drug else table.codes.get(code)
