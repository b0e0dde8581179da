"""The assumptions and confidence of an estimate, gathered while it is computed.

A liaison must be able to say *why* a figure is what it is and how sure it is, so every
default the estimator falls back on is written down here, in words, as it is taken.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from intake.benefits.summary import BenefitsSummary
from intake.estimate.contracts import DrugProfile
from intake.estimate.dosing import Dose, Frequency
from intake.estimate.errors import EstimateError
from intake.estimate.model import Confidence
from intake.estimate.schedule import Course
from intake.models.referral import SiteOfCare, Therapy

REFERENCE_WEIGHT_KG = Decimal(70)
"""Standard adult reference weight, used (and flagged) when a per-kg dose comes without one."""
_LEVEL = {Confidence.HIGH: 0, Confidence.MEDIUM: 1, Confidence.LOW: 2}


@dataclass
class Notes:
    assumptions: list[str] = field(default_factory=list)
    reasons: list[tuple[Confidence, str]] = field(default_factory=list)

    def assume(self, text: str) -> None:
        self.assumptions.append(text)

    def doubt(self, level: Confidence, reason: str) -> None:
        self.reasons.append((level, reason))

    @property
    def confidence(self) -> Confidence:
        """The lowest level any reason calls for (high when there is none)."""
        worst = max((_LEVEL[level] for level, _ in self.reasons), default=0)
        return next(c for c, n in _LEVEL.items() if n == worst)


def weight_for(
    dose: Dose, weight_kg: Decimal | float | None, notes: Notes
) -> tuple[Decimal | None, bool]:
    """The weight to dose with, and whether it was assumed."""
    if weight_kg is not None:
        return Decimal(str(weight_kg)), False
    if not dose.per_kg:
        return None, False
    notes.doubt(Confidence.LOW, "the dose is per kg and no weight was given")
    notes.assume(
        f"no patient weight: the {REFERENCE_WEIGHT_KG} kg adult reference weight is assumed"
    )
    return REFERENCE_WEIGHT_KG, True


def dose_note(
    therapy: Therapy,
    dose: Dose,
    weight: Decimal | None,
    per_dose: Decimal,
    units: int,
    hcpcs: str,
    unit_text: str,
) -> str:
    by_weight = f" x {weight.normalize():f} kg" if dose.per_kg and weight is not None else ""
    return (
        f"{therapy.dose}{by_weight} = {per_dose.normalize():f} {dose.measure} a dose; {units} "
        f"units of {hcpcs} ({unit_text} each) a treatment day, rounded up to whole units; drug "
        "discarded from partly used vials (JW) is not included"
    )


def plan_year_end(benefits: BenefitsSummary, start: date, notes: Notes) -> date:
    """Where the course is cut: the 271's plan end, else December 31 of the start year."""
    if benefits.plan.end is not None:
        end = benefits.plan.end
    else:
        end = date(start.year, 12, 31)
        notes.assume(
            f"the 271 gave no plan dates: the plan year is assumed to end {end.isoformat()}"
        )
    if start > end:
        raise EstimateError(
            f"the therapy starts {start.isoformat()}, after the plan year ends {end.isoformat()}:"
            " check benefits for the new plan year first"
        )
    return end


def schedule_notes(course: Course, frequency: Frequency, notes: Notes) -> None:
    count = len(course.dates)
    per_day = frequency.doses_per_day
    notes.assume(
        f"{count} infusion{'s' if count > 1 else ''} '{frequency.text}' from "
        f"{course.dates[0].isoformat()} to {course.dates[-1].isoformat()}"
        + (f", each a treatment day of {per_day} doses" if per_day > 1 else "")
    )
    end = course.plan_year_end.isoformat()
    if course.beyond is None:
        notes.assume(
            f"the therapy is ongoing: only infusions through the plan year end ({end}) are "
            "estimated; the deductible and out-of-pocket maximum start again after it"
        )
    elif course.beyond:
        notes.assume(
            f"{course.beyond} more infusion{'s' if course.beyond > 1 else ''} after the plan "
            f"year ends ({end}) are not included: the deductible and out-of-pocket maximum "
            "start again then"
        )


def services_notes(
    drug: DrugProfile, frequency: Frequency, per_diem: str, therapy: Therapy, notes: Notes
) -> None:
    notes.assume(f"one {per_diem} per diem per treatment day")
    hours = f"{drug.visit_hours.normalize():f}"
    if frequency.every_days is not None and frequency.interval_days < 7:
        notes.assume(
            f"nursing: a {hours}-hour first visit to give the first dose and teach the "
            "patient or caregiver, then a 1-hour visit weekly (line care, labs); other "
            "doses are given without a nurse"
        )
    else:
        notes.assume(
            f"nursing: a nurse at every infusion for about {hours} hours (infusion and "
            "observation), billed 99601 for the first 2 hours and 99602 for each further hour"
        )
    if therapy.site_of_care is SiteOfCare.INFUSION_SUITE:
        notes.assume(
            "infusion suite: billed like home infusion (per diem and nursing visit codes); "
            "payers that bundle suite nursing into the per diem would allow less"
        )
