"""The assumptions and confidence of an estimate, gathered while it is computed.

A liaison must be able to say *why* a figure is what it is and how sure it is, so every
default the estimator falls back on is written down here, in words, as it is taken.

One thing is never defaulted: the patient's weight. A dose per kg with no weight anywhere in the
referral (structured, coded or in the notes: ``intake.therapy.body``) is not priced on a
reference weight; the estimate stops with "weight needed" and the welcome call asks for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from intake.core.estimate_errors import EstimateError
from intake.estimate.model import Confidence
from intake.models.referral import SiteOfCare, Therapy
from intake.therapy import ServicePlan
from intake.therapy.nursing import self_given
from intake.therapy.prescription import DosePlan, Frequency
from intake.therapy.site import place_words


class WeightNeeded(EstimateError):
    """A dose per kg and no weight anywhere in the referral: nothing is priced."""


_LEVEL = {Confidence.HIGH: 0, Confidence.MEDIUM: 1, Confidence.LOW: 2}


@dataclass
class Notes:
    assumptions: list[str] = field(default_factory=list)
    reasons: list[tuple[Confidence, str]] = field(default_factory=list)

    def assume(self, text: str) -> None:
        if text not in self.assumptions:
            self.assumptions.append(text)

    def doubt(self, level: Confidence, reason: str) -> None:
        if (level, reason) not in self.reasons:
            self.reasons.append((level, reason))

    @property
    def confidence(self) -> Confidence:
        """The lowest level any reason calls for (high when there is none)."""
        worst = max((_LEVEL[level] for level, _ in self.reasons), default=0)
        return next(c for c, n in _LEVEL.items() if n == worst)


def weight_for(
    dose: DosePlan, weight_kg: Decimal | float | None, notes: Notes
) -> tuple[Decimal | None, bool]:
    """The weight to dose with, and whether it was assumed: never (the flag stays for stored
    estimates made before this rule, which may say true). A per-kg dose without a weight
    raises ``WeightNeeded``: unknown is the answer, not a reference weight."""
    if weight_kg is not None:
        return Decimal(str(weight_kg)), False
    if not any(d.per_kg for d in dose.doses):
        return None, False
    raise WeightNeeded(
        "weight needed: the dose is per kg and the referral gives no weight (structured, "
        "coded or in the notes); the welcome call asks for it"
    )


def schedule_notes(plan: ServicePlan, frequency: Frequency, notes: Notes) -> None:
    count = len(plan.dose_dates)
    per_day = frequency.doses_per_day
    notes.assume(
        f"{count} infusion{'s' if count > 1 else ''} '{frequency.text}' from "
        f"{plan.dose_dates[0].isoformat()} to {plan.dose_dates[-1].isoformat()}"
        + (f", each a treatment day of {per_day} doses" if per_day > 1 else "")
    )
    if plan.open_ended:
        end = plan.end.isoformat() if plan.end else "?"
        notes.assume(
            f"the therapy is ongoing: its first 12 months (to {end}) are estimated, each plan "
            "year with its own deductible and out-of-pocket maximum"
        )


def services_notes(plan: ServicePlan, frequency: Frequency, therapy: Therapy, notes: Notes) -> None:
    for text in plan.notes:
        notes.assume(f"drug: {text}")
    notes.assume(f"one {plan.per_diem_code} per diem per treatment day")
    site_notes(plan, notes)
    hours = f"{(plan.nurse_visit_hours or Decimal(0)).normalize():f}"
    if plan.suite_nursing == "in_per_diem":
        pass  # site_notes says the suite's nursing is in the per diem
    elif self_given(frequency):
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


def site_notes(plan: ServicePlan, notes: Notes) -> None:
    """Which site the estimate priced, at which CMS place of service, and (infusion suite)
    how the payer's profile says the suite's nursing is paid. What the payer's profile does
    not state is said, asked for and lowers the confidence; nothing is guessed."""
    pos = place_words(plan.place_of_service)
    if plan.site_of_care != SiteOfCare.INFUSION_SUITE:
        notes.assume(f"priced at home: place of service {pos}")
        return
    notes.assume(f"priced in an infusion suite: place of service {pos}; the per diem with SS")
    if plan.place_of_service is None:
        notes.doubt(
            Confidence.MEDIUM,
            "the payer's place of service for an infusion suite is not on file: ask the payer",
        )
    if plan.suite_nursing == "in_per_diem":
        notes.assume("infusion suite: the payer pays nursing in the per diem; no visit priced")
    elif plan.suite_nursing == "per_visit":
        notes.assume("infusion suite: the payer pays nursing per visit (99601/99602)")
    else:
        notes.assume(
            "infusion suite: the payer's rule for suite nursing is not on file; visits are "
            "priced per visit as at home, which a payer paying them in the per diem would not allow"
        )
        notes.doubt(
            Confidence.MEDIUM,
            "how the payer pays nursing in an infusion suite is not on file: ask the payer",
        )
