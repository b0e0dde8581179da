"""Dose items in the one table (``REFERRAL#<id>`` / ``DOSE#<nnnn>``) and their sparse index.

A dose is in GSI2 under ``DOSE#due`` (sort key: when its check is due) while its check is
pending, under ``DOSE#checking`` (sort key: its ship-by date) while its check runs, under
``DOSE#held`` / ``DOSE#cleared`` (sort key: the dose day) for the liaison view, and in no
partition once the therapy ended. The sweep reads only
``DOSE#due`` up to now: its reads follow the doses due, not the patients on therapy.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from intake.adapters.dynamodb_store import (
    PENDING_AUTH_INDEX,
    TableAdapter,
    _from_item,
    _to_item,
)
from intake.core.clock import iso
from intake.core.errors import Conflict
from intake.course.model import DoseRecord, DoseStatus

DUE = "DOSE#due"
CHECKING = "DOSE#checking"
BY_STATUS = {DoseStatus.HELD: "DOSE#held", DoseStatus.CLEARED: "DOSE#cleared"}


def _sk(number: int) -> str:
    return f"DOSE#{number:04d}"


def index_keys(dose: DoseRecord) -> dict[str, str]:
    tail = f"{dose.referral_id}#{dose.number:04d}"
    if dose.status is DoseStatus.SCHEDULED:
        return {"gsi2pk": DUE, "gsi2sk": f"{iso(dose.check_at)}#{tail}"}
    if dose.status is DoseStatus.CHECKING:  # sort key: the ship-by date it must end before
        return {"gsi2pk": CHECKING, "gsi2sk": f"{(dose.ship_by or dose.day).isoformat()}#{tail}"}
    if dose.status in BY_STATUS:
        return {"gsi2pk": BY_STATUS[dose.status], "gsi2sk": f"{dose.day.isoformat()}#{tail}"}
    return {}


class DynamoDbDoses(TableAdapter):
    """The dose calendar's items in the referral's partition, and their sparse GSI2 keys."""

    def _item(self, dose: DoseRecord) -> dict[str, Any]:
        item = _to_item(dose.model_dump(mode="json"))
        item.update(pk=f"REFERRAL#{dose.referral_id}", sk=_sk(dose.number), **index_keys(dose))
        return item

    def put_if_new(self, dose: DoseRecord) -> bool:
        return self._put_if_new(self._item(dose))

    def save(
        self, dose: DoseRecord, *, expect_version: int, expect_status: str | None = None
    ) -> None:
        """Replace the dose if it is still at ``expect_version`` (and status): a move or hold
        between a check's steps makes the check's write fail rather than undo it."""
        condition = Attr("version").eq(expect_version)
        if expect_status is not None:
            condition = condition & Attr("status").eq(expect_status)
        try:
            self.table.put_item(Item=self._item(dose), ConditionExpression=condition)
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise Conflict(
                    f"dose {dose.number} of {dose.referral_id} changed (version or status)"
                ) from exc
            raise

    def get(self, referral_id: str, number: int) -> DoseRecord | None:
        item = self.table.get_item(
            Key={"pk": f"REFERRAL#{referral_id}", "sk": _sk(number)}, ConsistentRead=True
        ).get("Item")
        return DoseRecord.model_validate(_from_item(item)) if item else None

    def of(self, referral_id: str) -> list[DoseRecord]:
        items = self._query_partition(referral_id, "DOSE#")
        return [DoseRecord.model_validate(_from_item(i)) for i in items]

    def due(self, now: datetime, limit: int = 500) -> list[DoseRecord]:
        """Doses whose check is due by ``now``, oldest first (at most ``limit``: the next
        sweep takes the rest)."""
        return self._index(DUE, f"{iso(now)}~", limit)

    def stale(self, before: date, limit: int = 100) -> list[DoseRecord]:
        """Checks still running whose ship-by date is before ``before`` (a check that should
        have ended: its execution failed where its own Catch could not record it)."""
        return self._index(CHECKING, f"{before.isoformat()}#", limit)

    def listed(self, status: DoseStatus, before: date, limit: int = 200) -> list[DoseRecord]:
        """Held or cleared doses up to ``before`` (the liaison view)."""
        return self._index(BY_STATUS[status], f"{before.isoformat()}~", limit)

    def _index(self, partition: str, upto: str, limit: int) -> list[DoseRecord]:
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "IndexName": PENDING_AUTH_INDEX,
            "KeyConditionExpression": Key("gsi2pk").eq(partition) & Key("gsi2sk").lte(upto),
            "Limit": limit,
        }
        while len(items) < limit:
            page = self.table.query(**kwargs)
            items.extend(page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return [DoseRecord.model_validate(_from_item(i)) for i in items[:limit]]
