"""The liaison API under concurrency and hostile bodies, against moto.

Two liaisons act at once: each in its own thread with its own store, client session and task
service, as two Lambda environments would be. moto does not serialize writes to one item the
way DynamoDB does (its update checks the condition and writes in separate Python steps), so
``dynamodb_item_atomicity`` puts one lock around moto's item writes; with it the race is
between our read-check-write logic and DynamoDB's conditional write, which is what is tested.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import boto3
import pytest
from moto.dynamodb.models import DynamoDBBackend

from intake.adapters.dynamodb_store import DynamoDbStore
from intake.adapters.sns_notifier import SnsNotifier
from intake.adapters.stepfunctions import StepFunctionsWorkflow
from intake.core.errors import Conflict
from intake.core.ids import task_id_for
from intake.models.records import TaskStatus, TaskType
from intake.referrals.review import DraftCompletion
from intake.tasks.reconcile import Reconciler
from intake.tasks.service import Completion, TaskService
from tests.conftest import INFLIXIMAB, load_handler
from tests.integration.conftest import REGION, IntakeResources
from tests.integration.test_ingest_handler import upload_event
from tests.integration.test_tasks_and_api import api, call_request_from_queue

TRIALS = 3
COMPLETE_FIELDS: dict[str, Any] = {
    "prescriber.npi": "1234567893",
    "therapy": {**INFLIXIMAB, "site_of_care": "home"},
}


@pytest.fixture
def dynamodb_item_atomicity(monkeypatch: pytest.MonkeyPatch) -> None:
    lock = threading.Lock()
    for name in ("put_item", "update_item", "delete_item"):
        original = getattr(DynamoDBBackend, name)

        def serialized(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
            with lock:
                return _original(*args, **kwargs)

        monkeypatch.setattr(DynamoDBBackend, name, functools.wraps(original)(serialized))


def environment(res: IntakeResources) -> TaskService:
    """One liaison API environment: its own session, table resource and services."""
    table = boto3.session.Session().resource("dynamodb", region_name=REGION).Table(res.table_name)
    store = DynamoDbStore(res.table_name, table=table)
    workflow = StepFunctionsWorkflow(res.state_machine_arn)
    service = TaskService(store, SnsNotifier(res.topic_arn), workflow)
    service.on_complete[TaskType.COMPLETE_REFERRAL] = DraftCompletion(store, workflow)
    return service


def race(actions: list[Callable[[], Any]]) -> list[Any]:
    """Run the actions at the same moment (a barrier), each on its own thread; each result is
    its return value or the exception it raised."""
    barrier = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)

    def run(i: int) -> None:
        barrier.wait(timeout=30)
        try:
            results[i] = actions[i]()
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return results


@pytest.fixture
def welcome_call(resources: IntakeResources, lambda_context: Any) -> Iterator[str]:
    event, _ = upload_event(resources, "02-hmo-copay-spanish.json")
    load_handler("ingest_referral").lambda_handler(event, lambda_context)
    request = call_request_from_queue(resources)
    load_handler("dispatch_task").lambda_handler(request, lambda_context)
    import json

    body = json.loads(request["Records"][0]["body"])
    yield task_id_for(body["referral_id"], TaskType.WELCOME_CALL)


@pytest.fixture
def review_task(resources: IntakeResources, lambda_context: Any) -> str:
    """A readable HL7 referral missing the prescriber NPI and therapy: a complete_referral
    task whose draft lives on the referral record."""
    event, body = upload_event(resources, "25-hl7-ref-i12-public-incomplete.hl7")
    load_handler("ingest_referral").lambda_handler(event, lambda_context)
    from intake.core.ids import referral_id_for

    return task_id_for(referral_id_for(body), TaskType.COMPLETE_REFERRAL)


def test_two_liaisons_claiming_at_once_one_wins_and_the_other_is_told(
    resources: IntakeResources, dynamodb_item_atomicity: None, welcome_call: str
) -> None:
    rosa, li = environment(resources), environment(resources)
    for _ in range(TRIALS):
        # Given an open task
        # When two liaisons claim it at the same moment
        results = race(
            [lambda: rosa.claim(welcome_call, "rosa"), lambda: li.claim(welcome_call, "li")]
        )
        # Then exactly one gets it and the other a Conflict, and the stored claim is the winner's
        winners = [r for r in results if not isinstance(r, Exception)]
        losers = [r for r in results if isinstance(r, Conflict)]
        assert len(winners) == 1 and len(losers) == 1, results
        stored = rosa.get(welcome_call)
        assert stored.status is TaskStatus.CLAIMED and stored.claimed_by == winners[0].claimed_by
        assert "claimed by another liaison" in str(losers[0])
        # And the winner can give it back for the next trial
        back = rosa.unclaim(welcome_call, stored.claimed_by)
        assert back.status is TaskStatus.OPEN and back.claimed_by is None


def test_two_completions_at_once_store_the_winners_data(
    resources: IntakeResources, dynamodb_item_atomicity: None, review_task: str
) -> None:
    # Given a draft waiting for a liaison, and two liaisons with different member ids
    rosa, li = environment(resources), environment(resources)
    fields = {
        "rosa": {**COMPLETE_FIELDS, "insurance.member_id": "ROSA00001"},
        "li": {**COMPLETE_FIELDS, "insurance.member_id": "LILI00002"},
    }

    def complete(service: TaskService, who: str) -> Any:
        return service.complete(
            review_task, Completion(outcome="resolved", liaison=who, corrections=fields[who])
        )

    # When both complete it at the same moment
    results = race([lambda: complete(rosa, "rosa"), lambda: complete(li, "li")])
    # Then one completion wins and the other is a Conflict
    winners = [r for r in results if not isinstance(r, Exception)]
    assert len(winners) == 1 and sum(isinstance(r, Conflict) for r in results) == 1, results
    winner = winners[0].completed_by
    # And the referral holds the winner's member id, started once
    record = rosa.store.get_referral(review_task.split(".", maxsplit=1)[0])
    assert record is not None and record.referral is not None
    assert record.referral.insurance.member_id == fields[winner]["insurance.member_id"]
    assert record.status.value == "in_progress" and record.draft is None
    events = [e.event for e in rosa.store.timeline(record.referral_id)]
    assert events.count("referral_completed") == 1 and events.count("task_completed") == 1


def test_a_completion_whose_effect_fails_stands_pending_and_the_reconciler_finishes_it(
    resources: IntakeResources, review_task: str
) -> None:
    """Issue 24 changed this on purpose: a completion whose effect fails is no longer undone
    (the liaison's work would be lost if the undo failed too); it stands with its effect
    pending, and the scheduled reconciler finishes it once the service is back."""
    # Given the workflow cannot be started (a transient outage)
    service = environment(resources)
    hook = service.on_complete[TaskType.COMPLETE_REFERRAL]
    assert isinstance(hook, DraftCompletion)
    working = hook.workflow

    class Down:
        def start(self, name: str, payload: dict[str, Any]) -> bool:
            raise ConnectionError("states endpoint unreachable")

        def resume(self, task_token: str, output: dict[str, Any]) -> bool:
            raise ConnectionError("states endpoint unreachable")

    hook.workflow = Down()
    done = Completion(outcome="resolved", liaison="rosa", corrections=COMPLETE_FIELDS)
    # When a liaison completes the task, Then the completion stands with its effect pending
    completed = service.complete(review_task, done)
    assert (completed.status, completed.effect) == (TaskStatus.COMPLETED, "pending")
    assert review_task not in {t.task_id for t in service.store.open_tasks("open")}
    # And the referral is back in review with its draft, not stuck half-done
    record = service.store.get_referral(review_task.split(".", maxsplit=1)[0])
    assert record is not None and record.status.value == "in_review" and record.draft
    # When the reconciler runs once the service is back, Then the referral runs
    hook.workflow = working
    report = Reconciler(service.store, service, grace=timedelta(0)).run()  # type: ignore[arg-type]
    assert (report.done, report.still_pending) == (1, 0)
    assert service.get(review_task).effect == "done"
    record = service.store.get_referral(review_task.split(".", maxsplit=1)[0])
    assert record is not None and record.status.value == "in_progress" and not record.draft


def test_bodies_past_the_maximum_are_refused_before_anything_is_stored(
    resources: IntakeResources, lambda_context: Any, welcome_call: str
) -> None:
    fn = load_handler("liaison_api").lambda_handler
    # Given 10 MB of corrections on a welcome call
    huge = {"outcome": "reached", "liaison": "rosa", "corrections": {"note": "x" * 10_000_000}}
    # When posted, Then 413 with a message, and the task is still open
    status, body = api(fn, lambda_context, "POST", f"/tasks/{welcome_call}/complete", huge)
    assert status == 413 and "larger than 64 KB" in body["message"]
    status, task = api(fn, lambda_context, "GET", f"/tasks/{welcome_call}")
    assert status == 200 and task["status"] == "open"


def test_corrections_are_checked_against_the_referral_paths(
    resources: IntakeResources, lambda_context: Any, review_task: str
) -> None:
    fn = load_handler("liaison_api").lambda_handler
    path = f"/tasks/{review_task}/complete"
    cases = {
        # a list padded to 200 000 entries
        "diagnoses.200000.code": "422:past the end of the list",
        # a field no referral has
        "patient.favourite_colour": "422:is not a field of a referral",
        # a whole group set to a value
        "insurance": "422:is a group of fields",
    }

    def resolve(corrections: dict[str, Any]) -> tuple[int, Any]:
        body = {"outcome": "resolved", "liaison": "rosa", "corrections": corrections}
        return api(fn, lambda_context, "POST", path, body)

    for key, expected in cases.items():
        # When a liaison sends it
        status, reply = resolve({key: "x"})
        # Then 422 names the path and the reason, and the task stays open
        code, words = expected.split(":", 1)
        assert status == int(code) and words in reply["message"] and key in reply["message"]
    status, reply = resolve({f"patient.address.line{i}": "x" for i in range(60)})
    assert status == 422 and "at most 50 fields" in reply["message"]
    # And one past the end of the list is allowed (adding a diagnosis)
    status, reply = resolve({**COMPLETE_FIELDS, "diagnoses.1.code": "K50.90"})
    assert status == 200 and reply["status"] == "completed"


def test_only_the_holder_can_unclaim(
    resources: IntakeResources, lambda_context: Any, welcome_call: str
) -> None:
    fn = load_handler("liaison_api").lambda_handler
    rosa = {"sub": "rosa", "cognito:groups": "[liaison]"}
    # Given Rosa holds the task
    assert (
        api(fn, lambda_context, "POST", f"/tasks/{welcome_call}/claim", {}, claims=rosa)[0] == 200
    )
    # When another liaison unclaims it, Then 409
    li = {"sub": "li", "cognito:groups": "[liaison]"}
    other = api(fn, lambda_context, "POST", f"/tasks/{welcome_call}/unclaim", {}, claims=li)
    assert other[0] == 409
    # When Rosa unclaims it, Then it is open for anyone
    status, task = api(
        fn, lambda_context, "POST", f"/tasks/{welcome_call}/unclaim", {}, claims=rosa
    )
    assert status == 200 and task["status"] == "open" and task["claimed_by"] is None
