"""``DirectoryStore`` over the one table.

| item | pk | sk |
|---|---|---|
| the version lookups read | ``DIRECTORY`` | ``CURRENT`` (``version``, ``set_at``) |
| an import's record | ``DIRECTORY`` | ``VERSION#v0001`` (``record`` JSON, ``complete``) |
| a version's name index | ``DIRECTORY#v0001`` | ``INDEX`` (``data``: zlib JSON) |
| a version's payer | ``DIRECTORY#v0001`` | ``PAYER#<payer id>`` (``data``: zlib JSON) |

A lookup reads the pointer (cached by the service), then only the payer's item; resolution and
discovery read the index item (about 100 bytes a payer compressed: 1,000 payers ~ 60 KB, well
under the 400 KB item limit). An import claims its version with a conditional put, writes the
version's items, marks it complete, then moves the pointer conditionally on the version it
replaced: a reader never sees half a version, and two imports cannot both win.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import Any

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from intake.adapters.dynamodb_store import TableAdapter, _is_conditional_failure, query_all
from intake.core.clock import iso, utcnow
from intake.core.errors import Conflict
from intake.directory.model import NameIndex, PayerEntry, VersionRecord

PK = "DIRECTORY"


def _pack(model: PayerEntry | NameIndex) -> bytes:
    return zlib.compress(model.model_dump_json(exclude_defaults=True).encode(), 6)


def _unpack(item: Mapping[str, Any]) -> bytes:
    data = item["data"]
    return zlib.decompress(data.value if hasattr(data, "value") else bytes(data))


class DynamoDbDirectory(TableAdapter):
    def current(self) -> str | None:
        item = self.table.get_item(Key={"pk": PK, "sk": "CURRENT"}).get("Item")
        return str(item["version"]) if item else None

    def versions(self) -> list[VersionRecord]:
        items = query_all(
            self.table,
            KeyConditionExpression=Key("pk").eq(PK) & Key("sk").begins_with("VERSION#"),
        )
        return [VersionRecord.model_validate_json(i["record"]) for i in items if i.get("complete")]

    def save(
        self, record: VersionRecord, entries: Mapping[str, PayerEntry], index: NameIndex
    ) -> None:
        key = {"pk": PK, "sk": f"VERSION#{record.version}"}
        try:
            self.table.put_item(
                Item={**key, "record": record.model_dump_json(), "complete": False},
                ConditionExpression=Attr("pk").not_exists(),
            )
        except ClientError as exc:
            if _is_conditional_failure(exc):
                raise Conflict(f"directory version {record.version} exists") from exc
            raise
        pk = f"{PK}#{record.version}"
        with self.table.batch_writer() as batch:
            batch.put_item(Item={"pk": pk, "sk": "INDEX", "data": _pack(index)})
            for payer_id, entry in entries.items():
                batch.put_item(Item={"pk": pk, "sk": f"PAYER#{payer_id}", "data": _pack(entry)})
        self.table.update_item(
            Key=key, UpdateExpression="SET complete = :t", ExpressionAttributeValues={":t": True}
        )

    def make_current(self, version: str, expected: str | None) -> None:
        record = self.table.get_item(
            Key={"pk": PK, "sk": f"VERSION#{version}"}, ConsistentRead=True
        ).get("Item")
        if not record or not record.get("complete"):
            raise Conflict(f"no complete directory version {version}")
        condition = Attr("pk").not_exists() if expected is None else Attr("version").eq(expected)
        try:
            self.table.put_item(
                Item={"pk": PK, "sk": "CURRENT", "version": version, "set_at": iso(utcnow())},
                ConditionExpression=condition,
            )
        except ClientError as exc:
            if _is_conditional_failure(exc):
                raise Conflict(
                    f"the directory changed while {version} was being made current"
                ) from exc
            raise

    def index(self, version: str) -> NameIndex:
        item = self.table.get_item(Key={"pk": f"{PK}#{version}", "sk": "INDEX"}).get("Item")
        return NameIndex.model_validate_json(_unpack(item)) if item else NameIndex(payers=())

    def entry(self, version: str, payer_id: str) -> PayerEntry | None:
        item = self.table.get_item(Key={"pk": f"{PK}#{version}", "sk": f"PAYER#{payer_id}"}).get(
            "Item"
        )
        return PayerEntry.model_validate_json(_unpack(item)) if item else None

    def entries(self, version: str) -> list[PayerEntry]:
        items = query_all(
            self.table,
            KeyConditionExpression=Key("pk").eq(f"{PK}#{version}")
            & Key("sk").begins_with("PAYER#"),
        )
        return [PayerEntry.model_validate_json(_unpack(i)) for i in items]
