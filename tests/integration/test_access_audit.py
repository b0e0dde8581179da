"""Every route that returns patient data leaves an access entry (who, what, when, from where),
against moto with the real handler; the access log is append-only and read page by page by
compliance only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from intake.adapters.dynamodb_access import DynamoDbAccessLog
from intake.workspace.service import AccessEntry
from tests.integration import test_tasks_and_api as tasks_api
from tests.integration.conftest import REGION, IntakeResources
from tests.integration.test_tasks_and_api import api
from tests.integration.test_workspace_api import access_log

handlers = tasks_api.handlers
welcome_call = tasks_api.welcome_call

ROSA = {"sub": "u-rosa", "cognito:groups": "[liaison]"}
SUPERVISOR = {"sub": "u-sam", "cognito:groups": "[supervisor]"}
COMPLIANCE = {"sub": "u-cleo", "cognito:groups": "[compliance]"}


def entries() -> list[dict[str, Any]]:
    return access_log()


READS = [
    ("/tasks", "GET /tasks"),
    ("/tasks/{task}", "GET /tasks/<task_id>"),
    ("/referrals/{referral}", "GET /referrals/<referral_id>"),
    ("/referrals/{referral}/estimates", "GET /referrals/<referral_id>/estimates"),
    ("/referrals/{referral}/documents", "GET /referrals/<referral_id>/documents"),
    (
        "/referrals/{referral}/documents/original",
        "GET /referrals/<referral_id>/documents/<document_id>",
    ),
    (
        "/referrals/{referral}/documents/original/text",
        "GET /referrals/<referral_id>/documents/<document_id>/text",
    ),
    ("/referrals/{referral}/doses", "GET /referrals/<referral_id>/doses"),
]


@pytest.mark.parametrize(("template", "route"), READS)
def test_each_read_of_a_referral_is_recorded_with_who_what_and_where(
    resources: IntakeResources,
    handlers: dict[str, Any],
    lambda_context: Any,
    welcome_call: str,
    template: str,
    route: str,
) -> None:
    """Given Rosa (sub u-rosa) signed in and a referral with its welcome call
    When she reads it through this route
    Then exactly one entry: her sub, the route, the path, the referral, the source IP."""
    referral_id = welcome_call.split(".", maxsplit=1)[0]
    path = template.format(task=welcome_call, referral=referral_id)
    status, body = api(handlers["liaison_api"], lambda_context, "GET", path, claims=ROSA)
    assert status == 200, body
    [entry] = entries()
    assert (entry["user"], entry["action"], entry["path"]) == ("u-rosa", route, path)
    assert entry["referral_ids"] == [referral_id]
    assert entry["source_ip"] == "10.0.0.1"
    assert "Nguyen" not in str(entry)  # ids only, never the patient


def test_claim_reassign_and_complete_are_recorded_and_the_supervisor_reassigns(
    resources: IntakeResources, handlers: dict[str, Any], lambda_context: Any, welcome_call: str
) -> None:
    fn = handlers["liaison_api"]
    # Given Rosa claims the call
    assert (
        api(fn, lambda_context, "POST", f"/tasks/{welcome_call}/claim", {}, claims=ROSA)[0] == 200
    )
    # When a liaison tries to reassign it, Then 403; when the supervisor does, it is Ana's
    move = {"to": "u-ana"}
    path = f"/tasks/{welcome_call}/reassign"
    assert api(fn, lambda_context, "POST", path, move, claims=ROSA)[0] == 403
    status, task = api(fn, lambda_context, "POST", path, move, claims=SUPERVISOR)
    assert status == 200 and task["claimed_by"] == "u-ana"
    # And Ana completes it
    ana = {"sub": "u-ana", "cognito:groups": "[liaison]"}
    done = {"outcome": "reached"}
    status, task = api(
        fn, lambda_context, "POST", f"/tasks/{welcome_call}/complete", done, claims=ana
    )
    assert status == 200 and task["completed_by"] == "u-ana"
    # Then each of the three answers (each shows the patient) is recorded, the refusal is not
    recorded = sorted((e["user"], e["action"]) for e in entries())
    assert recorded == [
        ("u-ana", "POST /tasks/<task_id>/complete"),
        ("u-rosa", "POST /tasks/<task_id>/claim"),
        ("u-sam", "POST /tasks/<task_id>/reassign"),
    ]


def test_a_task_claimed_under_the_old_email_identity_is_still_mine(
    resources: IntakeResources, handlers: dict[str, Any], lambda_context: Any, welcome_call: str
) -> None:
    """Known care: before the switch to sub, tasks were claimed by e-mail. Given the task
    claimed as rosa@example.org, When Rosa (verified e-mail, sub u-rosa) completes it, Then it
    completes in her id."""
    fn = handlers["liaison_api"]
    old = {"liaison": "rosa@example.org"}
    status, _ = api(
        fn, lambda_context, "POST", f"/tasks/{welcome_call}/claim", old, local="rosa@example.org"
    )
    assert status == 200
    rosa = {**ROSA, "email": "rosa@example.org", "email_verified": "true"}
    done = {"outcome": "reached"}
    status, task = api(
        fn, lambda_context, "POST", f"/tasks/{welcome_call}/complete", done, claims=rosa
    )
    assert status == 200, task
    assert task["completed_by"] == "u-rosa"


def test_only_compliance_reads_the_log_a_page_at_a_time(
    resources: IntakeResources, handlers: dict[str, Any], lambda_context: Any, welcome_call: str
) -> None:
    fn = handlers["liaison_api"]
    # Given three reads by Rosa
    for _ in range(3):
        assert api(fn, lambda_context, "GET", "/tasks", claims=ROSA)[0] == 200
    # When Rosa asks for the log, Then 403
    assert api(fn, lambda_context, "GET", "/access-log", claims=ROSA)[0] == 403
    # When compliance reads it two entries a page, Then pages of 2 and 1, then no `next`
    status, first = api(
        fn, lambda_context, "GET", "/access-log", query={"limit": "2"}, claims=COMPLIANCE
    )
    assert status == 200 and len(first["entries"]) == 2 and first["next"]
    query = {"limit": "2", "next": first["next"]}
    status, second = api(fn, lambda_context, "GET", "/access-log", query=query, claims=COMPLIANCE)
    assert status == 200 and len(second["entries"]) == 1 and second["next"] is None
    # And reading the log is not itself a PHI read (no entry for it)
    assert len(entries()) == 3


def test_an_entry_is_never_overwritten(resources: IntakeResources) -> None:
    """Given two entries with the same time and request id (a retried invocation), When both
    are recorded, Then both are kept (a conditional put never replaces)."""
    log = DynamoDbAccessLog("access-log")
    at = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
    first = AccessEntry(at, "u-1", "GET /tasks", ("ref-a",), request_id="r-1")
    second = AccessEntry(at, "u-2", "GET /tasks", ("ref-b",), request_id="r-1")
    log.record(first)
    log.record(second)
    kept, _ = log.day(at.date())
    assert sorted(e.user for e in kept) == ["u-1", "u-2"]
    # And each is kept six years: its TTL is 6 x 366 days after it was written
    table = boto3.resource("dynamodb", region_name=REGION).Table("access-log")
    items = table.scan()["Items"]
    assert {int(i["expires_at"]) for i in items} == {int(at.timestamp()) + 6 * 366 * 86400}


def test_the_one_off_reindex_moves_old_unkeyed_search_items_under_the_key(
    resources: IntakeResources, lambda_context: Any
) -> None:
    """Known care: referrals indexed before the keyed hash carry PATIENT#<sha256> items.
    Given sample 02 (Nguyen, 1990-05-17) indexed the old way only
    When the operator runs the reindex
    Then a search by name finds it again and the old item is gone; a second run changes
    nothing (idempotent)."""
    from datetime import date

    from intake.adapters.dynamodb_store import DynamoDbStore
    from intake.adapters.search_key import legacy_key, reindex_patients
    from tests.integration.conftest import ingested

    referral_id = ingested(resources, "02-hmo-copay-spanish.json", lambda_context)
    store = DynamoDbStore(resources.table_name)
    dob = date(1990, 5, 17)
    [new_item] = [i for i in store.table.scan()["Items"] if str(i["pk"]).startswith("PATIENT#")]
    store.table.delete_item(Key={"pk": new_item["pk"], "sk": new_item["sk"]})
    old = {"pk": f"PATIENT#{legacy_key('Nguyen', dob)}", "sk": f"REFERRAL#{referral_id}"}
    store.table.put_item(Item={**old, "referral_id": referral_id})
    assert store.referrals_of_patient("Nguyen", dob) == []
    assert reindex_patients(resources.table_name) == (1, 1)
    assert store.referrals_of_patient("Nguyen", dob) == [referral_id]
    assert "Item" not in store.table.get_item(Key=old)
    assert reindex_patients(resources.table_name) == (1, 0)


def test_entries_written_before_the_own_table_are_copied_once_and_read_back(
    resources: IntakeResources, handlers: dict[str, Any], lambda_context: Any
) -> None:
    """Known care: search and document openings used to write ACCESS# items into the intake
    table, naming the liaison by e-mail and the action by kind. Given one such item, When the
    operator copies them, Then compliance reads it (user = the e-mail it named) and a second
    copy adds nothing."""
    from intake.adapters.dynamodb_access import copy_legacy_entries

    intake = boto3.resource("dynamodb", region_name=REGION).Table(resources.table_name)
    today = datetime.now(UTC).replace(microsecond=0)
    intake.put_item(
        Item={
            "pk": f"ACCESS#{today.date().isoformat()}",
            "sk": f"{today.isoformat()}#abcd1234",
            "at": today.isoformat(),
            "liaison": "alice@pharmacy.example",
            "action": "search",
            "referral_ids": ["ref-a"],
            "search_by": "name_dob",
        }
    )
    assert copy_legacy_entries(resources.table_name, "access-log") == 1
    assert copy_legacy_entries(resources.table_name, "access-log") == 0
    status, log = api(
        handlers["liaison_api"], lambda_context, "GET", "/access-log", claims=COMPLIANCE
    )
    assert status == 200
    assert [(e["user"], e["action"], e["referral_ids"]) for e in log["entries"]] == [
        ("alice@pharmacy.example", "search", ["ref-a"])
    ]
