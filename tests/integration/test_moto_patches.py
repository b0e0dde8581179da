"""The local stack's moto shortcuts give moto's own answers (``intake_local.moto_patches``).

Each request below runs twice against the same table built from ``template.yaml``: once with
moto as it ships, once with the shortcuts; the answers must be equal, item for item and page
for page.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from intake_local import moto_patches
from tests.integration.conftest import REGION, table_from_template
from tests.integration.steps import wait_for

TABLE = "speedups"


@pytest.fixture
def ddb(aws: None) -> Iterator[Any]:
    client = boto3.client("dynamodb", region_name=REGION)
    client.create_table(**table_from_template(TABLE))
    # Given three referrals' partitions, with task items on the open-task index, numbers,
    # nested maps and lists, a binary value and a set, written in no particular order
    for referral in ("R3", "R1", "R2"):
        for n in (5, 1, 12, 3):
            client.put_item(
                TableName=TABLE,
                Item={
                    "pk": {"S": f"REFERRAL#{referral}"},
                    "sk": {"S": f"EVENT#{n:03d}"},
                    "n": {"N": str(n * 1.5)},
                    "doc": {"M": {"a": {"L": [{"S": "x"}, {"N": "2"}, {"BOOL": True}]}}},
                    "blob": {"B": bytes([n, 0, 255])},
                    "tags": {"SS": ["b", "a"]},
                    "none": {"NULL": True},
                },
            )
            client.put_item(
                TableName=TABLE,
                Item={
                    "pk": {"S": f"REFERRAL#{referral}"},
                    "sk": {"S": f"TASK#{n}"},
                    "gsi1pk": {"S": "OPEN"},
                    "gsi1sk": {"S": f"2026-12-{n:02d}#{referral}"},
                },
            )
    yield client
    moto_patches.uninstall()


def both(call: Callable[[], dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    moto_patches.uninstall()
    shipped = call()
    moto_patches.install()
    try:
        fast = call()
    finally:
        moto_patches.uninstall()
    for answer in (shipped, fast):
        answer.pop("ResponseMetadata", None)
    return shipped, fast


def pages(client: Any, **query: Any) -> Callable[[], dict[str, Any]]:
    def read() -> dict[str, Any]:
        out, start = [], None
        while True:
            page = client.query(**query, **({"ExclusiveStartKey": start} if start else {}))
            page.pop("ResponseMetadata", None)
            out.append(page)
            start = page.get("LastEvaluatedKey")
            if not start:
                return {"pages": out}

    return read


@pytest.mark.parametrize(
    "query",
    [
        {
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": {"S": "REFERRAL#R1"}},
        },
        {
            "KeyConditionExpression": "pk = :p AND begins_with(sk, :e)",
            "ExpressionAttributeValues": {":p": {"S": "REFERRAL#R2"}, ":e": {"S": "EVENT#"}},
            "ScanIndexForward": False,
        },
        {
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": {"S": "REFERRAL#R3"}},
            "Limit": 3,
        },
        {
            "KeyConditionExpression": "pk = :p",
            "FilterExpression": "n > :n",
            "ExpressionAttributeValues": {":p": {"S": "REFERRAL#R3"}, ":n": {"N": "2"}},
            "ProjectionExpression": "sk, n, #b",
            "ExpressionAttributeNames": {"#b": "blob"},
        },
        {
            "IndexName": "gsi1_open_tasks",
            "KeyConditionExpression": "gsi1pk = :o AND gsi1sk < :d",
            "ExpressionAttributeValues": {":o": {"S": "OPEN"}, ":d": {"S": "2026-12-06"}},
            "Limit": 4,
        },
        {
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": {"S": "REFERRAL#none"}},
        },
    ],
    ids=["partition", "descending-prefix", "paged", "filtered-projected", "index-paged", "empty"],
)
def test_a_query_answers_as_moto_does(ddb: Any, query: dict[str, Any]) -> None:
    # When the same query (every page of it) runs with and without the shortcuts
    shipped, fast = both(pages(ddb, TableName=TABLE, **query))
    # Then the answers are the same, and not trivially so
    assert fast == shipped
    assert sum(p["Count"] for p in shipped["pages"]) == sum(len(p["Items"]) for p in fast["pages"])


def test_item_reads_and_writes_answer_as_moto_does(ddb: Any) -> None:
    key = {"pk": {"S": "REFERRAL#R1"}, "sk": {"S": "EVENT#005"}}
    item = ddb.get_item(TableName=TABLE, Key=key)["Item"]
    # Given reads and writes that return items (a binary value and a set among them; each
    # write is idempotent, so its second run answers as its first)
    calls: list[Callable[[], dict[str, Any]]] = [
        lambda: ddb.get_item(TableName=TABLE, Key=key),
        lambda: ddb.get_item(TableName=TABLE, Key={**key, "sk": {"S": "EVENT#999"}}),
        lambda: ddb.batch_get_item(RequestItems={TABLE: {"Keys": [key]}}),
        lambda: ddb.scan(TableName=TABLE, Limit=5),
        lambda: ddb.put_item(TableName=TABLE, Item=item, ReturnValues="ALL_OLD"),
        lambda: ddb.update_item(
            TableName=TABLE,
            Key=key,
            UpdateExpression="SET m = :v",
            ExpressionAttributeValues={":v": {"M": {"x": {"N": "1"}}}},
            ReturnValues="ALL_NEW",
        ),
        lambda: ddb.transact_get_items(TransactItems=[{"Get": {"TableName": TABLE, "Key": key}}]),
    ]
    for call in calls:
        # When each runs with and without the shortcuts
        shipped, fast = both(call)
        # Then the answers are the same
        assert fast == shipped


def test_a_failed_condition_still_answers_with_moto_s_error(ddb: Any) -> None:
    # Given a conditional write that fails
    def fail() -> dict[str, Any]:
        try:
            ddb.put_item(
                TableName=TABLE,
                Item={"pk": {"S": "REFERRAL#R1"}, "sk": {"S": "EVENT#001"}},
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ddb.exceptions.ConditionalCheckFailedException as exc:
            return {"error": exc.response["Error"]["Code"]}
        return {"error": None}

    # Then both answer ConditionalCheckFailed
    assert both(fail) == ({"error": "ConditionalCheckFailedException"},) * 2


def test_the_shortcut_reads_one_partition(ddb: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the shortcuts on, and moto's whole-table listing made to fail
    moto_patches.install()
    from moto.dynamodb.models.table import Table

    monkeypatch.setitem(moto_patches._originals, "all_items", _whole_table_read)
    # When a referral's partition is queried
    items = ddb.query(
        TableName=TABLE,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "REFERRAL#R2"}},
    )["Items"]
    monkeypatch.undo()
    # Then its 8 items come back without a read of the whole table
    assert len(items) == 8
    assert Table.all_items is moto_patches._all_items


def _whole_table_read(self: Any) -> list[Any]:
    raise AssertionError("the whole table was listed for a partition query")


def test_step_functions_reuse_one_client_per_service_and_endpoint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils

    # Given the shortcuts on, and the moto server on one port
    moto_patches.install()
    try:
        monkeypatch.setenv("MOTO_PORT", "5501")
        first = lambda_eval_utils.boto_client_for("us-east-1", "lambda")
        # When the interpreter asks again, and then for another service and another server
        again = lambda_eval_utils.boto_client_for("us-east-1", "lambda")
        sqs = lambda_eval_utils.boto_client_for("us-east-1", "sqs")
        monkeypatch.setenv("MOTO_PORT", "5502")
        moved = lambda_eval_utils.boto_client_for("us-east-1", "lambda")
    finally:
        moto_patches.uninstall()
    # Then the same client serves the same service on the same server, and no other
    assert again is first
    assert sqs is not first and moved is not first
    assert lambda_eval_utils.boto_client_for.__name__ == "boto_client_for"  # moto's, restored


STATE_MACHINES = Path(__file__).resolve().parents[2] / "infra" / "statemachine"


def _substituted(text: str) -> str:
    """The definition as deployed: a function or queue where one is named, 1 for a number."""
    text = re.sub(r'"\$\{(\w+)\}"', r'"arn:aws:lambda:us-east-1:123456789012:function:\1"', text)
    return re.sub(r"\$\{(\w+)\}", "1", text)


def _parse_at_once(threads: int, rounds: int) -> list[str]:
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    definitions = [_substituted(p.read_text()) for p in sorted(STATE_MACHINES.glob("*.asl.json"))]
    errors: list[str] = []
    start = threading.Barrier(threads)

    def parse_many() -> None:
        start.wait()
        for i in range(rounds):
            try:
                AmazonStateLanguageParser.parse(definitions[i % len(definitions)])
            except Exception as exc:  # what a dying execution thread would raise
                errors.append(type(exc).__name__)

    workers = [threading.Thread(target=parse_many) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return errors


def test_executions_starting_at_once_parse_one_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.stepfunctions.parser.asl.parse.preprocessor import Preprocessor

    # Given moto's preprocessor, whose scope stack is one list shared by every instance
    assert Preprocessor()._query_language_per_scope is Preprocessor()._query_language_per_scope
    # And a parse slow enough for executions started at once to overlap
    moto_patches.install()
    inside, most = [0], [0]
    lock = threading.Lock()
    real = moto_patches._originals["parse"]

    def slow(definition: str) -> Any:
        with lock:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        time.sleep(0.05)
        try:
            return real(definition)
        finally:
            with lock:
                inside[0] -= 1

    monkeypatch.setitem(moto_patches._originals, "parse", slow)
    try:
        # When six executions parse their definitions at the same moment, twice each
        errors = _parse_at_once(threads=6, rounds=2)
    finally:
        monkeypatch.undo()
        moto_patches.uninstall()
    # Then every parse succeeds, and no two ever ran at once
    assert errors == []
    assert most[0] == 1


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_an_execution_that_cannot_start_fails_and_does_not_block_other_resumes(
    aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.integration.conftest import WAIT_FOR_CALL

    moto_patches.install()
    try:
        sfn = boto3.client("stepfunctions", region_name=REGION)
        sqs = boto3.client("sqs", region_name=REGION)
        queue = sqs.create_queue(QueueName="calls")["QueueUrl"]
        definition = json.dumps(WAIT_FOR_CALL).replace("CALL_QUEUE_URL", queue)
        arn = sfn.create_state_machine(
            name="calls", definition=definition, roleArn="arn:aws:iam::123456789012:role/sfn"
        )["stateMachineArn"]
        # Given one execution waiting for a call's task token
        waiting = sfn.start_execution(
            stateMachineArn=arn, name="waiting", input='{"referral_id": "R1"}'
        )
        token = _token(sqs, queue)
        # And one whose program cannot be prepared (its definition fails to parse)
        real_parse = moto_patches._originals["parse"]

        def broken(definition: str) -> Any:
            raise IndexError("list index out of range")

        monkeypatch.setitem(moto_patches._originals, "parse", broken)
        dead = sfn.start_execution(stateMachineArn=arn, name="dead", input='{"referral_id": "R2"}')
        wait_for(
            lambda: sfn.describe_execution(executionArn=dead["executionArn"])["status"] == "FAILED"
        )
        monkeypatch.setitem(moto_patches._originals, "parse", real_parse)
        # When the first call is completed
        sfn.send_task_success(taskToken=token, output=json.dumps({"outcome": "reached"}))
        # Then that workflow resumes, and the one that could not start is FAILED, not RUNNING
        wait_for(
            lambda: (
                sfn.describe_execution(executionArn=waiting["executionArn"])["status"] != "RUNNING"
            )
        )
        assert sfn.describe_execution(executionArn=dead["executionArn"])["status"] == "FAILED"
    finally:
        moto_patches.uninstall()


def _token(sqs: Any, queue: str) -> str:
    for _ in range(200):
        for message in sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1).get("Messages", []):
            return str(json.loads(message["Body"])["task_token"])
    raise AssertionError("no call was queued")
