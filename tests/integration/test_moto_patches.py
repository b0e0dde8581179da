"""The local stack's moto patches (``intake_local.moto_patches``, ``docs/local-stack-moto.md``).

- The fix: each Step Functions parse has its own query-language scope stack. Its tests also run
  on moto as it ships, where they must fail (``xfail(strict=True)``): the day a moto upgrade
  fixes the bug they pass there, the run fails, and the fix can go.
- The shortcuts (``INTAKE_MOTO_SHORTCUTS``): the same DynamoDB and Step Functions operations run
  with the switch on and with it off (moto's own code), and the answers must be equal.
- The Lambda hook: moto's ``invoke`` reaches ``lambda_runtime``'s hook with its event.
"""

from __future__ import annotations

import io
import json
import threading
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.dynamodb.models.table import Table
from moto.stepfunctions.parser.asl.component.program.program import Program
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
from moto.stepfunctions.parser.asl.parse.preprocessor import Preprocessor
from moto.stepfunctions.parser.asl.utils import boto_client

from intake_local import lambda_runtime, moto_patches
from tests.integration.conftest import REGION, table_from_template
from tests.integration.steps import wait_for

TABLE = "speedups"
ROLE = "arn:aws:iam::123456789012:role/states"
STOCK_QUERY = Table.query
STOCK_PARSE = AmazonStateLanguageParser.parse


@pytest.fixture(autouse=True)
def moto_as_it_ships() -> Iterator[None]:
    """Every test starts and ends on moto as it ships (the rest of the tier runs on it), with
    the class-level scope stack a failed stock parse leaves behind emptied."""
    moto_patches.uninstall()
    yield
    moto_patches.uninstall()
    Preprocessor._query_language_per_scope.clear()


# ------------------------------------------------------------------------------ the fix
STOCK_FAILS = pytest.param(
    False,
    marks=pytest.mark.xfail(
        raises=(ClientError, ValueError),
        strict=True,
        reason="moto's Preprocessor shares one scope stack; passing means moto fixed it",
    ),
    id="stock-moto",
)
FIXED = pytest.param(True, id="fixed")

JSONATA_REFUSED = json.dumps(  # ResultPath is JSONPath only: refused inside a JSONata scope
    {
        "QueryLanguage": "JSONata",
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "ResultPath": "$.x", "End": True}},
    }
)
JSONPATH = json.dumps(
    {"StartAt": "A", "States": {"A": {"Type": "Pass", "ResultPath": "$.y", "End": True}}}
)
JSONATA_PAUSED = json.dumps(
    {
        "QueryLanguage": "JSONata",
        "Comment": "pause here",
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Output": "{% $states.input %}", "End": True}},
    }
)


@pytest.mark.parametrize("fixed", [FIXED, STOCK_FAILS])
def test_a_refused_definition_leaves_later_definitions_alone(aws: None, fixed: bool) -> None:
    """A definition that fails to preprocess leaves its JSONata scopes on moto's shared stack,
    and every JSONPath definition after it in the process is refused: one bad CreateStateMachine
    (or one execution that died mid-parse) and the local stack can deploy nothing."""
    if fixed:
        moto_patches.install(shortcuts=False)
    sfn = boto3.client("stepfunctions", region_name=REGION)
    # Given a JSONata definition refused (a JSONPath field inside it)
    with pytest.raises(ClientError, match="Unsupported declaration"):
        sfn.create_state_machine(name="refused", definition=JSONATA_REFUSED, roleArn=ROLE)
    # When a valid JSONPath definition is created next
    arn = sfn.create_state_machine(name="valid", definition=JSONPATH, roleArn=ROLE)
    # Then it is accepted
    assert arn["stateMachineArn"].endswith(":valid")


@pytest.mark.parametrize("fixed", [FIXED, STOCK_FAILS])
def test_a_parse_under_way_on_another_thread_does_not_leak_into_another(
    fixed: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two executions started at once parse their definitions on two threads. With one stack
    for both, a parse inherits the other's query language (here: a JSONPath definition is read
    as JSONata and refused), or reads an empty stack (``IndexError``) and its execution stays
    RUNNING with no program, failing every SendTaskSuccess after it. The overlap is made
    deterministic by pausing the first parse at its Comment."""
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    if fixed:
        moto_patches.install(shortcuts=False)
    paused, resume = threading.Event(), threading.Event()
    visit_comment = Preprocessor.visitComment_decl

    def pause_at_comment(self: Preprocessor, ctx: Any) -> Any:
        paused.set()
        assert resume.wait(timeout=60)
        return visit_comment(self, ctx)

    monkeypatch.setattr(Preprocessor, "visitComment_decl", pause_at_comment)
    first: list[BaseException] = []

    def parse_first() -> None:
        try:
            AmazonStateLanguageParser.parse(JSONATA_PAUSED)
        except BaseException as exc:
            first.append(exc)

    # Given a JSONata parse under way on another thread (paused inside its program's scope)
    thread = threading.Thread(target=parse_first)
    thread.start()
    assert paused.wait(timeout=60)
    try:
        # When a JSONPath definition is parsed meanwhile
        program, _ = AmazonStateLanguageParser.parse(JSONPATH)
    finally:
        resume.set()
        thread.join(timeout=60)
    # Then each parse reads its own query language, and both succeed
    assert isinstance(program, Program)
    assert program.query_language.query_language_mode.name == "JSONPath"
    assert first == []


# ------------------------------------------------------------------------------ the switch
@pytest.mark.parametrize(("value", "on"), [(None, True), ("1", True), ("0", False), ("off", False)])
def test_one_switch_turns_every_shortcut_on_or_off(
    value: str | None, on: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The local stack reads ``INTAKE_MOTO_SHORTCUTS`` once, at install; off means moto's own
    code everywhere except the fix, so a comparison with the switch off is one with moto."""
    # Given the switch set (or not)
    if value is None:
        monkeypatch.delenv(moto_patches.SWITCH, raising=False)
    else:
        monkeypatch.setenv(moto_patches.SWITCH, value)
    # When the patches are installed as the local stack installs them, and its server started
    moto_patches.install()
    dispatcher = _Dispatcher()
    moto_patches.speed_up_server(dispatcher)
    for _ in range(3):
        dispatcher.get_backend_for_host("dynamodb.us-east-1.amazonaws.com")
    # Then the shortcuts are in place exactly when the switch is on, and the fix always is
    assert moto_patches.shortcuts_on() is on
    assert dispatcher.lookups == (1 if on else 3)
    assert (Table.query is not STOCK_QUERY) is on
    assert (boto_client.boto3 is not boto3) is on  # type: ignore[attr-defined]
    assert (AmazonStateLanguageParser.parse is not STOCK_PARSE) is on
    assert Preprocessor()._query_language_per_scope is not Preprocessor()._query_language_per_scope


class _Dispatcher:
    """Stands in for moto's ``DomainDispatcherApplication``: counts its backend lookups."""

    def __init__(self) -> None:
        self.lookups = 0

    def get_backend_for_host(self, host: str | None) -> str:
        self.lookups += 1
        return f"backend for {host}"


def both(call: Callable[[], dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``call``'s answer with the switch off (moto's own code), then on."""
    answers = []
    for shortcuts in (False, True):
        moto_patches.install(shortcuts=shortcuts)
        answer = call()
        answer.pop("ResponseMetadata", None)
        answers.append(answer)
    moto_patches.uninstall()
    return answers[0], answers[1]


@pytest.fixture
def ddb(aws: None) -> Any:
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
    return client


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
    """A query reads only its partition with the shortcut: order, pages, filters, projections
    and index queries must still be moto's."""
    # When the same query (every page of it) runs with the switch off and on
    shipped, fast = both(pages(ddb, TableName=TABLE, **query))
    # Then the answers are the same, and not trivially so
    assert fast == shipped
    assert sum(p["Count"] for p in shipped["pages"]) == sum(len(p["Items"]) for p in fast["pages"])


def test_item_reads_and_writes_answer_as_moto_does(ddb: Any) -> None:
    """Item answers are written as JSON directly with the shortcut: every item operation's
    answer must be the one moto's serializer writes."""
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
        # When each runs with the switch off and on
        shipped, fast = both(call)
        # Then the answers are the same
        assert fast == shipped


def test_a_failed_condition_still_answers_with_moto_s_error(ddb: Any) -> None:
    """Errors are not item answers: they must still come from moto's serializer."""

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


def _partition(ddb: Any, pk: str) -> list[dict[str, Any]]:
    return ddb.query(
        TableName=TABLE,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": pk}},
    )["Items"]


def test_a_transaction_commits_and_rolls_back_as_moto_does(ddb: Any) -> None:
    """The transaction shortcut keeps only the touched items for its rollback: a committed
    transaction and a cancelled one (its first write undone, an untouched item left alone)
    must leave the table and answer exactly as moto's whole-table copy does."""
    runs = iter(range(2))

    def transact() -> dict[str, Any]:
        n = next(runs)
        pk = {"S": f"REFERRAL#TX{n}"}
        ddb.put_item(TableName=TABLE, Item={"pk": pk, "sk": {"S": "KEEP"}, "v": {"N": "1"}})
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": TABLE, "Item": {"pk": pk, "sk": {"S": "A"}}}},
                {
                    "Update": {
                        "TableName": TABLE,
                        "Key": {"pk": pk, "sk": {"S": "KEEP"}},
                        "UpdateExpression": "SET v = :two",
                        "ExpressionAttributeValues": {":two": {"N": "2"}},
                    }
                },
            ]
        )
        try:
            ddb.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": TABLE, "Item": {"pk": pk, "sk": {"S": "B"}}}},
                    {"Delete": {"TableName": TABLE, "Key": {"pk": pk, "sk": {"S": "A"}}}},
                    {
                        "Put": {
                            "TableName": TABLE,
                            "Item": {"pk": pk, "sk": {"S": "KEEP"}},
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                ]
            )
            cancelled = None
        except ddb.exceptions.TransactionCanceledException as exc:
            cancelled = [r["Code"] for r in exc.response["CancellationReasons"]]
        items = sorted((i["sk"]["S"], i.get("v", {}).get("N")) for i in _partition(ddb, pk["S"]))
        return {"cancelled": cancelled, "items": items}

    # When both transactions run with the switch off and on
    shipped, fast = both(transact)
    # Then the first committed, the second was cancelled by its condition and undone whole
    assert fast == shipped
    assert shipped == {
        "cancelled": ["None", "None", "ConditionalCheckFailed"],
        "items": [("A", None), ("KEEP", "2")],
    }


def test_a_transaction_copies_no_table(ddb: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The point of the shortcut: a transaction's cost is its items, not a copy of the table
    (moto deep-copied every table a transaction names, for each transaction)."""
    moto_patches.install(shortcuts=True)

    def refuse(self: Any, memo: Any) -> Any:
        raise AssertionError("a table was copied for a transaction")

    monkeypatch.setattr(Table, "__deepcopy__", refuse, raising=False)
    try:
        ddb.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": TABLE,
                        "Item": {"pk": {"S": "REFERRAL#R9"}, "sk": {"S": "A"}},
                    }
                }
            ]
        )
    finally:
        moto_patches.uninstall()
    assert len(_partition(ddb, "REFERRAL#R9")) == 1


WORKFLOW = {
    "StartAt": "Put",
    "States": {
        "Put": {
            "Type": "Task",
            "Resource": "arn:aws:states:::dynamodb:putItem",
            "Parameters": {
                "TableName": TABLE,
                "Item": {"pk": {"S.$": "$.pk"}, "sk": {"S": "EVENT#900"}, "n": {"N": "7"}},
            },
            "ResultPath": "$.put",
            "Next": "Get",
        },
        "Get": {
            "Type": "Task",
            "Resource": "arn:aws:states:::dynamodb:getItem",
            "Parameters": {
                "TableName": TABLE,
                "Key": {"pk": {"S.$": "$.pk"}, "sk": {"S": "EVENT#900"}},
            },
            "ResultPath": "$.got",
            "Next": "Timeline",
        },
        "Timeline": {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:dynamodb:query",
            "Parameters": {
                "TableName": TABLE,
                "KeyConditionExpression": "pk = :p",
                "ExpressionAttributeValues": {":p": {"S.$": "$.pk"}},
                "ProjectionExpression": "sk, n, tags",
                "ScanIndexForward": False,
            },
            "ResultPath": "$.timeline",
            "Next": "Tell",
        },
        "Tell": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage",
            "Parameters": {"QueueUrl": "QUEUE_URL", "MessageBody.$": "$.got.Item"},
            "ResultSelector": {"md5.$": "$.MD5OfMessageBody"},
            "ResultPath": "$.told",
            "End": True,
        },
    },
}


def test_a_workflow_runs_as_on_moto(ddb: Any) -> None:
    """The Step Functions interpreter shares its clients with the shortcuts on, and its
    DynamoDB tasks go through the query and item shortcuts: a workflow's output, history and
    effects must be moto's."""
    sfn = boto3.client("stepfunctions", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    queue = sqs.create_queue(QueueName="told")["QueueUrl"]
    definition = json.dumps(WORKFLOW).replace("QUEUE_URL", queue)
    machine = sfn.create_state_machine(name="steps", definition=definition, roleArn=ROLE)
    runs = iter(range(4))

    # Given a workflow that writes, reads and queries the table and sends a message
    def run() -> dict[str, Any]:
        name = f"run-{next(runs)}"
        arn = sfn.start_execution(
            stateMachineArn=machine["stateMachineArn"],
            name=name,
            input=json.dumps({"pk": "REFERRAL#R2"}),
        )["executionArn"]
        done = wait_for(
            lambda: (d := sfn.describe_execution(executionArn=arn))["status"] != "RUNNING" and d
        )
        history = sfn.get_execution_history(executionArn=arn)["events"]
        message = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1)["Messages"][0]
        sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
        return {
            "status": done["status"],
            "output": json.loads(done["output"]),
            "history": [event["type"] for event in history],
            "message": json.loads(message["Body"]),
        }

    # When it runs with the switch off and on
    shipped, fast = both(run)
    # Then it ends the same way, through the same steps, with the same effects
    assert fast == shipped
    assert shipped["status"] == "SUCCEEDED"
    assert len(shipped["output"]["timeline"]["Items"]) == 9
    # And executions started on the shortcuts' kept parse tree (the second one reads it) too
    moto_patches.install(shortcuts=True)
    try:
        again = [run() for _ in range(2)]
    finally:
        moto_patches.uninstall()
    for answer in again:
        answer.pop("ResponseMetadata", None)
    assert again == [shipped, shipped]


def test_a_kept_parse_tree_gives_each_execution_its_own_program() -> None:
    """moto parses a definition for every execution; the shortcut keeps the syntax tree, and
    moto's preprocessor still builds each execution's own program from it (evaluation
    components are never shared between executions). A definition that does not parse is not
    kept: it fails every time with moto's own error."""
    from moto.stepfunctions.parser.asl.parse.asl_parser import (
        AmazonStateLanguageParser,
        ASLParserException,
    )

    # Given the shortcuts on
    moto_patches.install(shortcuts=True)
    try:
        # When one definition is parsed twice, and a broken one twice
        first, tree = AmazonStateLanguageParser.parse(JSONPATH)
        second, kept = AmazonStateLanguageParser.parse(JSONPATH)
        refusals = []
        for _ in range(2):
            with pytest.raises(ASLParserException) as refused:
                AmazonStateLanguageParser.parse('{"StartAt": "A", "States": {"A": ')
            refusals.append(str(refused.value))
    finally:
        moto_patches.uninstall()
    # Then the tree is the one kept, each program is its own, and the refusal repeats
    assert kept is tree
    assert isinstance(second, Program) and second is not first
    assert second.query_language.query_language_mode.name == "JSONPath"
    assert refusals[0] == refusals[1]


def test_the_shortcut_reads_one_partition(ddb: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The point of the query shortcut: a partition's read costs the partition, not a sort of
    the whole table."""
    # Given the shortcuts on, and moto's whole-table listing made to fail
    moto_patches.install(shortcuts=True)
    monkeypatch.setitem(moto_patches._originals, (Table, "all_items"), _whole_table_read)
    # When a referral's partition is queried
    items = ddb.query(
        TableName=TABLE,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "REFERRAL#R2"}},
    )["Items"]
    # Then its 8 items come back without a read of the whole table
    assert len(items) == 8


def _whole_table_read(self: Any) -> list[Any]:
    raise AssertionError("the whole table was listed for a partition query")


def test_step_functions_reuse_one_client_per_service_and_endpoint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Making a boto3 client costs more CPU than most calls; the interpreter made one per task."""
    # Given the shortcuts on, and the moto server on one port
    moto_patches.install(shortcuts=True)
    monkeypatch.setenv("MOTO_PORT", "5501")
    first = boto_client.boto_client_for("us-east-1", "lambda")
    # When the interpreter asks again, and then for another service and another server
    again = boto_client.boto_client_for("us-east-1", "lambda")
    sqs = boto_client.boto_client_for("us-east-1", "sqs")
    monkeypatch.setenv("MOTO_PORT", "5502")
    moved = boto_client.boto_client_for("us-east-1", "lambda")
    moto_patches.uninstall()
    # Then the same client serves the same service on the same server, and no other
    assert again is first
    assert sqs is not first and moved is not first
    assert boto_client.boto_client_for("us-east-1", "lambda") is not first  # moto's, restored


# ------------------------------------------------------------------------------ Lambda hook
class _RecordingPool:
    def __init__(self) -> None:
        self.events: list[Any] = []

    def invoke(self, fn: Any, event: Any) -> tuple[bool, Any]:
        self.events.append(event)
        return True, {"handled_by": fn.function_name}


def test_moto_s_invoke_reaches_the_lambda_hook_with_its_event(
    aws: None, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The local stack runs handlers without Docker through moto's private
    ``LambdaFunction._invoke_lambda``: a moto upgrade that renames it or its ``event`` must
    fail here, not as every workflow hanging."""
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("app.py", "def lambda_handler(event, context):\n    return event\n")
    role = boto3.client("iam", region_name=REGION).create_role(
        RoleName="echo",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )["Role"]["Arn"]
    lam = boto3.client("lambda", region_name=REGION)
    lam.create_function(
        FunctionName="echo",
        Runtime="python3.11",
        Role=role,
        Handler="app.lambda_handler",
        Code={"ZipFile": code.getvalue()},
    )
    # Given the hook installed, its worker pool recording what it is asked to run
    lambda_runtime.install(lambda_runtime.RuntimeConfig("http://127.0.0.1:1", tmp_path))
    pool = _RecordingPool()
    monkeypatch.setattr(lambda_runtime, "_pool", pool)
    try:
        # When moto is asked to invoke the function
        reply = lam.invoke(FunctionName="echo", Payload=json.dumps({"referral_id": "R1"}))
    finally:
        monkeypatch.undo()
        lambda_runtime.uninstall()
    # Then the hook ran it with the event, and moto answered with the hook's payload
    assert pool.events == [{"referral_id": "R1"}]
    assert json.loads(reply["Payload"].read()) == {"handled_by": "echo"}
    assert "FunctionError" not in reply
