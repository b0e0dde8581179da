"""Same patient, same therapy: a later valid referral is linked to the open one (moto)."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from intake import wiring
from intake.adapters.dynamodb_store import DynamoDbStore
from intake.core.errors import Conflict
from intake.core.ids import referral_id_for, task_id_for
from intake.models.records import ReferralStatus, TaskStatus, TaskType
from intake.models.task_details import LinkedUpdateDetails
from intake.tasks.service import Completion
from intake_local.samples.identity import npi_for
from tests.conftest import EVENTS
from tests.integration.conftest import IntakeResources
from tests.integration.test_ingest_handler import executions, upload_event

pytestmark = pytest.mark.integration

SAMPLE = "01-ppo-deductible-coinsurance.json"


def referral(reference: str, **changes: Any) -> bytes:
    """The PPO sample (Ava Martinez, infliximab, NPI 1234567893) as another document: a new
    clinic reference, and ``changes`` as dotted paths."""
    data = json.loads((EVENTS / "referrals" / SAMPLE).read_text("utf-8"))
    data["clinic_reference"] = reference
    for path, value in changes.items():
        node = data
        *parents, last = path.split(".")
        for part in parents:
            node = node[part]
        node[last] = value
    return json.dumps(data, ensure_ascii=False).encode()


def send(
    resources: IntakeResources, ingest: Any, ctx: Any, body: bytes, at: datetime | None = None
) -> str:
    name = f"{referral_id_for(body)}.json"
    event, _ = upload_event(resources, name, body=body, at=at)
    assert ingest(event, ctx) == {"batchItemFailures": []}
    return referral_id_for(body)


def test_a_second_referral_for_the_same_patient_and_therapy_is_linked(
    resources: IntakeResources, ingest: Any, lambda_context: Any
) -> None:
    store = DynamoDbStore(resources.table_name)
    # Given an open referral, and the same patient and therapy sent again with another
    # reference, the name in capitals and with accents
    first = send(resources, ingest, lambda_context, referral("A-1"))
    second = send(
        resources,
        ingest,
        lambda_context,
        referral("A-2", **{"patient.first_name": "ÁVA", "patient.last_name": "martínez"}),
    )
    # Then one workflow runs: the first's
    assert [e["name"] for e in executions(resources)] == [first]
    # And the second is linked to it, with a linked_update task and a notification
    linked = store.get_referral(second)
    assert linked is not None and linked.status is ReferralStatus.LINKED
    assert linked.linked_to == first
    task = store.get_task(task_id_for(second, TaskType.LINKED_UPDATE))
    assert task is not None and task.status is TaskStatus.OPEN
    assert task.details_as(LinkedUpdateDetails).linked_to == first
    assert any(n.get("task_id") == task.task_id for n in resources.notifications())
    # And the open referral lists the new document and says so on its timeline
    opened = store.get_referral(first)
    assert opened is not None and [d.referral_id for d in opened.documents] == [second]
    updates = [e for e in store.timeline(first) if e.event == "update_linked"]
    assert [(e.detail["linked_referral_id"], e.detail["key"]) for e in updates] == [
        (second, linked.source.key)
    ]


@pytest.mark.parametrize(
    "change",
    [
        {"prescriber.npi": npi_for("another prescriber")},
        {"therapy.hcpcs": "J1561", "therapy.ndc": None, "therapy.drug_name": "IVIG"},
        {"patient.date_of_birth": "1984-07-23"},
    ],
    ids=["other-prescriber", "other-drug", "other-dob"],
)
def test_another_prescriber_drug_or_patient_is_its_own_referral(
    resources: IntakeResources, ingest: Any, lambda_context: Any, change: dict[str, Any]
) -> None:
    # Given an open referral
    first = send(resources, ingest, lambda_context, referral("B-1"))
    # When a referral differing in prescriber, drug or patient arrives
    second = send(resources, ingest, lambda_context, referral("B-2", **change))
    # Then it starts its own workflow
    assert sorted(e["name"] for e in executions(resources)) == sorted([first, second])
    record = DynamoDbStore(resources.table_name).get_referral(second)
    assert record is not None and record.status is ReferralStatus.IN_PROGRESS


def test_outside_the_window_is_its_own_referral(
    resources: IntakeResources, ingest: Any, lambda_context: Any
) -> None:
    # Given an open referral uploaded 31 days ago (the window is 30 days)
    old = datetime.now(UTC) - timedelta(days=31)
    first = send(resources, ingest, lambda_context, referral("C-1"), at=old)
    # When the same patient and therapy arrive today
    second = send(resources, ingest, lambda_context, referral("C-2"))
    # Then the new one starts its own workflow and holds the link for later uploads
    assert sorted(e["name"] for e in executions(resources)) == sorted([first, second])
    third = send(resources, ingest, lambda_context, referral("C-3"))
    record = DynamoDbStore(resources.table_name).get_referral(third)
    assert record is not None and record.linked_to == second


def test_two_simultaneous_uploads_start_one_workflow(
    resources: IntakeResources,
    ingest: Any,
    lambda_context: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given two uploads of the same patient and therapy whose ingests both reach the link
    # claim before either has written it
    barrier = threading.Barrier(2, timeout=30)
    claim = DynamoDbStore.claim_link

    def together(self: DynamoDbStore, *args: Any, **kwargs: Any) -> str:
        barrier.wait()
        return claim(self, *args, **kwargs)

    monkeypatch.setattr(DynamoDbStore, "claim_link", together)
    bodies = [referral("D-1"), referral("D-2")]
    events = [upload_event(resources, f"d{i}.json", body=body)[0] for i, body in enumerate(bodies)]
    results: list[Any] = []
    threads = [
        threading.Thread(target=lambda e=e: results.append(ingest(e, lambda_context)))
        for e in events
    ]
    # When both are handled at once
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Then one started a workflow and the other is linked to it
    assert results == [{"batchItemFailures": []}] * 2
    started = [e["name"] for e in executions(resources)]
    assert len(started) == 1
    store = DynamoDbStore(resources.table_name)
    ids = [referral_id_for(b) for b in bodies]
    (other,) = [i for i in ids if i != started[0]]
    record = store.get_referral(other)
    assert record is not None and record.status is ReferralStatus.LINKED
    assert record.linked_to == started[0]


def test_a_redelivered_linked_upload_is_linked_once(
    resources: IntakeResources, ingest: Any, lambda_context: Any
) -> None:
    # Given a linked upload whose event is delivered again
    first = send(resources, ingest, lambda_context, referral("E-1"))
    body = referral("E-2")
    second = send(resources, ingest, lambda_context, body)
    send(resources, ingest, lambda_context, body)
    # Then it is listed once, announced once, and no second workflow runs
    store = DynamoDbStore(resources.table_name)
    opened = store.get_referral(first)
    assert opened is not None and [d.referral_id for d in opened.documents] == [second]
    assert [e.event for e in store.timeline(first)].count("update_linked") == 1
    assert len(executions(resources)) == 1


def test_a_split_starts_its_own_workflow_once(
    resources: IntakeResources, ingest: Any, lambda_context: Any
) -> None:
    store = DynamoDbStore(resources.table_name)
    # Given an upload wrongly linked to an open referral
    first = send(resources, ingest, lambda_context, referral("F-1"))
    second = send(resources, ingest, lambda_context, referral("F-2"))
    task_id = task_id_for(second, TaskType.LINKED_UPDATE)
    tasks = wiring.task_service()
    # When a liaison splits them
    done = tasks.complete(task_id, Completion(outcome="split", liaison="liaison@test"))
    # Then the upload is its own referral with its own workflow, off the open one's list
    assert done.outcome == "split"
    record = store.get_referral(second)
    assert record is not None and record.status is ReferralStatus.IN_PROGRESS
    assert record.linked_to is None and record.split_from == first
    assert sorted(e["name"] for e in executions(resources)) == sorted([first, second])
    opened = store.get_referral(first)
    assert opened is not None and opened.documents == []
    assert "update_split" in [e.event for e in store.timeline(first)]
    # And splitting again changes nothing: the task is done, and the split itself repeats safely
    with pytest.raises(Conflict):
        tasks.complete(task_id, Completion(outcome="split", liaison="liaison@test"))
    act = tasks.on_complete[TaskType.LINKED_UPDATE](
        done, Completion(outcome="split", liaison="liaison@test")
    )
    assert act is not None
    act()
    assert len(executions(resources)) == 2
    events = [e.event for e in store.timeline(second)]
    assert events.count("split") == 1 and events.count("workflow_requested") == 1
    # And a redelivered upload event does not link it again
    send(resources, ingest, lambda_context, referral("F-2"))
    record = store.get_referral(second)
    assert record is not None and record.status is ReferralStatus.IN_PROGRESS


def test_keeping_the_link_leaves_one_workflow(
    resources: IntakeResources, ingest: Any, lambda_context: Any
) -> None:
    # Given a linked upload
    send(resources, ingest, lambda_context, referral("G-1"))
    second = send(resources, ingest, lambda_context, referral("G-2"))
    # When a liaison keeps it linked
    wiring.task_service().complete(
        task_id_for(second, TaskType.LINKED_UPDATE),
        Completion(outcome="resolved", liaison="liaison@test"),
    )
    # Then it stays linked and no second workflow starts
    record = DynamoDbStore(resources.table_name).get_referral(second)
    assert record is not None and record.status is ReferralStatus.LINKED
    assert len(executions(resources)) == 1
