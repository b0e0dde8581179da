"""What is stored of a clinic status, and the milestones table's rows."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from intake.models.records import ReferralRecord, Scalar

RECEIVED = "received"
"""The milestone of a referral read and accepted: its first status."""

TaskStatus = Literal[
    "received", "accepted", "rejected", "ready", "cancelled", "in-progress", "on-hold",
    "failed", "completed",
]  # fmt: skip
"""The FHIR R4 TaskStatus codes a milestone may carry (hl7.org/fhir/R4/valueset-task-status)."""


class MilestoneRow(BaseModel):
    """One row of ``data/clinic_milestones.json``: an event kind (and optionally detail values
    it must carry) → a milestone with its wording."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event: str
    milestone: str
    wording: str = Field(min_length=1, max_length=300)
    task_status: TaskStatus
    when: dict[str, Scalar] = Field(default_factory=dict)
    key: tuple[str, ...] = ()
    """Detail fields that tell two statuses of one milestone apart (an authorization, a visit)."""
    show: tuple[str, ...] = ()
    """Detail fields printed on the status (ids and field names: never patient values)."""
    sent_as: str | None = None
    """The event is itself the notice sent to the clinic: its detail field holding the document."""
    visit_note: bool = False
    """The prescriber also gets the visit's note (``visit_id`` in the detail)."""


class ClinicStatusState(StrEnum):
    PENDING = "pending"  # stored; the sender has not delivered it yet
    SENT = "sent"  # faxed (or sent by the event itself: a notice)
    POSTED = "posted"  # a FHIR clinic: the Task it polls shows it
    NOT_SENT = "not_sent"  # no channel: the referral names no clinic fax and did not come as FHIR
    FAILED = "failed"  # the send kept failing: a ``clinic_status_unsent`` task asks a person


class ClinicStatusRecord(BaseModel):
    """One status the referring clinic gets (or got), keyed for idempotency."""

    model_config = ConfigDict(extra="ignore")

    referral_id: str
    key: str = Field(description="idempotency key: milestone, event and its keyed detail")
    milestone: str
    event: str
    wording: str
    task_status: TaskStatus
    at: datetime = Field(description="when the milestone happened (the event's time)")
    detail: dict[str, Scalar] = Field(default_factory=dict)
    visit_note: bool = False
    state: ClinicStatusState = ClinicStatusState.PENDING
    channel: Literal["fax", "fhir", "notice"] | None = None
    attempts: int = 0
    document: str | None = Field(default=None, description="the faxed status PDF (s3 URI)")
    note_document: str | None = Field(default=None, description="the visit note PDF (s3 URI)")
    note_state: Literal["sent", "not_sent", "failed"] | None = None
    note_reason: str | None = Field(default=None, description="a visit note not sent: why")
    sent_at: datetime | None = None
    reason: str | None = Field(default=None, description="not sent or failed: why")


def clinic_account(record: ReferralRecord) -> str | None:
    """The clinic that sent a referral: the account (folder) it uploaded under,
    ``referrals/<clinic>/<file>``. None for a file that came any other way (then no clinic may
    poll it: unknown is not a match)."""
    parts = record.source.key.split("/")
    if len(parts) >= 3 and parts[0] == "referrals" and parts[1]:
        return parts[1]
    return None


def clinic_reference(record: ReferralRecord) -> tuple[str, str] | None:
    """(clinic, the clinic's own reference) when the referral carries both."""
    clinic = clinic_account(record)
    reference = record.referral.clinic_reference if record.referral is not None else None
    if clinic is None or not reference:
        return None
    return clinic, reference
