"""Which appeal argument answers a denial: network, medical necessity or missing information.

The mapping from reason codes to families is data (``intake/data/denial_reasons.json``): the
HCR03 list (X12 886) belongs to X12 and payers' guides, so a new code is a one-line data
change, and an unknown code falls to the default family rather than to no appeal at all.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from intake.x12.t278.decision import AuthDecision

Family = Literal["network", "medical_necessity", "missing_information"]


class DenialFamilies(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    doc: str = Field(default="", alias="_doc")
    default_family: Family
    decision_reasons: dict[str, Family] = Field(default_factory=dict)
    """HCR03 (X12 886) code → family."""
    reject_reasons: dict[str, Family] = Field(default_factory=dict)
    """AAA03 code → family (rejections for missing or invalid data)."""

    def family_of(self, decision: AuthDecision) -> Family:
        """The family of a decision's reason: its own code, else a denied line's, else the
        default."""
        table = self.reject_reasons if decision.status == "rejected" else self.decision_reasons
        codes = [decision.reason_code] + [
            ln.reason_code for ln in decision.lines if ln.status in ("denied", "modified")
        ]
        for code in codes:
            if code and code in table:
                return table[code]
        return self.default_family


@cache
def denial_families() -> DenialFamilies:
    text = resources.files("intake.data").joinpath("denial_reasons.json").read_text("utf-8")
    return DenialFamilies.model_validate(json.loads(text))
