"""Faults with nothing lost: a task completion that dies between its writes leaves its effect
pending, and the scheduled reconciler finishes it (issue 24, item 5).

The completion of a draft writes the task ``completed`` (effect ``pending``), then records the
referral as running, then starts its workflow. A Lambda killed between the last two (timeout,
out of memory) used to leave a referral "in progress" with no execution and nothing to find it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from intake.adapters.dynamodb_store import DynamoDbStore
from intake.adapters.sns_notifier import SnsNotifier
from intake.adapters.stepfunctions import StepFunctionsWorkflow
from intake.core.ids import task_id_for
from intake.models.records import ReferralStatus, TaskStatus, TaskType
from intake.referrals.review import DraftCompletion
from intake.tasks.reconcile import Reconciler
from intake.tasks.service import Completion, TaskService
from tests.conftest import INFLIXIMAB, load_handler
from tests.integration.conftest import REGION, IntakeResources
from tests.integration.test_ingest_handler import upload_event

FIELDS: dict[str, Any] = {
    "prescriber.npi": "1234567893",
    "therapy": {**INFLIXIMAB, "site_of_care": "home"},
}


class Killed(BaseException):
    """The Lambda dies here (a timeout or out of memory): no handler of ours runs after it."""


class DiesOnStart(StepFunctionsWorkflow):
    def start(self, name: str, payload: dict[str, Any]) -> bool:
        raise Killed


class FailsOnStart(StepFunctionsWorkflow):
    def start(self, name: str, payload: dict[str, Any]) -> bool:
        raise ConnectionError("states endpoint unreachable")


def _service(res: IntakeResources, workflow: StepFunctionsWorkflow) -> TaskService:
    store = DynamoDbStore(res.table_name)
    service = TaskService(store, SnsNotifier(res.topic_arn), workflow)
    service.on_complete[TaskType.COMPLETE_REFERRAL] = DraftCompletion(store, workflow)
    return service


@pytest.fixture
def draft_task(resources: IntakeResources, lambda_context: Any) -> tuple[str, str]:
    """An incomplete HL7 referral waiting in review: its complete_referral task."""
    from intake.core.ids import referral_id_for

    event, body = upload_event(resources, "25-hl7-ref-i12-public-incomplete.hl7")
    load_handler("ingest_referral").lambda_handler(event, lambda_context)
    referral_id = referral_id_for(body)
    return referral_id, task_id_for(referral_id, TaskType.COMPLETE_REFERRAL)


def _executions(res: IntakeResources) -> list[str]:
    sfn = boto3.client("stepfunctions", region_name=REGION)
    return [
        e["name"] for e in sfn.list_executions(stateMachineArn=res.state_machine_arn)["executions"]
    ]


def test_given_a_completion_killed_between_its_writes_when_reconciled_then_the_workflow_starts(
    resources: IntakeResources, draft_task: tuple[str, str]
) -> None:
    """The referral is running with no workflow after the kill; the reconciler starts it."""
    referral_id, task_id = draft_task
    store = DynamoDbStore(resources.table_name)
    # Given a liaison completing the draft, and the Lambda killed as it starts the workflow
    with pytest.raises(Killed):
        _service(resources, DiesOnStart(resources.state_machine_arn)).complete(
            task_id, Completion(outcome="resolved", liaison="rosa", corrections=FIELDS)
        )
    # Then the task is completed with its effect pending, the referral recorded as running,
    # and no execution exists: the state nothing used to find
    task = store.get_task(task_id)
    assert task is not None and task.status is TaskStatus.COMPLETED and task.effect == "pending"
    referral = store.get_referral(referral_id)
    assert referral is not None and referral.status is ReferralStatus.IN_PROGRESS
    assert referral_id not in _executions(resources)

    # When the scheduled reconciler runs (no grace: the kill is in the past)
    service = _service(resources, StepFunctionsWorkflow(resources.state_machine_arn))
    report = Reconciler(store, service, grace=timedelta(0)).run()

    # Then it found the one pending effect and finished it: the workflow runs, the effect is
    # done and the task has left the reconciler's index
    assert report.as_dict() == {"pending": 1, "done": 1, "still_pending": 0, "failed": 0}
    assert referral_id in _executions(resources)
    finished = store.get_task(task_id)
    assert finished is not None and finished.effect == "done"
    assert store.pending_effects(datetime.now(UTC)) == []


def test_given_the_workflow_start_failing_when_completed_then_200_with_the_effect_pending(
    resources: IntakeResources, draft_task: tuple[str, str]
) -> None:
    """A start that fails no longer undoes the liaison's completion: the answer says the
    effect is pending, and the reconciler's next run finishes it."""
    referral_id, task_id = draft_task
    store = DynamoDbStore(resources.table_name)
    # When the completion's workflow start fails
    done = _service(resources, FailsOnStart(resources.state_machine_arn)).complete(
        task_id, Completion(outcome="resolved", liaison="rosa", corrections=FIELDS)
    )
    # Then the completion stands with its effect pending (one attempt counted)
    assert (done.status, done.effect, done.effect_attempts) == (TaskStatus.COMPLETED, "pending", 1)
    # And the next reconcile starts the workflow
    service = _service(resources, StepFunctionsWorkflow(resources.state_machine_arn))

    assert Reconciler(store, service, grace=timedelta(0)).run().done == 1
    assert referral_id in _executions(resources)
