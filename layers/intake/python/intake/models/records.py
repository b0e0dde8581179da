"""What is stored: referral records, liaison tasks and timeline events.

Kept apart from the input model (``Referral``) and from the API's views, so a change in what
a clinic may send or what a liaison sees never silently changes what is persisted.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from intake.models.referral import Language, Referral


class ReferralStatus(StrEnum):
    QUARANTINED = "quarantined"  # unreadable or invalid; a liaison reviews it
    IN_REVIEW = "in_review"  # read, but a liaison must complete missing fields
    IN_PROGRESS = "in_progress"  # its workflow is running
    DECLINED = "declined"  # the patient declined therapy
    INSURANCE_UNVERIFIED = "insurance_unverified"  # a liaison could not verify coverage
    COMPLETED = "completed"
    FAILED = "failed"  # the workflow failed; a liaison task says what to do


class TaskType(StrEnum):
    WELCOME_CALL = "welcome_call"
    COST_AND_OPTIONS_CALL = "cost_and_options_call"
    SCHEDULING_CALL = "scheduling_call"
    NEEDS_REVIEW = "needs_review"  # a quarantined upload
    COMPLETE_REFERRAL = "complete_referral"  # a draft with missing or doubtful fields
    VERIFY_INSURANCE = "verify_insurance"
    COVERAGE_INACTIVE = "coverage_inactive"
    WORKFLOW_ERROR = "workflow_error"
    APPEAL_OR_ALTERNATIVES = "appeal_or_alternatives"
    PRIOR_AUTH_FOLLOWUP = "prior_auth_followup"


class TaskStatus(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"  # its referral stopped (workflow failed); nobody should work it


class CallOutcome(StrEnum):
    REACHED = "reached"
    VOICEMAIL = "voicemail"
    WRONG_NUMBER = "wrong_number"
    DECLINED = "declined"


class ReviewOutcome(StrEnum):
    RESOLVED = "resolved"  # fixed and re-submitted (or corrected details supplied)
    REJECTED = "rejected"  # not a referral we can act on


class SourceDocument(BaseModel):
    """The uploaded file, kept unchanged and linked from the record."""

    bucket: str
    key: str
    version_id: str | None = None
    size: int
    sha256: str
    format: str = "json"
    quarantine_key: str | None = None


class ReferralRecord(BaseModel):
    model_config = ConfigDict(extra="ignore")

    referral_id: str
    status: ReferralStatus
    stage: str = Field(description="the workflow step the referral is at, in words")
    referral: Referral | None = None
    problems: list[str] = Field(default_factory=list)
    draft: dict[str, Any] | None = Field(
        default=None,
        description="what was read, for a referral in review (bounded: see referrals.bounds)",
    )
    fields_missing: list[str] = Field(default_factory=list)
    source: SourceDocument
    uploaded_at: datetime
    created_at: datetime
    updated_at: datetime
    execution_name: str | None = None
    benefits: dict[str, Any] | None = None
    estimate: dict[str, Any] | None = None
    prior_auth: dict[str, Any] | None = None


class TaskPatient(BaseModel):
    """What a liaison needs to place the call."""

    first_name: str
    last_name: str
    phone: str
    preferred_language: Language


class TaskRecord(BaseModel):
    model_config = ConfigDict(extra="ignore")

    task_id: str
    referral_id: str
    task_type: TaskType
    status: TaskStatus
    reason: str
    due_at: datetime
    created_at: datetime
    patient: TaskPatient | None = None
    details: dict[str, Any] = Field(default_factory=dict)
    task_token: str | None = Field(default=None, repr=False)
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    completed_by: str | None = None
    completed_at: datetime | None = None
    outcome: str | None = None
    note: str | None = None
    corrections: dict[str, Any] | None = None
    escalations: int = 0
    escalated_at: datetime | None = None
    resume_pending: bool = False
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None


class TimelineEvent(BaseModel):
    at: datetime
    event: str
    detail: dict[str, Any] = Field(default_factory=dict)
    actor: str = "system"


class AuthorizationRecord(BaseModel):
    """One prior authorization request and everything the payer said about it."""

    referral_id: str
    auth_id: str = Field(description="the 278 trace number; also the fax attachment number")
    status: Literal["pended", "certified", "denied", "rejected"]
    payer_id: str
    reasons: list[str]
    documentation: list[str]
    packet: dict[str, str] = Field(
        description="s3 URIs of packet.pdf, request.278, pas-bundle.json"
    )
    appeal: str | None = None
    decision: dict[str, Any] | None = None
    submitted_at: datetime
    decided_at: datetime | None = None
    deadline_at: datetime = Field(description="end of the payer's decision window (CMS)")
    task_token: str | None = Field(default=None, repr=False)
    next_poll_at: datetime | None = None
    polls: int = 0
    poll_failures: int = 0
    last_poll_error: str | None = None
    token_expired: bool = False
