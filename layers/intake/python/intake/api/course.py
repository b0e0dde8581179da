"""Liaison API routes of ongoing therapy: the dose calendar, its checks and the tasks they raised.

A ``Router`` included into the app in ``intake.api.routes`` (the app's error handlers apply).
"""

from __future__ import annotations

import functools
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, Field

from intake.api.audit import caller, note
from intake.api.params import ReferralId
from intake.api.views import TaskView
from intake.core.clock import utcnow
from intake.core.errors import NotFound
from intake.course.model import DoseRecord, DoseStatus
from intake.models.records import TaskRecord

router = APIGatewayHttpRouter()  # type: ignore[no-untyped-call]


class DoseView(BaseModel):
    referral_id: str
    number: int
    day: date
    kind: str
    status: DoseStatus
    hold_reason: str | None = Field(default=None, description="held or ended: why")
    check_at: datetime = Field(description="when its check runs (or ran)")
    ship_by: date | None = None
    version: int
    moved_from: date | None = None
    check: dict[str, Any] = Field(
        default_factory=dict, description="what the last check found: benefits, authorization"
    )
    tasks: list[TaskView] = Field(default_factory=list, description="tasks this dose raised")

    @classmethod
    def of(cls, dose: DoseRecord, tasks: dict[str, TaskRecord], now: datetime) -> DoseView:
        data = dose.model_dump(exclude={"tasks", "execution_name", "updated_at", "drug_units"})
        views = [TaskView.of(tasks[t], now) for t in dose.tasks if t in tasks]
        return cls(**data, tasks=views)


class DoseList(BaseModel):
    doses: list[DoseView]
    next: str | None = Field(
        default=None, description="more doses (upcoming list): pass this as `next`"
    )


DOSE_PAGE = 200
"""Doses per page of ``GET /doses`` (a dose view with its tasks is a few KB: far below the
6 MB a Lambda response may carry)."""


def _dose_key(dose: DoseRecord) -> str:
    return f"{dose.day.isoformat()}#{dose.referral_id}#{dose.number:04d}"


class StartCourse(BaseModel):
    first_infusion_date: date
    liaison: str | None = Field(default=None, max_length=120)


class MoveDose(BaseModel):
    day: date
    liaison: str | None = Field(default=None, max_length=120)


class HoldCourse(BaseModel):
    reason: str = Field(min_length=1, max_length=300)
    liaison: str | None = Field(default=None, max_length=120)


class EndCourse(BaseModel):
    reason: Literal["discontinued", "completed"]
    liaison: str | None = Field(default=None, max_length=120)


class Actor(BaseModel):
    liaison: str | None = Field(default=None, max_length=120)


@functools.cache
def _deps() -> Any:
    from intake.wiring import course, doses, store

    return course(), doses(), store()


def _who(given: str | None) -> str:
    """The caller's stable id (the guard resolved it; ``given`` is read there)."""
    return caller().id


def _views(referral_id: str, doses: list[DoseRecord]) -> DoseList:
    _, _, referrals = _deps()
    tasks = {t.task_id: t for t in referrals.tasks_of(referral_id)} if doses else {}
    now = utcnow()
    return DoseList(doses=[DoseView.of(d, tasks, now) for d in doses])


@router.get(
    "/referrals/<referral_id>/doses",
    summary="A referral's dose calendar with each dose's check status and the tasks it raised",
)
def list_doses(referral_id: ReferralId) -> DoseList:
    _, store, referrals = _deps()
    if referrals.get_referral(referral_id) is None:
        raise NotFound(f"referral {referral_id} does not exist")
    return _views(referral_id, store.of(referral_id))


@router.get("/doses", summary="Upcoming doses by check status (held, cleared or due a check)")
def upcoming_doses(
    status: Annotated[
        Literal["held", "cleared", "due"], Query(description="due: checks not yet run")
    ] = "held",
    days: Annotated[int, Query(ge=1, le=120, description="doses in the next N days")] = 30,
    limit: Annotated[int, Query(ge=1, le=DOSE_PAGE)] = DOSE_PAGE,
    next_page: Annotated[
        str | None, Query(alias="next", max_length=200, description="`next` of the last page")
    ] = None,
) -> DoseList:
    _, store, _ = _deps()
    now = utcnow()
    if status == "due":
        found = store.due(now + timedelta(days=days), limit=200)
    else:
        found = store.listed(DoseStatus(status), (now + timedelta(days=days)).date())
    found = sorted((d for d in found if d.day >= now.date()), key=_dose_key)
    if next_page:
        found = [d for d in found if _dose_key(d) > next_page]
    page, more = found[:limit], (_dose_key(found[limit - 1]) if len(found) > limit else None)
    by_referral: dict[str, list[DoseRecord]] = {}
    for dose in page:
        by_referral.setdefault(dose.referral_id, []).append(dose)
    note(by_referral)
    views = [v for rid, ds in by_referral.items() for v in _views(rid, ds).doses]
    return DoseList(doses=sorted(views, key=lambda v: (v.day, v.referral_id, v.number)), next=more)


@router.post("/referrals/<referral_id>/course", summary="Start the calendar from the first date")
def start_course(referral_id: ReferralId, body: StartCourse) -> DoseList:
    course, _, _ = _deps()
    _who(body.liaison)
    return _views(referral_id, course.start(referral_id, body.first_infusion_date))


@router.post(
    "/referrals/<referral_id>/doses/<number>/move",
    summary="Move a dose to another day (its check is due again from the new day)",
)
def move_dose(
    referral_id: ReferralId,
    number: Annotated[int, Path(ge=1, le=999)],
    body: MoveDose,
) -> DoseList:
    course, _, _ = _deps()
    return _views(referral_id, [course.move(referral_id, number, body.day, _who(body.liaison))])


@router.post("/referrals/<referral_id>/course/hold", summary="Hold every dose ahead")
def hold_course(referral_id: ReferralId, body: HoldCourse) -> DoseList:
    course, _, _ = _deps()
    return _views(referral_id, course.hold(referral_id, body.reason, _who(body.liaison)))


@router.post("/referrals/<referral_id>/course/resume", summary="Resume held doses ahead")
def resume_course(referral_id: ReferralId, body: Actor) -> DoseList:
    course, _, _ = _deps()
    return _views(referral_id, course.resume(referral_id, _who(body.liaison)))


@router.post(
    "/referrals/<referral_id>/course/end", summary="End the therapy (discontinued or completed)"
)
def end_course(referral_id: ReferralId, body: EndCourse) -> DoseList:
    course, _, _ = _deps()
    return _views(referral_id, course.end(referral_id, body.reason, _who(body.liaison)))
