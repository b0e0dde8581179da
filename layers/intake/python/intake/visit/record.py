"""The nurse's visit record: what the nurse documents at a visit, checked before it is kept.

Vitals must fall within the data-entry bounds of ``intake/data/visit_vitals.json`` (a value
the nurse did not take is left out: unknown, never filled in). A lot whose expiry is before
the visit day is refused: an expired product must not be given. An expiry written as a month
("2027-06") means the last day of that month (USP General Notices 10.40.100: "Where an
expiration date is stated only in terms of the month and the year, it is a representation
that the intended expiration date is the last day of the stated month"). The documented start
and stop give the visit's minutes, and those the nursing units billed (CPT 99601/+99602,
``intake.therapy.nursing``).
"""

from __future__ import annotations

import calendar
import json
from datetime import date, datetime, timedelta
from functools import cache
from importlib import resources
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

MAX_VISIT = timedelta(hours=24)
TEACHING = ("basics", "drug_and_supplies", "storage_and_handling", "side_effects")
"""What the nurse teaches at the first visit (issue 25's seeds: "teaches the basics, reviews
the drug and supplies, teaches storage and handling, ... teaches side effects")."""


@cache
def vital_bounds() -> dict[str, tuple[float, float]]:
    raw = json.loads(
        resources.files("intake.data").joinpath("visit_vitals.json").read_text(encoding="utf-8")
    )
    return {k: (float(v["low"]), float(v["high"])) for k, v in raw["vitals"].items()}


def _expiry(value: Any) -> Any:
    """A month-only expiry ("2027-06") is the month's last day (USP General Notices)."""
    if isinstance(value, str) and len(value) == 7 and value[4] == "-":
        year, month = int(value[:4]), int(value[5:])
        return date(year, month, calendar.monthrange(year, month)[1])
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


class Vitals(_Strict):
    """One set of vital signs; a sign not taken is left out (None)."""

    at: AwareDatetime
    temperature_c: float | None = None
    pulse_bpm: int | None = None
    respirations_per_min: int | None = None
    systolic_mmhg: int | None = None
    diastolic_mmhg: int | None = None
    spo2_percent: int | None = None

    @model_validator(mode="after")
    def _bounded(self) -> Vitals:
        taken = 0
        for name, (low, high) in vital_bounds().items():
            value = getattr(self, name)
            if value is None:
                continue
            taken += 1
            if not low <= value <= high:
                raise ValueError(
                    f"{name} is outside what can be documented ({low:g} to {high:g}; "
                    "visit_vitals.json): check the value and its unit"
                )
        if taken == 0:
            raise ValueError("a set of vitals needs at least one value")
        return self


class ProductGiven(_Strict):
    """What was given (or hung): the product, its lot and its expiry."""

    product: str = Field(min_length=1, max_length=120)
    ndc: str | None = Field(default=None, pattern=r"^\d{4,5}-\d{3,4}-\d{1,2}$|^\d{11}$")
    lot: str = Field(min_length=1, max_length=40)
    expiry: Annotated[date, BeforeValidator(_expiry)]
    amount: str | None = Field(default=None, max_length=40, description="e.g. '400 mg'")


RateAction = Literal["none", "slowed", "paused", "stopped"]


class Reaction(_Strict):
    """A reaction during the visit and what the nurse did about it."""

    at: AwareDatetime
    signs: str = Field(min_length=1, max_length=500)
    severity: Literal["mild", "moderate", "severe"]
    rate_action: RateAction
    actions: list[str] = Field(min_length=1, description="what was done, in order")
    resolved: bool
    guidance: str | None = Field(
        default=None, max_length=300, description="the label section or protocol followed"
    )
    prescriber_notified: bool = False


class Teaching(_Strict):
    """The first visit's teaching, item by item (True: taught and understood)."""

    basics: bool
    drug_and_supplies: bool
    storage_and_handling: bool
    side_effects: bool

    def missing(self) -> list[str]:
        return [item for item in TEACHING if not getattr(self, item)]


class HomeAssessment(_Strict):
    """What the nurse found at home (None: not assessed)."""

    refrigeration_ok: bool | None = None
    caregiver_present: bool | None = None
    clean_work_area: bool | None = None
    emergency_plan_reviewed: bool | None = None
    concerns: str | None = Field(default=None, max_length=500)


class VisitDocumentation(_Strict):
    """What the nurse submits for a visit (the board's visit form, the API's body)."""

    started_at: AwareDatetime
    ended_at: AwareDatetime
    vitals: list[Vitals] = Field(min_length=1)
    given: list[ProductGiven] = Field(default_factory=list)
    reactions: list[Reaction] = Field(default_factory=list)
    teaching: Teaching
    home: HomeAssessment = Field(default_factory=HomeAssessment)
    next_visit: date | None = None
    note: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _consistent(self) -> VisitDocumentation:
        if self.ended_at <= self.started_at:
            raise ValueError("the visit ends before it starts")
        if self.ended_at - self.started_at > MAX_VISIT:
            raise ValueError("a visit lasts at most 24 hours: check the start and stop")
        day = self.started_at.date()
        for item in self.given:
            if item.expiry < day:
                raise ValueError(
                    f"lot {item.lot} expired on {item.expiry.isoformat()}, before the visit "
                    f"({day.isoformat()}): an expired product must not be given"
                )
        if self.next_visit is not None and self.next_visit <= day:
            raise ValueError("the next visit is after this one")
        return self

    @property
    def minutes(self) -> int:
        """Documented start to stop, in whole minutes."""
        return int((self.ended_at - self.started_at).total_seconds() // 60)


class Nurse(BaseModel):
    """Who the visit was booked with (the roster entry), or None: booked by hand."""

    model_config = ConfigDict(defer_build=True)

    nurse_id: str
    name: str
    kind: Literal["nurse", "agency"]
    agency: str | None = None


class VisitRecord(VisitDocumentation):
    """A documented visit as stored (``REFERRAL#<id>`` / ``VISIT#<visit id>``)."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    visit_id: str
    referral_id: str
    task_id: str
    dose: int | None = None
    nurse: Nurse | None = None
    documented_by: str
    documented_at: datetime
    visit_minutes: int
    nursing_units: dict[str, int] = Field(
        description="CPT units of the documented time (99601, +99602)"
    )
    teaching_missing: list[str] = Field(default_factory=list)


def visit_record(
    documentation: VisitDocumentation,
    *,
    visit_id: str,
    referral_id: str,
    task_id: str,
    dose: int | None,
    nurse: Nurse | None,
    by: str,
    at: datetime,
) -> VisitRecord:
    """The record kept: the documentation with who, when, and its nursing units."""
    from intake.therapy.nursing import nursing_units_for_minutes

    minutes = documentation.minutes
    return VisitRecord(
        **documentation.model_dump(),
        visit_id=visit_id,
        referral_id=referral_id,
        task_id=task_id,
        dose=dose,
        nurse=nurse,
        documented_by=by,
        documented_at=at,
        visit_minutes=minutes,
        nursing_units=dict(nursing_units_for_minutes(minutes)),
        teaching_missing=documentation.teaching.missing(),
    )
