"""What is stored: referral records, liaison tasks and timeline events.

Kept apart from the input model (``Referral``) and from the API's views, so a change in what
a clinic may send or what a liaison sees never silently changes what is persisted.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from intake.models.authorization import AuthorizationDecision, PriorAuthSummary
from intake.models.benefits import StoredBenefits
from intake.models.dates import TherapySchedule
from intake.models.discovery import DiscoveryRecord
from intake.models.draft import Draft
from intake.models.estimate import EstimateHeadline
from intake.models.referral import Language, Referral
from intake.models.task_details import D, Details, ReferralValues, with_typed_details
from intake.models.task_types import TaskType as TaskType  # noqa: PLC0414  (re-exported)


class ReferralStatus(StrEnum):
    """Where a referral stands. The final ones (``FINAL_STATUSES``) are the documented set an
    intake ends in; each names what a pharmacy does next."""

    QUARANTINED = "quarantined"  # unreadable or invalid; a liaison reviews it
    IN_REVIEW = "in_review"  # read, but a liaison must complete missing fields
    IN_PROGRESS = "in_progress"  # its workflow is running
    LINKED = "linked"  # an update to an open referral (``linked_to``): no workflow of its own
    SCHEDULED = "scheduled"  # covered, authorized (or none needed), patient reached, booked
    SELF_PAY = "self_pay"  # authorization denied; the patient chose to pay, booked as self-pay
    CLOSED_DECLINED = "closed_declined"  # the patient declined, or closed after a denial
    CLOSED_UNREACHABLE = "closed_unreachable"  # the patient could not be reached
    CLOSED_ORDER_NOT_CURRENT = "closed_order_not_current"  # the prescriber did not confirm it
    INSURANCE_UNVERIFIED = "insurance_unverified"  # a liaison could not verify coverage
    FAILED = "failed"  # the workflow failed; a liaison task says what to do
    CLOSED_CLINICAL = "closed_clinical"  # a pharmacist stopped it (allergy or interaction)


FINAL_STATUSES = frozenset(
    {
        ReferralStatus.SCHEDULED,
        ReferralStatus.SELF_PAY,
        ReferralStatus.CLOSED_DECLINED,
        ReferralStatus.CLOSED_UNREACHABLE,
        ReferralStatus.CLOSED_ORDER_NOT_CURRENT,
        ReferralStatus.INSURANCE_UNVERIFIED,
        ReferralStatus.FAILED,
        ReferralStatus.CLOSED_CLINICAL,
    }
)


class TaskStatus(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"  # its referral stopped (workflow failed); nobody should work it


class CallOutcome(StrEnum):
    REACHED = "reached"
    VOICEMAIL = "voicemail"
    NO_ANSWER = "no_answer"
    WRONG_NUMBER = "wrong_number"
    DECLINED = "declined"
    UNREACHABLE = "unreachable"  # only once every attempt is used: closes the referral


RETRY_OUTCOMES = frozenset({CallOutcome.VOICEMAIL, CallOutcome.NO_ANSWER})
"""Call outcomes that queue another attempt rather than finish the call."""


class AuthTaskOutcome(StrEnum):
    """What a liaison decides on an authorization task (denied, partial, modified, follow-up)."""

    APPEAL_SUBMITTED = "appeal_submitted"  # the appeal goes to the payer; the workflow waits
    ALTERNATIVE_THERAPY = "alternative_therapy"  # a new drug (corrections): a new request
    SELF_PAY = "self_pay"  # the patient pays: the estimate is rerun as not covered
    DECLINED = "declined"  # the referral closes as declined; the clinic is told
    ACCEPT_TERMS = "accept_terms"  # partial/modified: the prescriber accepts the payer's terms
    CERTIFIED = "certified"  # follow-up: the payer certified by phone (corrections: number, dates)
    DENIED = "denied"  # follow-up: the payer denied by phone
    STILL_PENDING = "still_pending"  # follow-up: wait for the payer again
    NOT_REQUIRED = "not_required"  # follow-up: the payer says no authorization is needed
    APPROVED = "approved"  # network exception: a single-case agreement; PBM: drug approved
    RECEIVED = "received"  # records from the clinic: received (an upload linked, or by fax)
    FILE_WITHOUT = "file_without"  # records from the clinic: file without them (note: why)
    SIGNED = "signed"  # prescriber signature: the signed letter is back (corrections: its copy)
    SEND_UNSIGNED = "send_unsigned"  # prescriber signature: file unsigned (note: why)


class ClinicalReviewOutcome(StrEnum):
    """What the pharmacist decides on a ``clinical_review`` task."""

    PROCEED = "proceed"  # the conflict is managed (the note says how and why)
    STOP = "stop"  # the referral closes; the clinic is told


class ReviewOutcome(StrEnum):
    RESOLVED = "resolved"  # fixed and re-submitted (or corrected details supplied)
    REJECTED = "rejected"  # not a referral we can act on


class CoverageConfirmation(StrEnum):
    """What the patient says of a coverage discovery found (a ``confirm_coverage`` task)."""

    CONFIRMED = "confirmed"  # it is theirs: the benefits check runs with it
    NOT_CONFIRMED = "not_confirmed"  # not theirs (or no longer): the next payer, or a person


class LinkOutcome(StrEnum):
    """What a liaison decides on a ``linked_update`` task."""

    RESOLVED = "resolved"  # rightly linked: the upload stays an update of the open referral
    SPLIT = "split"  # wrongly linked: it becomes its own referral and its workflow starts


class SourceDocument(BaseModel):
    """The uploaded file, kept unchanged and linked from the record."""

    bucket: str
    key: str
    version_id: str | None = None
    size: int
    sha256: str
    format: str = "json"
    quarantine_key: str | None = None


class LinkedDocument(BaseModel):
    """A later upload attached to an open referral: its own referral id and file."""

    referral_id: str
    bucket: str
    key: str
    version_id: str | None = None
    format: str
    uploaded_at: datetime


class ReferralRecord(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)

    referral_id: str
    status: ReferralStatus
    stage: str = Field(description="the workflow step the referral is at, in words")
    referral: Referral | None = None
    problems: list[str] = Field(default_factory=list)
    draft: Draft | None = Field(
        default=None,
        description="what was read, for a referral in review (bounded: see referrals.bounds)",
    )
    fields_missing: list[str] = Field(default_factory=list)
    source: SourceDocument
    uploaded_at: datetime
    created_at: datetime
    updated_at: datetime
    execution_name: str | None = None
    benefits: StoredBenefits | None = None
    estimate: EstimateHeadline | None = None
    prior_auth: PriorAuthSummary | None = None
    linked_to: str | None = Field(
        default=None, description="for a ``linked`` referral: the open referral it updates"
    )
    split_from: str | None = Field(
        default=None, description="the referral a liaison split this one from (never re-linked)"
    )
    documents: list[LinkedDocument] = Field(
        default_factory=list,
        description="later uploads linked to this referral as updates (same patient and therapy)",
    )
    first_infusion: date | None = Field(
        default=None, description="the first infusion the scheduling call booked"
    )
    first_visit: Literal["booked", "documented", "missed", "cancelled"] | None = Field(
        default=None, description="where the nurse's first visit stands (intake.visit)"
    )
    discovery: DiscoveryRecord | None = Field(
        default=None, description="insurance discovery: the payers asked and what they said"
    )

    @property
    def schedule(self) -> TherapySchedule | None:
        """The therapy's dates (prescribed, planned, booked); None before a referral is read."""
        if self.referral is None:
            return None
        return TherapySchedule.of(self.referral, self.uploaded_at, self.first_infusion)


class TaskPatient(BaseModel):
    """What a liaison needs to place the call."""

    first_name: str
    last_name: str
    phone: str
    preferred_language: Language


class CallAttempt(BaseModel):
    at: datetime
    outcome: str
    by: str | None = None
    note_present: bool = False


class TaskRecord(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)

    task_id: str
    referral_id: str
    task_type: TaskType
    status: TaskStatus
    reason: str
    due_at: datetime
    created_at: datetime
    patient: TaskPatient | None = None
    details: Details
    """The model of its ``task_type`` (``DETAILS_BY_TYPE``), from the dictionary as stored."""
    task_token: str | None = Field(default=None, repr=False)
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    completed_by: str | None = None
    completed_at: datetime | None = None
    outcome: str | None = None
    note: str | None = None
    corrections: ReferralValues | None = None
    """A liaison's corrections: dotted referral paths (or a follow-up's certification fields)
    to the values given, whatever a referral field holds."""
    escalations: int = 0
    escalated_at: datetime | None = None
    resume_pending: bool = False
    attempts: list[CallAttempt] = Field(default_factory=list)
    """Every call attempt (calls only), oldest first."""
    next_attempt_at: datetime | None = None
    """A call's next attempt is not before this (attempts are spaced out)."""
    waiting_for: str | None = None
    """The task (a verify-contact task) this call waits on before its next attempt."""
    contact_unverified: bool = False
    """The clinic had no working number: the call may be closed as unreachable."""
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    effect: Literal["pending", "done", "failed"] | None = None
    """A completion's effect (start a workflow, send the task result): ``pending`` from the
    completion's own write until it has run (the scheduled reconciler finishes it); ``failed``
    once it kept failing and a person was asked (a workflow_error task)."""
    effect_attempts: int = 0
    first_infusion_date: date | None = None
    """A scheduling call's booked first infusion (its effect writes it on the referral)."""

    @model_validator(mode="before")
    @classmethod
    def _typed_details(cls, data: Any) -> Any:
        return with_typed_details(data)

    def details_as(self, kind: type[D]) -> D:
        """The details, as the model a reader expects of this task's type."""
        if not isinstance(self.details, kind):
            raise TypeError(f"a {self.task_type.value} task has no {kind.__name__}")
        return self.details


Scalar = str | int | float | bool | None | list[str]
"""A timeline fact: an id, a count, a code, a date, or a list of ids or codes. Never an
object: that keeps referral values (patient data) and whole documents off the timeline."""


class TimelineEvent(BaseModel):
    at: datetime
    event: str
    detail: dict[str, Scalar] = Field(default_factory=dict)
    actor: str = "system"

    @classmethod
    def from_stored(cls, item: dict[str, Any]) -> TimelineEvent:
        """An event as the table holds it. Events written before ``detail`` was typed may
        hold an object (an estimate's plan years, a re-authorization): an object's scalar
        fields are kept as ``key_field``, a list of objects as its length."""
        detail = {}
        for key, value in (item.get("detail") or {}).items():
            if isinstance(value, dict):
                detail.update(
                    {f"{key}_{k}": v for k, v in value.items() if not isinstance(v, dict | list)}
                )
            elif isinstance(value, list) and any(not isinstance(v, str) for v in value):
                detail[key] = len(value)
            else:
                detail[key] = value
        return cls.model_validate({**item, "detail": detail})


class AuthorizationRecord(BaseModel):
    """One prior authorization request and everything the payer said about it."""

    referral_id: str
    auth_id: str = Field(description="the 278 trace number; also the fax attachment number")
    status: Literal["pended", "certified", "partial", "modified", "denied", "cancelled", "rejected"]
    kind: Literal["initial", "appeal", "extension", "additional_information"] = "initial"
    """An initial request, an appeal of a denial, or a request for doses a certification left
    uncovered."""
    drug: str | None = Field(default=None, description="the HCPCS or NDC this request is for")
    evidence_requested: list[str] = Field(
        default_factory=list, description="criteria ids the payer pended the request for"
    )
    superseded_by: str | None = Field(
        default=None, description="the revised request that sent the additional information"
    )
    appeal_of: str | None = Field(default=None, description="the denied request an appeal is for")
    requested_from: date | None = None
    requested_to: date | None = None
    """The first and last planned dose the request asks for (a certification without dates
    is read as covering these)."""
    payer_id: str
    reasons: list[str]
    documentation: list[str]
    packet: dict[str, str] = Field(
        description="s3 URIs of packet.pdf, request.278, pas-bundle.json"
    )
    appeal: str | None = None
    decision: AuthorizationDecision | None = None
    submitted_at: datetime
    decided_at: datetime | None = None
    deadline_at: datetime = Field(description="end of the payer's decision window (CMS)")
    task_token: str | None = Field(default=None, repr=False)
    next_poll_at: datetime | None = None
    polls: int = 0
    poll_failures: int = 0
    last_poll_error: str | None = None
    token_expired: bool = False
    budget_spent: bool = False
    """Every paid status inquiry the budget allows was used; a person took over."""
