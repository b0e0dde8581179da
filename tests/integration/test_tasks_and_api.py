"""dispatch_task, liaison_api and workflow_step against moto, with a real task token."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from intake.adapters.dynamodb_store import DynamoDbStore
from intake.core.ids import referral_id_for, task_id_for
from intake.models.records import TaskStatus, TaskType
from intake.models.task_details import WorkflowErrorDetails
from tests.conftest import load_event, load_handler
from tests.integration.conftest import REGION, IntakeResources
from tests.integration.test_ingest_handler import upload_event


@pytest.fixture
def handlers(resources: IntakeResources) -> dict[str, Any]:
    return {
        name: load_handler(name).lambda_handler
        for name in ("ingest_referral", "dispatch_task", "liaison_api", "workflow_step")
    }


def call_request_from_queue(res: IntakeResources) -> dict[str, Any]:
    """What the state machine put on the call queue, as the SQS event the dispatcher receives."""
    sqs = boto3.client("sqs", region_name=REGION)
    for _ in range(50):
        messages = sqs.receive_message(QueueUrl=res.call_queue_url, MaxNumberOfMessages=10).get(
            "Messages", []
        )
        if messages:
            event = load_event("dispatch_task/sqs-call-request")
            record = event["Records"][0]
            event["Records"] = [
                dict(record, messageId=m["MessageId"], body=m["Body"]) for m in messages
            ]
            return event
        time.sleep(0.1)
    raise AssertionError("the workflow queued no call")


def api(
    handler: Any,
    ctx: Any,
    method: str,
    path: str,
    body: Any = None,
    query: dict[str, str] | None = None,
    claims: dict[str, str] | None = None,
    local: str | None = "local-liaison",
) -> tuple[int, Any]:
    """Call the API as API Gateway would: with a token's ``claims``, or (the local stack, no
    authorizer) as ``local`` named in the sign-in header; ``local=None``: nobody said who."""
    event = load_event("liaison_api/get-tasks")
    event.update(
        rawPath=path,
        queryStringParameters=query,
        rawQueryString="&".join(f"{k}={v}" for k, v in (query or {}).items()),
        body=json.dumps(body) if body is not None else None,
    )
    event["requestContext"]["http"].update(method=method, path=path)
    if claims is None:
        event["requestContext"].pop("authorizer")
        if local:
            event["headers"]["x-intake-liaison"] = local
    else:
        event["requestContext"]["authorizer"]["jwt"]["claims"] = claims
    reply = handler(event, ctx)
    return reply["statusCode"], json.loads(reply["body"]) if reply.get("body") else None


@pytest.fixture
def welcome_call(resources: IntakeResources, handlers: dict[str, Any], lambda_context: Any) -> str:
    """A referral ingested, its workflow waiting on the welcome call, the task opened."""
    event, _ = upload_event(resources, "02-hmo-copay-spanish.json")
    handlers["ingest_referral"](event, lambda_context)
    request = call_request_from_queue(resources)
    assert handlers["dispatch_task"](request, lambda_context) == {"batchItemFailures": []}
    body = json.loads(request["Records"][0]["body"])
    return task_id_for(body["referral_id"], TaskType.WELCOME_CALL)


def execution_status(res: IntakeResources) -> str:
    sfn = boto3.client("stepfunctions", region_name=REGION)
    arn = sfn.list_executions(stateMachineArn=res.state_machine_arn)["executions"][0][
        "executionArn"
    ]
    for _ in range(50):
        status: str = sfn.describe_execution(executionArn=arn)["status"]
        if status != "RUNNING":
            return status
        time.sleep(0.1)
    return "RUNNING"


def test_dispatch_opens_the_task_with_patient_language_reason_and_due_time(
    resources: IntakeResources, welcome_call: str
) -> None:
    task = DynamoDbStore(resources.table_name).get_task(welcome_call)
    assert task is not None and task.status is TaskStatus.OPEN
    assert task.patient is not None and task.patient.last_name == "Nguyen"
    assert task.patient.preferred_language.value == "es"
    assert task.reason.startswith("Welcome call")
    assert task.task_token and task.due_at == datetime(2030, 1, 1, tzinfo=UTC)
    assert [n["kind"] for n in resources.notifications()] == ["task_queued"]


def test_redelivered_call_request_opens_no_second_task(
    resources: IntakeResources, handlers: dict[str, Any], lambda_context: Any, welcome_call: str
) -> None:
    resources.notifications()
    event = load_event("dispatch_task/sqs-call-request")
    task = DynamoDbStore(resources.table_name).get_task(welcome_call)
    assert task is not None
    body = {
        "task_token": task.task_token,
        "referral_id": task.referral_id,
        "task_type": "welcome_call",
        "round": 1,
        "due_at": "2030-01-01T00:00:00Z",
    }
    event["Records"][0]["body"] = json.dumps(body)
    handlers["dispatch_task"](event, lambda_context)
    assert len(DynamoDbStore(resources.table_name).tasks_of(task.referral_id)) == 1
    assert resources.notifications() == []


def test_liaison_lists_claims_and_completes_and_the_workflow_resumes(
    resources: IntakeResources, handlers: dict[str, Any], lambda_context: Any, welcome_call: str
) -> None:
    fn = handlers["liaison_api"]
    # Given the open welcome call, listed by type
    status, listing = api(fn, lambda_context, "GET", "/tasks", query={"type": "welcome_call"})
    assert status == 200 and [t["task_id"] for t in listing["tasks"]] == [welcome_call]
    assert "task_token" not in listing["tasks"][0]
    # When a signed-in liaison claims it, another cannot
    rosa = {
        "sub": "rosa",
        "email": "rosa@example.org",
        "email_verified": "true",
        "cognito:groups": "[liaison]",
    }
    status, claimed = api(
        fn, lambda_context, "POST", f"/tasks/{welcome_call}/claim", {}, claims=rosa
    )
    # (by her stable id, the token's sub: an e-mail can be changed by its user)
    assert status == 200 and claimed["claimed_by"] == "rosa", claimed
    li = {"sub": "li", "cognito:groups": "[liaison]"}
    status, error = api(fn, lambda_context, "POST", f"/tasks/{welcome_call}/claim", {}, claims=li)
    assert status == 409 and error["error"] == "conflict"
    # And completing it with an outcome that does not apply is refused
    status, error = api(
        fn,
        lambda_context,
        "POST",
        f"/tasks/{welcome_call}/complete",
        {"outcome": "resolved"},
        claims=rosa,
    )
    assert status == 400, error
    assert "reached" in error["message"]
    # When completed as reached
    status, done = api(
        fn,
        lambda_context,
        "POST",
        f"/tasks/{welcome_call}/complete",
        {"outcome": "reached", "note": "Prefers mornings"},
        claims=rosa,
    )
    assert status == 200 and done["status"] == "completed" and done["completed_by"] == "rosa"
    # Then the workflow waiting on the token moves on, and the task leaves the work queue
    assert execution_status(resources) == "SUCCEEDED"
    assert api(fn, lambda_context, "GET", "/tasks")[1]["count"] == 0
    # And completing it again is a clear conflict
    status, error = api(
        fn,
        lambda_context,
        "POST",
        f"/tasks/{welcome_call}/complete",
        {"outcome": "reached"},
        claims=rosa,
    )
    assert status == 409 and "already completed" in error["message"]


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "/tasks/ref-00000000000000000000.welcome_call.1", None, 404),
        ("GET", "/tasks/not-a-task-id", None, 404),
        (
            "POST",
            "/tasks/ref-00000000000000000000.welcome_call.1/complete",
            {"outcome": "reached", "liaison": "x"},
            404,
        ),
        (
            "POST",
            "/tasks/ref-00000000000000000000.welcome_call.1/complete",
            {"note": "no outcome"},
            422,
        ),
        ("POST", "/tasks/ref-00000000000000000000.welcome_call.1/claim", "not json", 422),
        ("GET", "/referrals/ref-00000000000000000000", None, 404),
        ("GET", "/tasks", None, 200),
    ],
)
def test_bad_requests_get_clear_4xx(
    resources: IntakeResources,
    handlers: dict[str, Any],
    lambda_context: Any,
    method: str,
    path: str,
    body: Any,
    status: int,
) -> None:
    got, reply = api(handlers["liaison_api"], lambda_context, method, path, body)
    assert got == status, reply
    if status >= 400:
        assert reply.get("message") or reply.get("detail")


def test_bad_query_values_are_422(
    resources: IntakeResources, handlers: dict[str, Any], lambda_context: Any
) -> None:
    assert (
        api(handlers["liaison_api"], lambda_context, "GET", "/tasks", query={"type": "lunch"})[0]
        == 422
    )
    assert (
        api(handlers["liaison_api"], lambda_context, "GET", "/tasks", query={"due_before": "soon"})[
            0
        ]
        == 422
    )


def test_without_sign_in_the_liaison_must_say_who_they_are(
    resources: IntakeResources, handlers: dict[str, Any], lambda_context: Any, welcome_call: str
) -> None:
    status, error = api(
        handlers["liaison_api"],
        lambda_context,
        "POST",
        f"/tasks/{welcome_call}/claim",
        {},
        local=None,
    )
    assert status == 400 and "say who you are" in error["message"]


def test_referral_view_has_timeline_and_tasks(
    resources: IntakeResources, handlers: dict[str, Any], lambda_context: Any, welcome_call: str
) -> None:
    referral_id = welcome_call.split(".", maxsplit=1)[0]
    status, view = api(handlers["liaison_api"], lambda_context, "GET", f"/referrals/{referral_id}")
    assert status == 200
    assert view["status"] == "in_progress" and view["referral"]["patient"]["last_name"] == "Nguyen"
    assert [e["event"] for e in view["timeline"]][:2] == ["uploaded", "validated"]
    assert [t["task_type"] for t in view["tasks"]] == ["welcome_call"]


def test_workflow_step_started_sets_the_welcome_call_clock_from_the_sla(
    resources: IntakeResources, handlers: dict[str, Any], lambda_context: Any, welcome_call: str
) -> None:
    referral_id = welcome_call.split(".", maxsplit=1)[0]
    clock = handlers["workflow_step"](
        {"action": "started", "referral_id": referral_id}, lambda_context
    )
    due = datetime.fromisoformat(clock["welcome_call"]["due_at"])
    record = DynamoDbStore(resources.table_name).get_referral(referral_id)
    assert (
        record is not None
        and record.referral is not None
        and record.referral.received_at is not None
    )
    assert due == record.referral.received_at + timedelta(hours=48)
    assert 47 * 3600 < clock["welcome_call"]["timeout_seconds"] <= 48 * 3600


def test_workflow_step_escalates_an_overdue_task_and_notifies(
    resources: IntakeResources, handlers: dict[str, Any], lambda_context: Any, welcome_call: str
) -> None:
    resources.notifications()
    referral_id = welcome_call.split(".", maxsplit=1)[0]
    clock = handlers["workflow_step"](
        {"action": "escalate", "referral_id": referral_id, "task_type": "welcome_call", "round": 1},
        lambda_context,
    )
    assert clock["timeout_seconds"] == 3600
    task = DynamoDbStore(resources.table_name).get_task(welcome_call)
    assert task is not None and task.escalations == 1 and task.status is TaskStatus.OPEN
    assert [n["kind"] for n in resources.notifications()] == ["task_escalated"]


def test_unknown_workflow_action_fails_loudly(
    resources: IntakeResources, handlers: dict[str, Any], lambda_context: Any
) -> None:
    with pytest.raises(ValueError, match="does not match any of the expected tags"):
        handlers["workflow_step"](
            {"action": "dance", "referral_id": "ref-00000000000000000000"}, lambda_context
        )


def test_an_execution_that_ended_badly_becomes_one_workflow_error_task(
    resources: IntakeResources, handlers: dict[str, Any], lambda_context: Any, welcome_call: str
) -> None:
    # Given the input the ExecutionEndedBadlyRule's transformer sends for a FAILED execution
    referral_id = welcome_call.split(".", maxsplit=1)[0]
    event = {
        "action": "failed",
        "referral_id": referral_id,
        "error": {"Error": "FAILED", "Cause": "the workflow execution ended with this status"},
    }
    # When it arrives twice (EventBridge delivers at least once)
    handlers["workflow_step"](event, lambda_context)
    handlers["workflow_step"](event, lambda_context)
    # Then the referral is failed, with one workflow_error task a person can act on
    store = DynamoDbStore(resources.table_name)
    record = store.get_referral(referral_id)
    assert record is not None and record.status.value == "failed"
    errors = [t for t in store.tasks_of(referral_id) if t.task_type is TaskType.WORKFLOW_ERROR]
    assert len(errors) == 1 and errors[0].details_as(WorkflowErrorDetails).error_type == "FAILED"
    assert errors[0].details_as(WorkflowErrorDetails).what_failed == "the workflow execution failed"
    stored = errors[0].details.model_dump(exclude_unset=True)
    assert "what_to_do" in stored and "cause" not in stored
    assert [e.event for e in store.timeline(referral_id)].count("workflow_failed") == 1
    # And its open welcome call is cancelled with the reason, and the liaisons are told
    call = store.get_task(welcome_call)
    assert call is not None and call.status is TaskStatus.CANCELLED
    assert call.cancel_reason is not None and "stopped" in call.cancel_reason
    assert welcome_call not in {t.task_id for t in store.open_tasks("open")}
    kinds = [n["kind"] for n in resources.notifications()]
    assert kinds.count("task_cancelled") == 1 and kinds.count("task_queued") >= 1


def test_a_lambda_error_cause_is_never_stored_only_its_type_and_plain_words(
    resources: IntakeResources, handlers: dict[str, Any], lambda_context: Any, welcome_call: str
) -> None:
    # Given a step failed with an exception whose message quotes a referral value
    referral_id = welcome_call.split(".", maxsplit=1)[0]
    cause = {
        "errorMessage": "year 12025 is out of range for Maria Lopez",
        "errorType": "ValueError",
        "stackTrace": ['  File "/var/task/intake/prescription.py", line 265, in add_months\n'],
    }
    event = {
        "action": "failed",
        "referral_id": referral_id,
        "error": {"Error": "ValueError", "Cause": json.dumps(cause)},
    }
    # When the failure is recorded
    handlers["workflow_step"](event, lambda_context)
    # Then the workflow_error task says what failed in words, and holds no part of the message
    store = DynamoDbStore(resources.table_name)
    (error,) = [t for t in store.tasks_of(referral_id) if t.task_type is TaskType.WORKFLOW_ERROR]
    assert error.details_as(WorkflowErrorDetails).error_type == "ValueError"
    assert "internal error (ValueError)" in error.details_as(WorkflowErrorDetails).what_failed
    assert "Lopez" not in json.dumps(error.model_dump(mode="json"))
    assert "12025" not in json.dumps(
        [e.model_dump(mode="json") for e in store.timeline(referral_id)]
    )


def test_escalating_a_task_not_yet_created_waits_a_little_instead_of_failing(
    resources: IntakeResources, handlers: dict[str, Any], lambda_context: Any
) -> None:
    # Given a referral overdue on arrival, whose wait timed out before its task was created
    event, body = upload_event(resources, "01-ppo-deductible-coinsurance.json")
    handlers["ingest_referral"](event, lambda_context)
    referral_id = json.loads(event["Records"][0]["body"]) and referral_id_for(body)
    plan = {"due_at": "2026-01-01T00:00:00+00:00", "timeout_seconds": 1}
    # When the escalation step runs, Then it asks to look again shortly, recording nothing
    clock = handlers["workflow_step"](
        {
            "action": "escalate",
            "referral_id": referral_id,
            "task_type": "welcome_call",
            "round": 1,
            "plan": plan,
        },
        lambda_context,
    )
    assert clock["timeout_seconds"] == 5 and clock["due_at"].startswith("2026-01-01")
    assert "task_escalated" not in [
        e.event for e in DynamoDbStore(resources.table_name).timeline(referral_id)
    ]
