"""Which day the workflow's clocks start from, and which dates in a referral it may trust.

Every clock (the welcome call's due time, the SLAs, the 278's requested period, the estimate's
schedule) starts from when *we* received the referral: a document's own date says when the
clinic wrote it, and a therapy start already in the past cannot be asked for, priced or
scheduled. Such a start means "as soon as possible", and the prescriber confirms it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from intake.models.records import ReferralRecord
from intake.models.referral import Referral


@dataclass(frozen=True, slots=True)
class TherapyStart:
    """The first day the workflow plans for, and why."""

    day: date
    as_soon_as_possible: bool
    """The prescribed start was missing or before receipt: plan from the receipt date."""
    prescribed: date | None

    def note(self) -> str | None:
        """What the welcome call must confirm, in plain words (None: nothing to confirm)."""
        if not self.as_soon_as_possible:
            return None
        if self.prescribed is None:
            return "the order gives no start date: confirm the start date with the prescriber"
        return (
            f"the prescribed start {self.prescribed.isoformat()} is before we received the "
            "referral: plan as soon as possible and confirm the start date with the prescriber"
        )


def received_at(record: ReferralRecord) -> datetime:
    """When we received the referral (its upload), whatever date the document carries."""
    return record.uploaded_at


def therapy_start(referral: Referral, received: datetime) -> TherapyStart:
    prescribed = referral.therapy.start_date
    first = received.date()
    if prescribed is None or prescribed < first:
        return TherapyStart(first, True, prescribed)
    return TherapyStart(prescribed, False, prescribed)


def planned(referral: Referral, received: datetime) -> Referral:
    """The referral as the workflow plans it: its therapy starting on ``therapy_start``, so
    every request, estimate and schedule built from it begins on or after receipt."""
    start = therapy_start(referral, received).day
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
