"""What is requested and billed for one course: the service plan's plain data.

Frozen dataclasses: a plan is derived from an already validated referral and read by the
estimate, the 278, the PAS bundle and the PDF packet, never stored as is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from intake.models.billing import Component
from intake.models.referral import SiteOfCare
from intake.therapy.prescription import DosePlan, Duration, Frequency

JW = "JW"
"""Drug amount discarded from a single-dose container (its own line)."""
JZ = "JZ"
"""Zero drug amount discarded from single-dose containers."""
SS = "SS"
"""NHIA: a per diem for care in an ambulatory infusion suite."""


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """A referral field that could not be read (``therapy.frequency``...) and why."""

    field: str
    message: str


@dataclass(frozen=True, slots=True)
class DayCharge:
    """One code billed on one service day."""

    component: Component
    code: str
    modifiers: tuple[str, ...]
    units: int


@dataclass(frozen=True, slots=True)
class ServiceDay:
    """One treatment day: what is given and billed on it."""

    number: int
    """1 for the first dosing day of the plan."""
    day: date
    dose: Decimal | None
    """Amount a dose (mg or units) on this day; None when unknown (a per-kg dose, no weight)."""
    charges: tuple[DayCharge, ...]
    nurse_hours: Decimal
    """0: no nurse visit that day (doses given by the patient or caregiver)."""

    def units(self, component: Component) -> int:
        return sum(c.units for c in self.charges if c.component is component)


@dataclass(frozen=True, slots=True)
class ServiceLine:
    """One line asked for and billed over the plan's period."""

    component: Component
    code: str
    modifiers: tuple[str, ...]
    description: str
    units: int | None
    """Total over the period (None: cannot be counted: unreadable schedule, no weight...)."""
    units_per_dose: int | None
    """Per administration (drug), per treatment day (per diem) or per visit (nursing); None
    when it varies (loading doses) or is unknown."""
    basis: str
    """How the units were worked out, in plain words (printed for a reviewer)."""


@dataclass(frozen=True, slots=True)
class ServicePlan:
    """The one description of what a course asks for: dates, place and service lines."""

    start: date
    end: date | None
    """Last day of the requested period (inclusive); None when open-ended or unreadable."""
    dose_dates: tuple[date, ...]
    """The planned dosing days in the requested period."""
    site_of_care: SiteOfCare
    place_of_service: str | None
    """CMS place of service code; None: an infusion suite whose payer states none (asked)."""
    lines: tuple[ServiceLine, ...]
    days: tuple[ServiceDay, ...]
    """Per treatment day, what is billed (the estimate prices these)."""
    frequency: Frequency | None
    duration: Duration | None
    dose_plan: DosePlan | None
    drug_code: str | None
    per_diem_code: str | None
    nurse_visit_hours: Decimal | None
    open_ended: bool
    """Ongoing therapy with no ``through`` date given: the period has no end."""
    beyond: int | None
    """Dosing days of the prescribed course after ``end`` (None: open-ended, or unknown)."""
    problems: tuple[FieldProblem, ...] = ()
    notes: tuple[str, ...] = ()
    suite_nursing: str | None = None
    """Infusion suite: how the payer pays nursing (per_visit, in_per_diem); None at home or
    not stated."""
    """Plain-words facts behind the lines (vial fill, nurse visits), for an estimate's notes."""

    @property
    def administrations(self) -> int | None:
        """Doses in the period (a q8h day is 3); None when not countable."""
        if self.frequency is None or (self.open_ended and not self.dose_dates):
            return None
        return len(self.dose_dates) * self.frequency.doses_per_day

    def line(self, component: Component, *modifiers: str) -> ServiceLine | None:
        """The first line of a part (with exactly ``modifiers`` when given)."""
        return next(
            (
                s
                for s in self.lines
                if s.component is component and (not modifiers or s.modifiers == modifiers)
            ),
            None,
        )
