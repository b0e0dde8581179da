"""moto patched for the local stack: one fix, and shortcuts that change no answer.

**The fix: Step Functions executions started at the same time no longer kill each other.**
moto's ASL preprocessor keeps its query-language scope stack in a *class* attribute
(``Preprocessor._query_language_per_scope``), shared by every parse in the process. Two
executions parsing their definition at once (each on its own thread) push and pop the same
list; one of them fails with ``IndexError`` before its program starts, its thread dies, and
its execution stays ``RUNNING`` with no environment. From then on every ``SendTaskSuccess``
(which walks every running execution) fails with a 500, so no liaison's completed call
resumes any workflow: the whole stack looks starved. Seen in ``make load N=200`` (1 parse
failure, 365 failed resumes). Here each parse gets its own scope stack and parses are
serialized, and an execution whose program could not start fails (``FAILED``, as AWS reports
an execution that cannot run) instead of poisoning the others.

The shortcuts: one moto server (one Python process, one GIL) serves every function; profiled
under ``intake run``, it spent most of its time in DynamoDB, and there mostly in two places
whose cost grows with the table, then in Step Functions' client making:

- **A query by partition key reads that partition.** moto's ``Table.query`` lists and sorts
  every item of the table (``all_items``) and then keeps the partition asked for; a referral's
  timeline or tasks read cost a sort of the whole table. Here a base-table query gets only its
  partition's items (sorted by sort key, as ``all_items`` would give them), and an index query
  gets the table's items unsorted (the query sorts them by the index's keys itself).
- **Item answers are written as JSON directly.** moto walks each answer against the botocore
  output shape, attribute by attribute (about a quarter of the server's CPU). The item
  operations' answers are already DynamoDB JSON (``dynamo_to_dict``), so they are dumped as
  they are (binary values base64, as the wire format has them); anything else (a timestamp,
  an unknown type) goes through moto's serializer as before.
- **Step Functions reuses its service clients.** moto's interpreter makes a new boto3 client
  for every Lambda, SQS or DynamoDB task it runs (``boto_client_for``), which costs more CPU
  than the call; here one client per region and service is made and shared (a client is safe to
  share between threads; a task with its own credentials still gets its own).

moto is pinned (``requirements``); ``tests/integration/test_moto_patches.py`` checks the
answers against moto's own on the same table, and the fix with executions started at once.
"""

from __future__ import annotations

import base64
import importlib
import json
import threading
from typing import Any

from moto.dynamodb.models.table import Table
from moto.dynamodb.responses import DynamoResult

_ITEM_OPERATIONS = frozenset(
    {
        "GetItem",
        "BatchGetItem",
        "Query",
        "Scan",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "TransactGetItems",
    }
)
_JSON_1_0 = "application/x-amz-json-1.0"
_scope = threading.local()
_originals: dict[str, Any] = {}


def _wire(value: object) -> str:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(type(value).__name__)


def _query(self: Table, *args: Any, **kwargs: Any) -> Any:
    index_name = kwargs.get("index_name", args[7] if len(args) > 7 else None)
    hash_key = args[0] if args else kwargs.get("hash_key")
    if index_name:
        _scope.query = (self, None)
    elif hash_key is not None and self.range_key_attr:
        _scope.query = (self, hash_key)
    else:
        return _originals["query"](self, *args, **kwargs)
    try:
        return _originals["query"](self, *args, **kwargs)
    finally:
        _scope.query = None


def _all_items(self: Table) -> list[Any]:
    scope = getattr(_scope, "query", None)
    if scope is None or scope[0] is not self:
        return _originals["all_items"](self)  # type: ignore[no-any-return]
    _scope.query = None  # once per query: anything else it calls gets moto's own
    if scope[1] is None:  # an index query sorts by the index's keys itself
        if not self.range_key_attr:
            return list(self.items.values())
        return [item for partition in self.items.values() for item in partition.values()]
    partition = self.items.get(scope[1]) or {}
    return sorted(partition.values(), key=lambda item: item.range_key)


def _execute_result(self: DynamoResult, context: Any) -> Any:
    result = self.result
    if context.operation_model.name in _ITEM_OPERATIONS and isinstance(result, dict):
        try:
            body = json.dumps(
                {k: v for k, v in result.items() if v is not None},
                default=_wire,
                separators=(",", ":"),
            )
        except TypeError:
            return _originals["execute_result"](self, context)
        return 200, {"Content-Type": _JSON_1_0}, body
    return _originals["execute_result"](self, context)


_SFN_CLIENT_USERS = (  # the interpreter's modules that import ``boto_client_for`` by name
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.lambda_eval_utils",
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_sqs",
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.service."
    "state_task_service_dynamodb",
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.service."
    "state_task_service_events",
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_sns",
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_sfn",
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.service."
    "state_task_service_aws_sdk",
)
_sfn_clients: dict[tuple[str, str, str], Any] = {}
_sfn_clients_lock = threading.Lock()


def _boto_client_for(region: str, service: str, state_credentials: Any = None) -> Any:
    if state_credentials is not None:
        return _originals["boto_client_for"](region, service, state_credentials)
    from moto.core.models import botocore_stubber
    from moto.settings import moto_server_port

    # The endpoint is part of the key: a process may run one stack after another.
    key = (region, service, f"{botocore_stubber.enabled}:{moto_server_port()}")
    with _sfn_clients_lock:
        if key not in _sfn_clients:
            _sfn_clients[key] = _originals["boto_client_for"](region, service)
        return _sfn_clients[key]


_parse_lock = threading.Lock()


def _parse(definition: str) -> Any:
    from moto.stepfunctions.parser.asl.parse.preprocessor import Preprocessor

    with _parse_lock:
        Preprocessor._query_language_per_scope = []  # this parse's own stack
        return _originals["parse"](definition)


def _execution_logic(self: Any) -> None:
    try:
        _originals["execution_logic"](self)
    except Exception:
        if self.env is not None:
            raise  # the program ran: moto reflects its end as before
        import datetime

        from moto.stepfunctions.parser.api import ExecutionStatus

        execution = self._execution_communication.execution
        execution.stop_date = datetime.datetime.now(tz=datetime.UTC)
        execution.error = "States.Runtime"
        execution.cause = "the state machine definition could not be prepared"
        execution.exec_status = ExecutionStatus.FAILED
        raise


def _executions_with_a_program(original: Any) -> Any:
    def get_executions(self: Any, *args: Any, **kwargs: Any) -> Any:
        return [
            e
            for e in original(self, *args, **kwargs)
            if e.exec_worker is None or e.exec_worker.env is not None
        ]

    return get_executions


def install() -> None:
    """Patch moto in this process (idempotent)."""
    if _originals:
        return
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend

    _originals.update(
        query=Table.query,
        all_items=Table.all_items,
        execute_result=DynamoResult.execute_result,
        parse=AmazonStateLanguageParser.parse,
        execution_logic=ExecutionWorker._execution_logic,
        get_executions=StepFunctionsParserBackend._get_executions,
    )
    AmazonStateLanguageParser.parse = staticmethod(_parse)  # type: ignore[method-assign,assignment]
    ExecutionWorker._execution_logic = _execution_logic  # type: ignore[method-assign]
    StepFunctionsParserBackend._get_executions = _executions_with_a_program(  # type: ignore[method-assign]
        _originals["get_executions"]
    )
    Table.query = _query  # type: ignore[method-assign]
    Table.all_items = _all_items  # type: ignore[method-assign]
    DynamoResult.execute_result = _execute_result  # type: ignore[method-assign,assignment]
    boto_client = importlib.import_module("moto.stepfunctions.parser.asl.utils.boto_client")
    _originals["boto_client_for"] = boto_client.boto_client_for
    for name in _SFN_CLIENT_USERS:
        module = importlib.import_module(name)
        if getattr(module, "boto_client_for", None) is _originals["boto_client_for"]:
            module.boto_client_for = _boto_client_for  # type: ignore[attr-defined]


def uninstall() -> None:
    """moto as it ships (for the comparison test)."""
    if not _originals:
        return
    Table.query = _originals.pop("query")  # type: ignore[method-assign]
    Table.all_items = _originals.pop("all_items")  # type: ignore[method-assign]
    DynamoResult.execute_result = _originals.pop("execute_result")  # type: ignore[method-assign]
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend

    AmazonStateLanguageParser.parse = staticmethod(_originals.pop("parse"))  # type: ignore[method-assign]
    ExecutionWorker._execution_logic = _originals.pop("execution_logic")  # type: ignore[method-assign]
    StepFunctionsParserBackend._get_executions = _originals.pop("get_executions")  # type: ignore[method-assign]
    original = _originals.pop("boto_client_for")
    for name in _SFN_CLIENT_USERS:
        module = importlib.import_module(name)
        if getattr(module, "boto_client_for", None) is _boto_client_for:
            module.boto_client_for = original  # type: ignore[attr-defined]
    with _sfn_clients_lock:
        _sfn_clients.clear()
