"""Routes of the liaison API. Domain errors become HTTP statuses in one handler each."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from intake.api.audit import CLINICAL_TASKS, ROUTES, caller, guard, note
from intake.api.care import router as care_router
from intake.api.clinic import router as clinic_router
from intake.api.course import router as course_router
from intake.api.directory import DIRECTORY_BODY_BYTES
from intake.api.directory import router as directory_router
from intake.api.identity import Forbidden, Role
from intake.api.params import ReferralId, TaskId
from intake.api.views import (
    ClaimRequest,
    CompleteRequest,
    ErrorBody,
    EstimateHistory,
    ReassignRequest,
    ReferralView,
    TaskList,
    TaskView,
)
from intake.api.visit import queue_types
from intake.api.visit import router as visit_router
from intake.api.workspace import router as workspace_router
from intake.core.clock import utcnow
from intake.core.errors import Conflict, InvalidCorrections, InvalidRequest, NotFound
from intake.models.ports import ReferralStore
from intake.models.records import TaskRecord, TaskStatus, TaskType
from intake.tasks.service import Completion, TaskService
from intake.wiring import store, task_service
from intake.workspace.service import AccessEntry

MAX_BODY_BYTES = 64 * 1024
"""Largest request body the API reads (a completion with a note and 50 corrections is ~10 KB).
Larger → 413 before anything is parsed or stored."""


class _BoundedResolver(APIGatewayHttpResolver):
    """Refuses an over-long body before validation parses it or a task stores it."""

    def resolve(self, event: Mapping[str, Any], context: LambdaContext) -> dict[str, Any]:
        body = event.get("body") or ""
        size = len(body) * 3 // 4 if event.get("isBase64Encoded") else len(body.encode())
        upload = event.get("rawPath") == "/directory/imports"
        limit = DIRECTORY_BODY_BYTES if upload else MAX_BODY_BYTES
        if size > limit:
            return {
                "statusCode": 413,
                "headers": {"Content-Type": content_types.APPLICATION_JSON},
                "body": ErrorBody(
                    error="too_large",
                    message=f"the request body is larger than {limit // 1024} KB",
                ).model_dump_json(),
                "isBase64Encoded": False,
            }
        return super().resolve(event, context)


PAGE_SIZE = 100
"""Tasks per page of ``GET /tasks`` (a task view is ~2 KB: a page stays far below the 6 MB a
Lambda response may carry)."""


@functools.cache
def _access_log() -> Any:
    from intake.adapters.dynamodb_access import DynamoDbAccessLog
    from intake.core.settings import AccessLogSettings, load_settings

    return DynamoDbAccessLog(load_settings(AccessLogSettings).access_log_table)


def _record(entry: AccessEntry) -> None:
    _access_log().record(entry)


app = _BoundedResolver(enable_validation=True)
app.use([guard(_record)])  # roles, and every PHI read recorded (intake/api/audit.py)
app.include_router(course_router)  # the therapy calendar (intake/api/course.py)
app.include_router(care_router)  # the pharmacist's assessment (intake/api/care.py)
app.include_router(visit_router)  # the nurse's visits (intake/api/visit.py)
app.include_router(directory_router)  # the payer directory (intake/api/directory.py)
app.include_router(clinic_router)  # the clinic statuses (intake/api/clinic.py)


@functools.cache
def _deps() -> tuple[TaskService, ReferralStore]:
    return task_service(), store()


def current_liaison(given: str | None = None) -> str:
    """The caller's stable id (``intake.api.identity``); ``given`` is read by the guard."""
    return caller().id


def _own(tasks: TaskService, task_id: str) -> None:
    """Migration on touch: a task claimed before the switch to ``sub`` names its liaison by
    e-mail. When that is the caller's verified e-mail, the claim is moved to their id (given
    back and claimed again: two timeline events) so the checks by id hold from then on."""
    who = caller()
    task = tasks.get(task_id)
    if who.email and task.claimed_by == who.email and who.id != who.email:
        tasks.unclaim(task_id, who.email)
        tasks.claim(task_id, who.id)


def _task_key(task: TaskRecord) -> str:
    return f"{task.due_at.isoformat()}#{task.task_id}"


@app.get("/tasks", summary="List open tasks, soonest due first (a page at a time)")
def list_tasks(
    task_type: Annotated[TaskType | None, Query(alias="type")] = None,
    due_before: Annotated[datetime | None, Query()] = None,
    status: Annotated[
        TaskStatus | None, Query(description="open or claimed; both by default")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=PAGE_SIZE)] = PAGE_SIZE,
    next_page: Annotated[
        str | None, Query(alias="next", max_length=200, description="`next` of the last page")
    ] = None,
    queue: Annotated[
        str | None,
        Query(max_length=40, description="one of your roles' queues (default: all of yours)"),
    ] = None,
) -> TaskList:
    tasks, _ = _deps()
    shown = queue_types(caller(), queue)
    if status in (TaskStatus.COMPLETED, TaskStatus.CANCELLED):
        raise InvalidRequest(f"{status.value} tasks are read through their referral")
    statuses = (status,) if status else (TaskStatus.OPEN, TaskStatus.CLAIMED)
    found = sorted(
        tasks.list_open(task_type=task_type, due_before=due_before, statuses=statuses),
        key=_task_key,
    )
    if shown is not None:
        found = [t for t in found if t.task_type.value in shown]
    if next_page:
        found = [t for t in found if _task_key(t) > next_page]
    page = found[:limit]
    more = _task_key(page[-1]) if len(found) > limit else None
    note(t.referral_id for t in page)
    now = utcnow()
    return TaskList(tasks=[TaskView.of(t, now) for t in page], count=len(page), next=more)


@app.get("/tasks/<task_id>", summary="Read one task")
def get_task(task_id: TaskId) -> TaskView:
    tasks, _ = _deps()
    return TaskView.of(tasks.get(task_id), utcnow())


@app.post("/tasks/<task_id>/claim", summary="Claim a task so other liaisons leave it")
def claim_task(task_id: TaskId, body: ClaimRequest) -> TaskView:
    tasks, _ = _deps()
    _own(tasks, task_id)
    return TaskView.of(tasks.claim(task_id, current_liaison()), utcnow())


@app.post("/tasks/<task_id>/unclaim", summary="Give a task you claimed back to the queue")
def unclaim_task(task_id: TaskId, body: ClaimRequest) -> TaskView:
    tasks, _ = _deps()
    _own(tasks, task_id)
    return TaskView.of(tasks.unclaim(task_id, current_liaison()), utcnow())


@app.post(
    "/tasks/<task_id>/reassign",
    summary="Supervisor: give a claimed task to another user (or back to the queue)",
)
def reassign_task(task_id: TaskId, body: ReassignRequest) -> TaskView:
    tasks, _ = _deps()
    task = tasks.get(task_id)
    if task.claimed_by:
        tasks.unclaim(task_id, task.claimed_by)
    return TaskView.of(tasks.claim(task_id, body.to), utcnow())


@app.post(
    "/tasks/<task_id>/complete", summary="Complete a task with its outcome; resumes the workflow"
)
def complete_task(task_id: TaskId, body: CompleteRequest) -> TaskView:
    tasks, _ = _deps()
    if tasks.get(task_id).task_type.value in CLINICAL_TASKS:
        caller().require(Role.PHARMACIST)
    _own(tasks, task_id)
    completion = Completion(
        outcome=body.outcome,
        note=body.note,
        liaison=current_liaison(),
        corrections=body.corrections,
        first_infusion_date=body.first_infusion_date,
    )
    return TaskView.of(tasks.complete(task_id, completion), utcnow())


@app.get("/referrals/<referral_id>", summary="A referral with its timeline and tasks")
def get_referral(referral_id: ReferralId) -> ReferralView:
    _, referrals = _deps()
    record = referrals.get_referral(referral_id)
    if record is None:
        raise NotFound(f"referral {referral_id} does not exist")
    return ReferralView.of(
        record, referrals.timeline(referral_id), referrals.tasks_of(referral_id), utcnow()
    )


@app.get("/referrals/<referral_id>/estimates", summary="Every estimate version of a referral")
def get_estimates(referral_id: ReferralId) -> EstimateHistory:
    _, referrals = _deps()
    if referrals.get_referral(referral_id) is None:
        raise NotFound(f"referral {referral_id} does not exist")
    return EstimateHistory(referral_id=referral_id, estimates=referrals.estimates(referral_id))


def _error(status: int, kind: str, exc: Exception) -> Response[str]:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=ErrorBody(error=kind, message=str(exc)).model_dump_json(),
    )


DOMAIN_ERRORS: dict[type[Exception], tuple[int, str]] = {
    Forbidden: (403, "forbidden"),
    NotFound: (404, "not_found"),
    Conflict: (409, "conflict"),
    InvalidCorrections: (422, "invalid_corrections"),
    InvalidRequest: (400, "invalid_request"),
}
"""The domain's errors as responses: status and kind, by the error's class."""


@app.exception_handler(list(DOMAIN_ERRORS))
def _domain_error(exc: Exception) -> Response[str]:
    status, kind = next(DOMAIN_ERRORS[c] for c in type(exc).__mro__ if c in DOMAIN_ERRORS)
    return _error(status, kind, exc)


@app.exception_handler(RequestValidationError)
def _unprocessable(exc: RequestValidationError) -> Response[str]:
    """422 in the same shape as every other error: which fields and why, never their values."""
    problems = []
    for err in exc.errors()[:10]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path"))
        problems.append(f"{where or 'body'}: {err.get('msg', 'invalid')}")
    return _error(422, "invalid_input", ValueError("; ".join(problems) or "invalid input"))


app.include_router(workspace_router)


def openapi_json() -> str:
    """The OpenAPI document: the JWT scheme on every route, and every 4xx (422 included)
    declared as the one ``ErrorBody`` shape the handlers above return."""
    text = app.get_openapi_json_schema(
        title="Infusion intake - liaison task API",
        version="1.0.0",
        description="Work the liaison call and review tasks of infusion referrals. In AWS every "
        "route needs a Cognito ID token (`Authorization: Bearer …`) from the hosted UI.",
        security_schemes={
            "cognito": HTTPBearer(
                bearerFormat="JWT",
                description="An ID token from the liaison user pool (hosted UI sign-in).",
            )
        },
        security=[{"cognito": []}],
    )
    doc = json.loads(text)
    error = {
        "description": "the request cannot be served: `error` says which kind, `message` why",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
    }
    for path, operations in doc.get("paths", {}).items():
        for method, operation in operations.items():
            pattern = re.sub(r"\{(\w+)\}", r"<\1>", path)
            rule = ROUTES[f"{method.upper()} {pattern}"]
            operation["x-intake-roles"] = sorted(r.value for r in rule.roles)
            operation["x-intake-phi-recorded"] = rule.phi
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            responses["4XX"] = error
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["ErrorBody"] = ErrorBody.model_json_schema()
    return json.dumps(doc, indent=2)
