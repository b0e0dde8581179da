"""moto as a dependency: one fix, and speed shortcuts behind one switch.

What each patch is for, why, and the fix written as a patch against moto's source (to offer
upstream) are in ``docs/local-stack-moto.md``; so is how to upgrade moto.

**The fix (always on): each Step Functions parse gets its own query-language scope stack.**
moto's ASL preprocessor keeps that stack in a *class* attribute
(``Preprocessor._query_language_per_scope``), shared by every parse in the process. Two
executions starting at once parse on two threads and one can die with ``IndexError`` (or inherit
the other's query language) before its program starts; its execution then stays ``RUNNING`` with
no environment and every ``SendTaskSuccess`` fails with a 500. A definition that fails to
preprocess also leaves its scopes on the shared stack, so every later JSONPath definition in
the process is refused. The fix is moto's class with an ``__init__`` that gives the instance
its own list: the same lines as the upstream patch.

**The shortcuts (``INTAKE_MOTO_SHORTCUTS``, on unless set to 0/false/off):** they change no
answer (``tests/integration/test_moto_patches.py`` runs the same operations with them and with
moto as it ships, and compares), only how much CPU the one moto process spends:

- a DynamoDB query by partition key reads that partition, not a sorted copy of the table;
- DynamoDB item answers are written as JSON directly, not walked against the output shape;
- Step Functions' interpreter shares one boto3 client per region, service and endpoint instead
  of making one for every task it runs;
- the server remembers which backend serves a host (``speed_up_server``);
- a Step Functions definition's ANTLR parse tree is kept per definition text: moto parses the
  whole definition again for every execution it starts (a third of its interpreter's CPU in a
  sample run, profiled with py-spy); each execution still gets its own evaluation components
  from moto's preprocessor, so no state is shared between executions;
- a DynamoDB ``TransactWriteItems`` keeps, for its rollback, a copy of the items it touches,
  not a deep copy of every table it names (moto copies the whole table for each transaction:
  the stack tier's longest test spent 70% of the moto process in that copy, grew to 20 GB and
  was killed; a rollback that put a whole-table copy back would also undo the writes other
  requests made meanwhile).
"""

from __future__ import annotations

import base64
import contextlib
import copy
import inspect
import json
import os
import threading
from typing import Any
from unittest import mock

import boto3
import moto.dynamodb.models as dynamodb_models
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table
from moto.dynamodb.responses import DynamoResult
from moto.stepfunctions.parser.asl.antlr.runtime.ASLParserVisitor import ASLParserVisitor
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
from moto.stepfunctions.parser.asl.parse.preprocessor import Preprocessor
from moto.stepfunctions.parser.asl.utils import boto_client

SWITCH = "INTAKE_MOTO_SHORTCUTS"
"""The one switch for every speed shortcut; read only by ``install``."""

_OFF = frozenset({"0", "false", "off", "no"})


# ---------------------------------------------------------------------------- the fix
def _preprocessor_init(self: Preprocessor) -> None:
    ASLParserVisitor.__init__(self)
    self._query_language_per_scope = []  # this parse's own stack (moto shares one class list)


# ---------------------------------------------------------------------------- shortcuts
_scope = threading.local()
_QUERY_SIGNATURE = inspect.signature(Table.query)


def _query(self: Table, *args: Any, **kwargs: Any) -> Any:
    """moto's ``Table.query``, with ``all_items`` narrowed for this one call (see ``_all_items``)."""
    arguments = _QUERY_SIGNATURE.bind(self, *args, **kwargs).arguments
    if arguments.get("index_name"):
        _scope.query = (self, None)
    elif arguments.get("hash_key") is not None and self.range_key_attr:
        _scope.query = (self, arguments["hash_key"])
    try:
        return _originals[Table, "query"](self, *args, **kwargs)
    finally:
        _scope.query = None


def _all_items(self: Table) -> list[Any]:
    """What a query needs of ``all_items``: a base-table query its partition, an index query
    every item, unsorted (moto's query keeps the items of its key and sorts them itself; its
    whole-table listing sorts the table first). Anything else gets moto's own listing."""
    scope = getattr(_scope, "query", None)
    if scope is None or scope[0] is not self:
        return _originals[Table, "all_items"](self)  # type: ignore[no-any-return]
    _scope.query = None  # once per query: anything else it calls gets moto's own
    if scope[1] is None:
        if not self.range_key_attr:
            return list(self.items.values())
        return [item for partition in self.items.values() for item in partition.values()]
    return list((self.items.get(scope[1]) or {}).values())


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


def _wire(value: object) -> str:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(type(value).__name__)


def _execute_result(self: DynamoResult, context: Any) -> Any:
    """An item operation's answer is already DynamoDB JSON (``dynamo_to_dict``): dump it as it
    is (binary values base64, as on the wire); anything else goes through moto's serializer."""
    result = self.result
    if context.operation_model.name in _ITEM_OPERATIONS and isinstance(result, dict):
        try:
            body = json.dumps(
                {k: v for k, v in result.items() if v is not None},
                default=_wire,
                separators=(",", ":"),
            )
        except TypeError:
            pass
        else:
            return 200, {"Content-Type": _JSON_1_0}, body
    return _originals[DynamoResult, "execute_result"](self, context)


class _SharedClients:
    """Stands in for the ``boto3`` module inside moto's ``boto_client`` module, whose
    ``boto_client_for`` (every Step Functions task's client) calls ``boto3.client`` with keywords
    only: one client per region, service and endpoint, shared (a made client is thread-safe)."""

    def __init__(self) -> None:
        self._clients: dict[tuple[object, ...], Any] = {}
        self._lock = threading.Lock()

    def client(self, *args: Any, **kwargs: Any) -> Any:
        if args:  # not the call this stands in for: no sharing
            return boto3.client(*args, **kwargs)
        key = tuple(
            kwargs.get(name)
            for name in (
                "service_name",
                "region_name",
                "endpoint_url",
                "aws_access_key_id",
                "aws_secret_access_key",
                "aws_session_token",
            )
        )
        with self._lock:
            if key not in self._clients:
                self._clients[key] = boto3.client(**kwargs)
            return self._clients[key]

    def __getattr__(self, name: str) -> Any:
        return getattr(boto3, name)


class _ParseTrees:
    """``AmazonStateLanguageParser.parse`` with the syntax tree kept per definition text (a few
    definitions, the last used kept): the tree is only read by the preprocessor, which builds a
    fresh program for every call. A definition that fails to parse is not kept (it fails again,
    with moto's own error)."""

    KEEP = 8

    def __init__(self) -> None:
        self._trees: dict[str, Any] = {}
        self._lock = threading.Lock()

    def parse(self, definition: str) -> tuple[Any, Any]:
        with self._lock:
            tree = self._trees.get(definition)
        if tree is None:
            program, tree = _originals[AmazonStateLanguageParser, "parse"](definition)
            with self._lock:
                while len(self._trees) >= self.KEEP:
                    self._trees.pop(next(iter(self._trees)))
                self._trees[definition] = tree
            return program, tree
        return Preprocessor().visit(tree), tree


_transaction = threading.local()


class _TransactionCopy:
    """Stands in for the ``copy`` module inside ``moto.dynamodb.models``, whose only use of
    ``copy.deepcopy`` on a table is ``transact_write_items``' backup: inside a transaction the
    table itself is handed back (its rollback then puts back the same object, changing
    nothing) and ``_transact_write_items`` restores the touched items instead."""

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        if isinstance(value, Table) and getattr(_transaction, "active", False):
            return value
        return copy.deepcopy(value, memo)


def _touched(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> list[Any]:
    """(table, hash key, range key, a copy of the item or None) for each item written."""
    kept = []
    for entry in transact_items:
        if len(entry) != 1:
            continue  # moto refuses it before writing anything
        _, op = next(iter(entry.items()))
        table = backend.tables.get(op.get("TableName"))
        key = op.get("Key") or op.get("Item")
        if table is None or not isinstance(key, dict) or table.hash_key_attr not in key:
            continue
        hash_key = DynamoType(key[table.hash_key_attr])
        range_key = None
        if table.range_key_attr is not None:
            if table.range_key_attr not in key:
                continue
            range_key = DynamoType(key[table.range_key_attr])
        current = table.get_item(hash_key, range_key)
        kept.append((table, hash_key, range_key, copy.deepcopy(current)))
    return kept


def _restore(kept: list[Any]) -> None:
    for table, hash_key, range_key, item in reversed(kept):
        if item is None:
            with contextlib.suppress(KeyError):
                if range_key is not None:
                    table.items[hash_key].pop(range_key)
                else:
                    table.items.pop(hash_key)
        elif range_key is not None:
            table.items[hash_key][range_key] = item
        else:
            table.items[hash_key] = item


def _transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    """moto's ``transact_write_items`` with its rollback limited to the items it touches."""
    kept = _touched(self, transact_items) if len(transact_items) <= 100 else []
    _transaction.active = True
    try:
        _originals[DynamoDBBackend, "transact_write_items"](self, transact_items)
    except BaseException:
        _restore(kept)
        raise
    finally:
        _transaction.active = False


# ---------------------------------------------------------------------------- install
_patches: contextlib.ExitStack | None = None
_shortcuts_on = False
_originals: dict[tuple[type, str], Any] = {}


def shortcuts_on() -> bool:
    """Whether the speed shortcuts are installed in this process now."""
    return _shortcuts_on


def install(shortcuts: bool | None = None) -> None:
    """Install the fix, and the shortcuts unless ``shortcuts`` is False (None: as the switch
    ``INTAKE_MOTO_SHORTCUTS`` says, on by default). Installing again with another choice
    replaces the first."""
    global _patches, _shortcuts_on
    if shortcuts is None:
        shortcuts = os.environ.get(SWITCH, "1").strip().lower() not in _OFF
    if _patches is not None and shortcuts == _shortcuts_on:
        return
    uninstall()
    if shortcuts and not {"hash_key", "index_name"} <= _QUERY_SIGNATURE.parameters.keys():
        raise RuntimeError(f"moto's Table.query is no longer {_QUERY_SIGNATURE}: see the docs")
    stack = contextlib.ExitStack()
    stack.enter_context(mock.patch.object(Preprocessor, "__init__", _preprocessor_init))
    if shortcuts:
        for owner, name, replacement in (
            (Table, "query", _query),
            (Table, "all_items", _all_items),
            (DynamoResult, "execute_result", _execute_result),
            (DynamoDBBackend, "transact_write_items", _transact_write_items),
        ):
            _originals[owner, name] = getattr(owner, name)
            stack.enter_context(mock.patch.object(owner, name, replacement))
        stack.enter_context(mock.patch.object(boto_client, "boto3", _SharedClients()))
        stack.enter_context(mock.patch.object(dynamodb_models, "copy", _TransactionCopy()))
        _originals[AmazonStateLanguageParser, "parse"] = AmazonStateLanguageParser.parse
        stack.enter_context(
            mock.patch.object(AmazonStateLanguageParser, "parse", staticmethod(_ParseTrees().parse))
        )
    _patches, _shortcuts_on = stack, shortcuts


def uninstall() -> None:
    """moto as it ships."""
    global _patches, _shortcuts_on
    if _patches is not None:
        _patches.close()
    _patches, _shortcuts_on = None, False
    _originals.clear()


def speed_up_server(dispatcher: Any) -> None:
    """With the shortcuts on, a moto server's dispatcher remembers the backend per host (it
    finds each request's backend under one global lock by listing moto's package directory and
    matching hundreds of URL patterns; profiled under load with py-spy)."""
    if not _shortcuts_on:
        return
    lookup = dispatcher.get_backend_for_host
    hosts: dict[str | None, Any] = {}

    def get_backend_for_host(host: str | None) -> Any:
        if host not in hosts:
            hosts[host] = lookup(host)
        return hosts[host]

    dispatcher.get_backend_for_host = get_backend_for_host
