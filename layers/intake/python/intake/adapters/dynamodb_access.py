"""The PHI access log: its own DynamoDB table, append-only.

Each entry is one conditional PutItem (``attribute_not_exists(pk)``): a write can add an entry,
never replace one. No function role has ``UpdateItem``/``DeleteItem`` on the table, and the
table's resource policy denies them (and ``BatchWriteItem``, which can delete) to everyone;
entries leave only by TTL after six years (``expires_at``; HIPAA 45 CFR 164.316(b)(2)).

pk ``ACCESS#<day>``, sk ``<at>#<request id>``: a day's entries read in order with one Query,
page by page (``next``: an opaque cursor).
"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from intake.adapters.aws import resource
from intake.core.clock import iso

if TYPE_CHECKING:
    from intake.workspace.service import AccessEntry

RETENTION = timedelta(days=6 * 366)
"""Kept six years (45 CFR 164.316(b)(2)(i)), counted generously (every year a leap year)."""


def encode_cursor(key: dict[str, Any] | None) -> str | None:
    if not key:
        return None
    return base64.urlsafe_b64encode(json.dumps(key, sort_keys=True).encode()).decode()


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    """A cursor given back by a caller; anything not ours is refused as invalid."""
    if not cursor:
        return None
    from intake.core.errors import InvalidRequest

    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError:
        raise InvalidRequest("next: not a cursor this API gave") from None
    if not isinstance(key, dict) or not all(isinstance(v, str) for v in key.values()):
        raise InvalidRequest("next: not a cursor this API gave")
    return key


class DynamoDbAccessLog:
    def __init__(self, table_name: str) -> None:
        self.table_name = table_name

    @property
    def table(self) -> Any:
        return resource("dynamodb").Table(self.table_name)

    def record(self, entry: AccessEntry) -> None:
        from intake.workspace.service import access_item

        item = access_item(entry)
        item.update(
            pk=f"ACCESS#{entry.at.date().isoformat()}",
            sk=f"{iso(entry.at)}#{entry.request_id or uuid.uuid4().hex}",
            expires_at=int((entry.at + RETENTION).timestamp()),
        )
        try:
            self.table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            item["sk"] = f"{iso(entry.at)}#{uuid.uuid4().hex}"  # same request id twice: keep both
            self.table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")

    def day(
        self, day: date, limit: int = 200, cursor: str | None = None
    ) -> tuple[list[AccessEntry], str | None]:
        """One page of a day's entries in time order, and the cursor of the next page."""
        from intake.workspace.service import entry_of

        query: dict[str, Any] = {
            "KeyConditionExpression": Key("pk").eq(f"ACCESS#{day.isoformat()}"),
            "Limit": limit,
        }
        start = decode_cursor(cursor)
        if start is not None:
            query["ExclusiveStartKey"] = start
        page = self.table.query(**query)
        return [entry_of(i) for i in page.get("Items", [])], encode_cursor(
            page.get("LastEvaluatedKey")
        )


def copy_legacy_entries(intake_table: str, access_table: str) -> int:
    """The one-off after the access log moved to its own table: each ``ACCESS#`` item of the
    intake table (written by search and document openings before) copied into the access-log
    table with the same keys, a conditional put (a second run copies nothing) and its six-year
    TTL. The originals are left where they were. Returns how many were copied."""
    from boto3.dynamodb.conditions import Attr

    from intake.workspace.service import access_item, entry_of

    source = resource("dynamodb").Table(intake_table)
    target = DynamoDbAccessLog(access_table).table
    copied = 0
    scan: dict[str, Any] = {"FilterExpression": Attr("pk").begins_with("ACCESS#")}
    while True:
        page = source.scan(**scan)
        for item in page.get("Items", []):
            entry = entry_of(item)
            row = access_item(entry)
            row.update(
                pk=item["pk"],
                sk=item["sk"],
                expires_at=int((entry.at + RETENTION).timestamp()),
            )
            try:
                target.put_item(Item=row, ConditionExpression="attribute_not_exists(pk)")
                copied += 1
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
        if "LastEvaluatedKey" not in page:
            return copied
        scan["ExclusiveStartKey"] = page["LastEvaluatedKey"]
