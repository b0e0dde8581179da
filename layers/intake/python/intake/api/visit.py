"""Liaison API routes of the nurse's visits, and the role queues ``GET /tasks`` shows.

``POST /tasks/{task_id}/visit``: the nurse documents the visit of a ``first_visit`` task; the
record is checked (vitals within bounds, no expired lot, start before stop), kept, and the task
completed as ``documented`` (which resumes the workflow). ``GET /referrals/{id}/visits``: the
referral's visits, booked and documented. A ``Router`` included into the app in
``intake.api.routes`` (the app's error handlers apply).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, Field

from intake.api.audit import caller
from intake.api.identity import Caller, Forbidden
from intake.api.params import ReferralId, TaskId
from intake.api.views import TaskView
from intake.core.clock import utcnow
from intake.core.errors import InvalidRequest, NotFound
from intake.tasks.roles import queue_roles, task_types_for
from intake.visit.record import Nurse, VisitDocumentation, VisitRecord

router = APIGatewayHttpRouter()  # type: ignore[no-untyped-call]


def queue_types(who: Caller, queue: str | None) -> frozenset[str] | None:
    """The task types ``GET /tasks`` shows the caller: their roles' queues together, or the one
    ``queue`` they asked for (one of their own roles). None: every type."""
    roles = sorted(r.value for r in who.roles)
    if queue is None:
        return task_types_for(roles)
    if queue not in queue_roles():
        raise InvalidRequest(f"no queue '{queue}'; one of: {', '.join(queue_roles())}")
    if queue not in roles:
        raise Forbidden(f"the {queue} queue is for the {queue} role")
    return task_types_for([queue])


class VisitView(BaseModel):
    """A booked visit and, once documented, its record."""

    visit_id: str
    round: int
    dose: int | None = None
    day: date | None = None
    window_start: time | None = None
    window_end: time | None = None
    ship_by: date | None = None
    nurse: Nurse | None = None
    not_booked: str | None = None
    status: str
    booked_at: datetime
    record: VisitRecord | None = None


class VisitList(BaseModel):
    visits: list[VisitView]


class DocumentVisit(VisitDocumentation):
    """The visit record (see ``VisitDocumentation``); ``liaison`` names the caller locally."""

    liaison: str | None = Field(default=None, max_length=120)


class Documented(BaseModel):
    visit: VisitView
    task: TaskView


def _view(visit: Any) -> VisitView:
    return VisitView.model_validate(visit.model_dump())


@router.post(
    "/tasks/<task_id>/visit",
    summary="Nurse: document the visit of a first_visit task (completes the task)",
)
def document_visit(task_id: TaskId, body: DocumentVisit) -> Documented:
    from intake.tasks.service import Completion
    from intake.wiring import task_service, visits

    who = caller().id
    tasks = task_service()
    task = tasks.get(task_id)
    documentation = VisitDocumentation.model_validate(body.model_dump(exclude={"liaison"}))
    visit = visits().document(task, documentation, who)
    done = tasks.complete(
        task_id, Completion(outcome="documented", note=documentation.note, liaison=who)
    )
    return Documented(visit=_view(visit), task=TaskView.of(done, utcnow()))


@router.post(
    "/referrals/<referral_id>/doses/<number>/visit",
    summary="Nurse: document the visit of a later dose of the course (a cleared dose given)",
)
def document_dose_visit(
    referral_id: ReferralId, number: Annotated[int, Path(ge=1, le=999)], body: DocumentVisit
) -> VisitView:
    from intake.wiring import visits

    documentation = VisitDocumentation.model_validate(body.model_dump(exclude={"liaison"}))
    return _view(visits().document_dose(referral_id, number, documentation, caller().id))


@router.get("/referrals/<referral_id>/visits", summary="A referral's nurse visits and records")
def list_visits(referral_id: ReferralId) -> VisitList:
    from intake.wiring import store, visits

    if store().get_referral(referral_id) is None:
        raise NotFound(f"referral {referral_id} does not exist")
    return VisitList(visits=[_view(v) for v in visits().of(referral_id)])
