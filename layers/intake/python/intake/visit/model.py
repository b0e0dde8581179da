"""A booked visit as stored (``REFERRAL#<id>`` / ``VISIT#<visit id>``): the booking, then what
happened (documented, with its record; missed; cancelled)."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from intake.visit.record import Nurse, VisitRecord

NURSE_CALL_SLA_DAYS = 2
"""The nurse calls to schedule the first visit "within a couple of days" of the authorization
in hand (issue 25's seeds: "Once the authorization is in hand, ... a nurse calls within a
couple of days to schedule the first visit"): two days."""


class VisitStatus(StrEnum):
    BOOKED = "booked"
    DOCUMENTED = "documented"
    MISSED = "missed"
    CANCELLED = "cancelled"


class Visit(BaseModel):
    model_config = ConfigDict(extra="ignore")

    visit_id: str
    referral_id: str
    round: int = Field(ge=1, description="the booking round (a missed visit books round + 1)")
    dose: int | None = Field(default=None, description="the dose given at the visit (1: first)")
    day: date | None = Field(default=None, description="None: no date booked yet")
    window_start: time | None = None
    window_end: time | None = None
    ship_by: date | None = Field(
        default=None, description="the delivery ships by this day to arrive before the visit"
    )
    nurse: Nurse | None = Field(default=None, description="None: a person books by hand")
    nurse_phone: str | None = None
    not_booked: str | None = Field(default=None, description="why no roster nurse was booked")
    status: VisitStatus = VisitStatus.BOOKED
    booked_at: datetime
    updated_at: datetime
    record: VisitRecord | None = None


def visit_id_for(referral_id: str, dose: int, attempt: int) -> str:
    """``<referral>.visit.<dose>.<attempt>``: the first visit of dose 1 booked in round 2 is
    ``….visit.1.2``."""
    return f"{referral_id}.visit.{dose}.{attempt}"
