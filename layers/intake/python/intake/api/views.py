"""What the API returns and accepts (output and input models, apart from what is stored)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from intake.eligibility.benefits.render import summary_json
from intake.models.benefits import StoredBenefits
from intake.models.dates import TherapySchedule
from intake.models.discovery import DiscoveryRecord
from intake.models.estimate import EstimateHeadline
from intake.models.records import (
    CallAttempt,
    LinkedDocument,
    ReferralRecord,
    ReferralStatus,
    TaskPatient,
    TaskRecord,
    TaskStatus,
    TaskType,
    TimelineEvent,
)
from intake.models.referral import Referral


def benefits_view(stored: StoredBenefits) -> dict[str, Any]:
    """The benefits section as the referral view shows it: the rendered 271 (the same JSON as
    ``intake x12 read-271``) with the check's outcome beside it."""
    view: dict[str, Any] = {
        **summary_json(stored.answer),
        **stored.model_dump(mode="json", exclude={"answer", "secondary", "checked_at"}),
        "checked_at": stored.checked_at.isoformat(),
    }
    second = stored.secondary
    if second is not None:
        rendered = summary_json(second.answer) if second.answer else {}
        view["secondary"] = {
            **rendered,
            **second.model_dump(mode="json", exclude={"answer"}, exclude_none=True),
        }
    if stored.coordination is None:
        view.pop("coordination")
    return view


class TaskView(BaseModel):
    task_id: str
    referral_id: str
    task_type: TaskType
    status: TaskStatus
    reason: str
    due_at: datetime
    overdue: bool
    created_at: datetime
    patient: TaskPatient | None
    details: dict[str, Any]
    claimed_by: str | None
    completed_by: str | None
    completed_at: datetime | None
    outcome: str | None
    note: str | None
    escalations: int
    attempts: list[CallAttempt] = Field(description="calls: every attempt, oldest first")
    next_attempt_at: datetime | None = Field(
        description="calls: the next attempt is not before this (attempts are spaced out)"
    )
    waiting_for: str | None = Field(
        description="calls: the verify-contact task this call waits on after a wrong number"
    )
    outcomes: list[str] = Field(description="the outcomes a liaison may record on it now")
    cancel_reason: str | None = None
    effect: Literal["pending", "done", "failed"] | None = Field(
        default=None,
        description="a completion's effect (start the workflow, send the task result): "
        "pending until it has run (a scheduled reconciler finishes it), done, or failed "
        "(a person was asked)",
    )

    @classmethod
    def of(cls, task: TaskRecord, now: datetime, max_attempts: int = 3) -> TaskView:
        from intake.tasks.service import outcomes_for

        data = task.model_dump(
            exclude={
                "task_token",
                "corrections",
                "resume_pending",
                "contact_unverified",
                "cancelled_at",
            }
        )
        working = task.status in (TaskStatus.OPEN, TaskStatus.CLAIMED)
        return cls(
            **data,
            overdue=working and task.due_at < now,
            outcomes=sorted(outcomes_for(task, max_attempts)) if working else [],
        )


class TaskList(BaseModel):
    tasks: list[TaskView]
    count: int = Field(description="tasks on this page")
    next: str | None = Field(
        default=None, description="more tasks: pass this as `next` for the following page"
    )


class ReferralView(BaseModel):
    referral_id: str
    status: ReferralStatus
    stage: str
    referral: Referral | None
    problems: list[str]
    draft: dict[str, Any] | None = Field(
        description="what was read, for a referral in review: complete it with corrections"
    )
    fields_missing: list[str]
    source_key: str
    quarantine_key: str | None
    uploaded_at: datetime
    benefits: dict[str, Any] | None
    estimate: EstimateHeadline | None = Field(description="the latest estimate's headline figures")
    prior_auth: dict[str, Any] | None = Field(
        description="whether authorization was needed, the packet's location and the decision"
    )
    linked_to: str | None = Field(
        default=None, description="for a linked referral: the open referral it updates"
    )
    documents: list[LinkedDocument] = Field(
        default_factory=list, description="later uploads linked to this referral as updates"
    )
    schedule: TherapySchedule | None = Field(
        default=None,
        description="the therapy's prescribed and planned start, and the booked first infusion",
    )
    timeline: list[TimelineEvent]
    tasks: list[TaskView]
    discovery: DiscoveryRecord | None = Field(
        default=None,
        description="insurance discovery: each payer asked, the search, its answer (AAA codes), "
        "the budget, and a coverage found (with its member id) awaiting the patient",
    )

    @classmethod
    def of(
        cls,
        record: ReferralRecord,
        timeline: list[TimelineEvent],
        tasks: list[TaskRecord],
        now: datetime,
    ) -> ReferralView:
        return cls(
            referral_id=record.referral_id,
            status=record.status,
            stage=record.stage,
            referral=record.referral,
            problems=record.problems,
            draft=record.draft,
            fields_missing=record.fields_missing,
            source_key=record.source.key,
            quarantine_key=record.source.quarantine_key,
            uploaded_at=record.uploaded_at,
            benefits=benefits_view(record.benefits) if record.benefits else None,
            estimate=record.estimate,
            prior_auth=record.prior_auth.stored() if record.prior_auth else None,
            linked_to=record.linked_to,
            documents=record.documents,
            schedule=record.schedule,
            timeline=sorted(timeline, key=lambda e: e.at),
            tasks=[TaskView.of(t, now) for t in tasks],
            discovery=record.discovery,
        )


class EstimateHistory(BaseModel):
    referral_id: str
    estimates: list[dict[str, Any]] = Field(
        description="every version, oldest first, each with the inputs it was made from"
    )


class ReassignRequest(BaseModel):
    to: str = Field(min_length=1, max_length=120, description="the user id to give the task to")


class ClaimRequest(BaseModel):
    liaison: str | None = Field(
        default=None,
        max_length=120,
        description="who claims it; taken from the sign-in token when there is one",
    )


class CompleteRequest(BaseModel):
    outcome: str = Field(
        description="calls: reached, voicemail, no_answer, wrong_number, declined (unreachable "
        "once every attempt is used); authorization tasks: appeal_submitted, alternative_therapy, "
        "self_pay, declined, accept_terms (partial/modified), certified, denied, still_pending, "
        "not_required (follow-up), approved (network exception); reviews: resolved, rejected. "
        "Each task lists its allowed outcomes in `outcomes`."
    )
    note: str | None = Field(default=None, max_length=4000)
    liaison: str | None = Field(default=None, max_length=120)
    corrections: dict[str, Any] | None = Field(
        default=None,
        description="corrected referral fields (e.g. insurance.member_id) for review tasks: "
        "referral field paths only, list positions at most one past the list's end, at most "
        "50 fields; the whole body at most 64 KB",
    )
    first_infusion_date: date | None = Field(
        default=None,
        description="scheduling_call reached: the first infusion's date (the therapy calendar "
        "is computed from it)",
    )


class ErrorBody(BaseModel):
    error: str
    message: str
