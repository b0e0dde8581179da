"""What a referral record keeps of its latest estimate: the headline figures a liaison and the
referral view show first (every version in full is its own item: ``put_estimate``).

Below ``intake.estimate`` (which computes it) so the stored record can hold it typed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, PlainSerializer


def _money(value: Decimal) -> str:
    return format(value, "f")


Money = Annotated[Decimal, PlainSerializer(_money, return_type=str, when_used="json")]
"""An amount in dollars: a ``Decimal``, stored and sent as its plain string."""


class PlanYearHeadline(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)

    start: date
    end: date
    infusions: int
    patient: Money


class EstimateHeadline(BaseModel):
    """The course total and how it splits by plan year (each with its own deductible and
    out-of-pocket maximum)."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    version: int | None = None
    coverage: str = "insurance"
    """``insurance``, or ``self_pay`` after a denial the patient chose to pay for."""
    per_infusion_patient: Money
    typical_infusion_patient: Money | None = None
    course_patient: Money
    course_infusions: int
    plan_years: list[PlanYearHeadline] = []
    payer_type: str | None = None
    secondary_pays: Money | None = None
    in_network: bool
    assistance_recommended: bool
    confidence: str
    assistance_program: str | None = None
    assistance_status: str | None = None
    """projected (not enrolled yet) or enrolled (the enrollment id is on file)."""
    assistance_enrollment_id: str | None = None
    patient_after_assistance: Money | None = None
    assistance_runs_out_on: date | None = None

    def plan_year_of(self, day: date) -> PlanYearHeadline | None:
        """The plan year ``day`` falls in (None: the estimate has no plan years covering it)."""
        return next((y for y in self.plan_years if y.start <= day <= y.end), None)
