"""Liaison API routes of the pharmacist's assessment: record an assessment on its task (each
submission a new version, the call completed as reached), and read every version.

A ``Router`` included into the app in ``intake.api.routes`` (the app's error handlers apply).
Only the care modules are imported when a route runs: the API's cold start is unchanged."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, ConfigDict, Field

from intake.api.audit import caller
from intake.api.identity import Role
from intake.api.params import ReferralId, TaskId
from intake.care.model import AssessmentIntake, AssessmentRecord
from intake.core.errors import NotFound

router = APIGatewayHttpRouter()  # type: ignore[no-untyped-call]


class AssessmentBody(BaseModel):
    """``POST /tasks/{id}/assessment``: what the patient told the pharmacist. A list left out
    is "not asked"; an empty list is the patient's "none"."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    assessment: AssessmentIntake
    note: str | None = Field(default=None, max_length=2000)
    liaison: str | None = Field(default=None, max_length=120, description="ignored: the caller")


class AssessmentHistory(BaseModel):
    model_config = ConfigDict(defer_build=True)

    referral_id: str
    assessments: list[AssessmentRecord] = Field(description="every version, oldest first")


def _assessments() -> Any:
    from intake.wiring import assessments

    return assessments()


@router.post(
    "/tasks/<task_id>/assessment",
    summary="Record the pharmacist's assessment on its task (a new version); completes the call",
)
def record_assessment(task_id: TaskId, body: AssessmentBody) -> AssessmentRecord:
    from intake.care.model import Submission

    who = caller()
    who.require(Role.PHARMACIST)
    record: AssessmentRecord = _assessments().submit(
        task_id, Submission(assessment=body.assessment, pharmacist=who.id, note=body.note)
    )
    return record


@router.get(
    "/referrals/<referral_id>/assessments",
    summary="Every assessment version of a referral, with its decisions and their sources",
)
def get_assessments(referral_id: ReferralId) -> AssessmentHistory:
    from intake.wiring import store

    if store().get_referral(referral_id) is None:
        raise NotFound(f"referral {referral_id} does not exist")
    return AssessmentHistory(
        referral_id=referral_id, assessments=_assessments().versions(referral_id)
    )
