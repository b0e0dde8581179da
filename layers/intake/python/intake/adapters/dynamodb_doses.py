"""Dose items in the one table (``REFERRAL#<id>`` / ``DOSE#<nnnn>``) and their sparse index.

A dose is in GSI2 under ``DOSE#due`` (sort key: when its check is due) while its check is
pending, under ``DOSE#checking`` (sort key: its ship-by date) while its check runs, under
``DOSE#held`` / ``DOSE#cleared`` (sort key: the dose day) for the liaison view, and in no
partition once the therapy ended. The sweep reads only
``DOSE#due`` up to now: its reads follow the doses due, not the patients on therapy.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from intake.adapters.dynamodb_store import (
    PENDING_AUTH_INDEX,
    TableAdapter,
    _from_item,
    _to_item,
    task_item,
)
from intake.core.clock import iso
from intake.core.errors import Conflict
from intake.core.ids import referral_of_task
from intake.course.model import DoseRecord, DoseStatus
from intake.course.ports import TaskCancel
from intake.models.records import TaskRecord, TaskStatus

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

    def save_with_tasks(
        self,
        dose: DoseRecord,
        *,
        expect_version: int,
        expect_status: str | None = None,
        new_tasks: Sequence[TaskRecord] = (),
        cancel: Sequence[TaskCancel] = (),
    ) -> list[str]:
        """The dose, its new tasks and the tasks it cancels in one ``TransactWriteItems``
        (see ``DoseStore.save_with_tasks``). A new task already stored (a repeated step) is
        left out and the write tried again; any other lost condition is a ``Conflict``."""
        pending = list(new_tasks)
        for _ in range(len(pending) + 1):
            items = [self._dose_put(dose, expect_version, expect_status)]
            items += [self._task_put(t) for t in pending]
            items += [self._task_cancel(c) for c in cancel]
            try:
                # The resource's client: it writes Python values as DynamoDB's (as the table does).
                self.table.meta.client.transact_write_items(TransactItems=items)
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "TransactionCanceledException":
                    raise
                stored = self._stored_new_tasks(exc, pending)
                if not stored:
                    raise Conflict(
                        f"dose {dose.number} of {dose.referral_id} or one of its tasks changed"
                    ) from exc
                pending = [t for t in pending if t.task_id not in stored]
                continue
            return [t.task_id for t in pending]
        raise Conflict(f"dose {dose.number} of {dose.referral_id}: its tasks keep changing")

    def _stored_new_tasks(self, exc: ClientError, pending: list[TaskRecord]) -> set[str]:
        """The new tasks whose put lost only because they exist, when nothing else lost."""
        codes = [r.get("Code", "None") for r in exc.response.get("CancellationReasons", [])]
        if codes:
            lost = {i for i, code in enumerate(codes) if code not in ("None", "")}
            tasks = set(range(1, len(pending) + 1))
            if (
                not lost
                or not lost <= tasks
                or any(codes[i] != "ConditionalCheckFailed" for i in lost)
            ):
                return set()
            return {pending[i - 1].task_id for i in lost}
        # No reasons given: look.
        return {
            t.task_id
            for t in pending
            if "Item"
            in self.table.get_item(
                Key={"pk": f"REFERRAL#{t.referral_id}", "sk": f"TASK#{t.task_id}"}
            )
        }

    def _dose_put(
        self, dose: DoseRecord, expect_version: int, expect_status: str | None
    ) -> dict[str, Any]:
        condition = "#version = :version"
        names = {"#version": "version"}
        values: dict[str, Any] = {":version": expect_version}
        if expect_status is not None:
            condition += " AND #status = :status"
            names["#status"] = "status"
            values[":status"] = expect_status
        return {
            "Put": {
                "TableName": self.table.name,
                "Item": self._item(dose),
                "ConditionExpression": condition,
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
            }
        }

    def _task_put(self, task: TaskRecord) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self.table.name,
                "Item": task_item(task),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def _task_cancel(self, cancel: TaskCancel) -> dict[str, Any]:
        referral_id = referral_of_task(cancel.task_id)
        return {
            "Update": {
                "TableName": self.table.name,
                "Key": {
                    "pk": f"REFERRAL#{referral_id}",
                    "sk": f"TASK#{cancel.task_id}",
                },
                "UpdateExpression": "SET #status = :cancelled, cancelled_at = :at, "
                "cancel_reason = :why REMOVE gsi1pk, gsi1sk, task_token",
                "ConditionExpression": "#status IN (:open, :claimed)",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": {
                    ":cancelled": TaskStatus.CANCELLED.value,
                    ":at": cancel.at.isoformat(),
                    ":why": cancel.reason,
                    ":open": TaskStatus.OPEN.value,
                    ":claimed": TaskStatus.CLAIMED.value,
                },
            }
        }

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
