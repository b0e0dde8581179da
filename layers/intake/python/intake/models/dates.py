"""Which day the workflow's clocks start from, and which dates in a referral it may trust.

Every clock (the welcome call's due time, the SLAs, the 278's requested period, the estimate's
schedule) starts from when *we* received the referral: a document's own date says when the
clinic wrote it, and a therapy start already in the past cannot be asked for, priced or
scheduled. Such a start means "as soon as possible", and the prescriber confirms it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from intake.models.referral import Referral


class Uploaded(Protocol):
    """A stored referral, as far as its receipt goes (``ReferralRecord``)."""

    @property
    def uploaded_at(self) -> datetime: ...


class TherapySchedule(BaseModel):
    """The therapy's dates, one name each: what the order says, what the workflow plans from,
    and what the scheduling call booked. Only the booked first infusion is decided here; the
    prescribed start is the referral's and the planned start a rule over it and the receipt."""

    model_config = ConfigDict(frozen=True)

    prescribed_start: date | None
    """The start the order gives (``therapy.start_date``); None when it gives none."""
    planned_start: date
    """The first day the workflow plans for: the prescribed start, never before receipt."""
    first_infusion: date | None = None
    """The first infusion the scheduling call booked (None until it is booked)."""

    @classmethod
    def of(
        cls, referral: Referral, received: datetime, first_infusion: date | None = None
    ) -> TherapySchedule:
        prescribed = referral.therapy.start_date
        first = received.date()
        start = first if prescribed is None or prescribed < first else prescribed
        return cls(prescribed_start=prescribed, planned_start=start, first_infusion=first_infusion)

    @property
    def as_soon_as_possible(self) -> bool:
        """The prescribed start was missing or before receipt: plan from the receipt date."""
        return self.planned_start != self.prescribed_start

    def note(self) -> str | None:
        """What the welcome call must confirm, in plain words (None: nothing to confirm)."""
        if not self.as_soon_as_possible:
            return None
        if self.prescribed_start is None:
            return "the order gives no start date: confirm the start date with the prescriber"
        return (
            f"the prescribed start {self.prescribed_start.isoformat()} is before we received "
            "the referral: plan as soon as possible and confirm the start date with the "
            "prescriber"
        )


def received_at(record: Uploaded) -> datetime:
    """When we received the referral (its upload), whatever date the document carries."""
    return record.uploaded_at


def planned(referral: Referral, received: datetime) -> Referral:
    """The referral as the workflow plans it: its therapy starting on the planned start, so
    every request, estimate and schedule built from it begins on or after receipt."""
    start = TherapySchedule.of(referral, received).planned_start
    if referral.therapy.start_date == start:
        return referral
    therapy = referral.therapy.model_copy(update={"start_date": start})
    return referral.model_copy(update={"therapy": therapy})


def order_age(referral: Referral, received: datetime) -> timedelta | None:
    """How old the order was when we received it (from the document's own date: HL7 MSH-7,
    FHIR Bundle.timestamp); None when the document carries no date of its own."""
    written = referral.received_at
    if written is None or written >= received:
        return None
    return received - written
