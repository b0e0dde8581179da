"""Financial assistance programs as data (``intake/data/assistance.json``).

Manufacturer copay programs are for commercially insured patients only: federal anti-kickback
rules bar them for anyone on Medicare, Medicaid or another federal program, whose help comes
from independent foundations instead. The plan class, not the amount, decides which apply.
"""

from __future__ import annotations

import functools
import json
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from intake.core.estimate_errors import EstimateError
from intake.models.billing import Component
from intake.reference.contracts import PlanClass


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    doc: str | None = Field(default=None, alias="_doc")


ProgramKind = Literal["manufacturer", "foundation", "pharmacy"]


class Source(_Data):
    """Where a program's terms come from, and the day they were read."""

    cite: str
    url: str | None = None
    read: date


class Enrollment(_Data):
    requires: tuple[str, ...]
    """Documents and signatures the program asks for."""


class Fund(_Data):
    """A foundation's disease fund: open or closed as read on ``status_read``."""

    id: str
    disease: str
    diagnoses: tuple[str, ...]
    """ICD-10-CM category prefixes the fund covers."""
    drugs: tuple[str, ...] = ()
    status: Literal["open", "closed"]
    status_read: date
    income_limit_fpl_percent: int | None = None
    annual_maximum: Decimal | None = None
    """The grant; None: set by the award letter (recorded at enrollment)."""
    source: str


class IncomeBand(_Data):
    up_to_fpl_percent: int
    pays_share: Decimal = Field(ge=0, le=1)
    """The part of the patient's covered share the program pays in this band."""


class Program(_Data):
    name: str
    kind: ProgramKind
    drugs: tuple[str, ...] = ()
    """HCPCS codes it helps with; empty: any drug."""
    plan_classes: tuple[PlanClass, ...]
    eligibility: str
    id: str = ""
    source: Source | None = None
    annual_maximum: Decimal | None = None
    """None: not recorded (the program is offered, not applied), or set by the award."""
    patient_pays_per_dose: Decimal | None = None
    """The patient's own part of each dose's covered share (e.g. $5 an infusion)."""
    per_dose_maximum: Decimal | None = None
    covers: tuple[Component, ...] = (Component.DRUG,)
    program_year: Literal["calendar", "enrollment"] | None = None
    renewal: Literal["assumed_same_terms", "reapply"] | None = None
    income_limit_fpl_percent: int | None = None
    income_bands: tuple[IncomeBand, ...] = ()
    funds: tuple[Fund, ...] = ()
    enrollment: Enrollment | None = None
    indications: tuple[str, ...] = ()
    """FDA-approved uses the program requires (empty: not recorded, not checked)."""

    @property
    def terms_known(self) -> bool:
        """Enough terms to apply it to an estimate (a maximum, or income bands)."""
        return self.program_year is not None and (
            self.annual_maximum is not None or bool(self.income_bands) or bool(self.funds)
        )


class Rules(_Data):
    manufacturer_excluded_plan_classes: tuple[PlanClass, ...]
    manufacturer_exclusion_source: str


class AssistanceCatalog(_Data):
    version: str
    threshold: Decimal = Field(ge=0)
    rules: Rules | None = None
    programs: tuple[Program, ...]

    def program(self, program_id: str) -> Program | None:
        return next((p for p in self.programs if p.id == program_id), None)

    def programs_for(self, hcpcs: str, plan_class: PlanClass) -> tuple[Program, ...]:
        """Drug-specific programs first (manufacturer, then disease foundations), then general
        foundations; for an unknown plan class both kinds are listed (eligibility says which).
        The pharmacy's own assistance is decided by income (``assistance_rules``), not listed."""
        fits = [
            p
            for p in self.programs
            if p.kind != "pharmacy"
            and (not p.drugs or hcpcs in p.drugs)
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
