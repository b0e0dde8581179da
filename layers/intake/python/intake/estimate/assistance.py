"""Financial assistance programs as data (``intake/data/assistance.json``).

Manufacturer copay programs are for commercially insured patients only: federal anti-kickback
rules bar them for anyone on Medicare, Medicaid or another federal program, whose help comes
from independent foundations instead. The plan class, not the amount, decides which apply.
"""

from __future__ import annotations

import functools
import json
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from intake.core.estimate_errors import EstimateError
from intake.reference.contracts import PlanClass


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    doc: str | None = Field(default=None, alias="_doc")


class Program(_Data):
    name: str
    kind: Literal["manufacturer", "foundation"]
    drugs: tuple[str, ...] = ()
    """HCPCS codes it helps with; empty: any drug."""
    plan_classes: tuple[PlanClass, ...]
    eligibility: str


class AssistanceCatalog(_Data):
    version: str
    threshold: Decimal = Field(ge=0)
    programs: tuple[Program, ...]

    def programs_for(self, hcpcs: str, plan_class: PlanClass) -> tuple[Program, ...]:
        """Drug-specific programs first (manufacturer, then disease foundations), then general
        foundations; for an unknown plan class both kinds are listed (eligibility says which)."""
        fits = [
            p
            for p in self.programs
            if (not p.drugs or hcpcs in p.drugs)
            and (
                plan_class in p.plan_classes
                or (plan_class is PlanClass.UNKNOWN and p.kind == "manufacturer")
            )
        ]
        return tuple(sorted(fits, key=lambda p: (not p.drugs, p.kind != "manufacturer")))


@functools.cache
def _shipped() -> AssistanceCatalog:
    text = resources.files("intake.data").joinpath("assistance.json").read_text("utf-8")
    return parse_assistance(text, "assistance.json")


def parse_assistance(text: str, source: str = "assistance") -> AssistanceCatalog:
    try:
        return AssistanceCatalog.model_validate(json.loads(text))
    except (json.JSONDecodeError, ValidationError) as exc:
        raise EstimateError(f"{source} is not a valid assistance catalog: {exc}") from exc


def load_assistance(path: Path | None = None) -> AssistanceCatalog:
    """The catalog shipped with the layer (cached), or the one at ``path``."""
    if path is None:
        return _shipped()
    try:
        return parse_assistance(path.read_text(encoding="utf-8"), path.name)
    except OSError as exc:
        raise EstimateError(f"cannot read {path.name}: {exc.strerror}") from exc
