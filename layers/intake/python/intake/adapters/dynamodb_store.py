"""The single DynamoDB table behind ``ReferralStore``.

Key design (docs/design.md, "Data model"):

==========================  =====================  ==========================  =================
item                        pk                     sk                          index keys
==========================  =====================  ==========================  =================
referral                    REFERRAL#<id>          REFERRAL
timeline event              REFERRAL#<id>          EVENT#<at>#<n>
task                        REFERRAL#<id>          TASK#<task id>              gsi1pk=TASKS#<status>
                                                                               gsi1sk=<due>#<task id>
pending authorization       REFERRAL#<id>          AUTH#<n>                    gsi2pk=AUTH#pending
open referral by match key  LINK#<match key>       LINK
referral of a patient       PATIENT#<search key>   REFERRAL#<id>
==========================  =====================  ==========================  =================

A ``LINK#`` item names the open referral for a patient-and-therapy match key; it is written
with a conditional put, so of two near-simultaneous uploads one holds it and the other links.

GSI1 is sparse: a task leaves it when completed, so "open tasks by due time" reads only
open work. GSI2 is sparse the same way for authorizations awaiting a payer decision.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError
from pydantic import BaseModel

from intake.adapters.aws import resource
from intake.clinic.milestones import status_for
from intake.core.clock import iso
from intake.core.errors import Conflict, NotFound
from intake.core.ids import referral_of_task
from intake.models.records import AuthorizationRecord, ReferralRecord, TaskRecord, TimelineEvent

OPEN_TASKS_INDEX = "gsi1_open_tasks"
PENDING_AUTH_INDEX = "gsi2_pending_auth"
PENDING_AUTH = "AUTH#pending"
PENDING_EFFECT = "EFFECT#pending"


def _json_value(value: Any) -> Any:
    """A stored section given as its model is stored as that model's JSON."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return str(value)


def _to_item(model_dump: dict[str, Any]) -> dict[str, Any]:
    """JSON-safe values with floats as Decimal, as DynamoDB requires."""
    item: dict[str, Any] = json.loads(
        json.dumps(model_dump, default=_json_value), parse_float=Decimal
    )
    return item


def _from_item(item: dict[str, Any]) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    keys = {"pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk"}
    return {k: plain(v) for k, v in item.items() if k not in keys}


def _update(values: dict[str, Any], remove: tuple[str, ...] = ()) -> dict[str, Any]:
    """``update_item`` arguments setting ``values`` (and removing ``remove``). Placeholders are
    ``#u``/``:u`` so they never collide with those boto3's condition builder generates."""
    expression = "SET " + ", ".join(f"#u{i} = :u{i}" for i in range(len(values)))
    if remove:
        expression += " REMOVE " + ", ".join(remove)
    return {
        "UpdateExpression": expression,
        "ExpressionAttributeNames": {f"#u{i}": name for i, name in enumerate(values)},
        "ExpressionAttributeValues": {f":u{i}": v for i, v in enumerate(values.values())},
    }


def query_all(table: Any, **query: Any) -> list[dict[str, Any]]:
    """Every item a query matches, following ``LastEvaluatedKey`` page after page."""
    items: list[dict[str, Any]] = []
    while True:
        page = table.query(**query)
        items.extend(page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return items
        query["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def task_item(task: TaskRecord) -> dict[str, Any]:
    """A task as its table item, on the work queue (GSI1) under its status and due time."""
    item = _to_item(task.model_dump(mode="json"))
    item.update(
        pk=f"REFERRAL#{task.referral_id}",
        sk=f"TASK#{task.task_id}",
        gsi1pk=f"TASKS#{task.status.value}",
        gsi1sk=f"{iso(task.due_at)}#{task.task_id}",
    )
    return item


def _is_conditional_failure(exc: ClientError) -> bool:
    return bool(exc.response["Error"]["Code"] == "ConditionalCheckFailedException")


class TableAdapter:
    """The one table, opened at first use (a cold start that never touches it pays nothing)."""

    def __init__(self, table_name: str, table: Any = None) -> None:
        self._table_name = table_name
        self._table = table

    @property
    def table(self) -> Any:
        if self._table is None:
            self._table = resource("dynamodb").Table(self._table_name)
        return self._table

    def _put_if_new(self, item: dict[str, Any]) -> bool:
        """Write ``item`` unless one with its key is stored; False when one was."""
        try:
            self.table.put_item(Item=item, ConditionExpression=Attr("pk").not_exists())
        except ClientError as exc:
            if _is_conditional_failure(exc):
                return False
            raise
        return True

    def _query_partition(self, referral_id: str, prefix: str) -> list[dict[str, Any]]:
        """The referral's items whose sort key starts with ``prefix``, read consistently."""
        return query_all(
            self.table,
            KeyConditionExpression=Key("pk").eq(f"REFERRAL#{referral_id}")
            & Key("sk").begins_with(prefix),
            ConsistentRead=True,
        )


class DynamoDbStore(TableAdapter):
    """``ReferralStore`` over one table."""

    # ------------------------------------------------------------------ referrals
    def put_referral_if_new(self, record: ReferralRecord) -> bool:
        item = _to_item(record.model_dump(mode="json"))
        item.update(pk=f"REFERRAL#{record.referral_id}", sk="REFERRAL")
        if not self._put_if_new(item):
            return False
        self.index_patient(record)
        return True

    def index_patient(self, record: ReferralRecord) -> None:
        """The search item of a referral (last name and date of birth, keyed hash); idempotent."""
        from intake.adapters.search_key import search_secret
        from intake.workspace.service import patient_key, patient_of

        patient = patient_of(record)
        if patient is None:
            return
        self.table.put_item(
            Item={
                "pk": f"PATIENT#{patient_key(patient[1], patient[2], search_secret())}",
                "sk": f"REFERRAL#{record.referral_id}",
                "referral_id": record.referral_id,
            }
        )

    def referrals_of_patient(self, last_name: str, date_of_birth: date) -> list[str]:
        from intake.adapters.search_key import search_secret
        from intake.workspace.service import patient_key

        key = patient_key(last_name, date_of_birth, search_secret())
        page = self.table.query(KeyConditionExpression=Key("pk").eq(f"PATIENT#{key}"), Limit=100)
        return [str(i["referral_id"]) for i in page.get("Items", [])]

    def get_referral(self, referral_id: str) -> ReferralRecord | None:
        item = self.table.get_item(
            Key={"pk": f"REFERRAL#{referral_id}", "sk": "REFERRAL"}, ConsistentRead=True
        ).get("Item")
        return ReferralRecord.model_validate(_from_item(item)) if item else None

    def update_referral(self, referral_id: str, **fields: Any) -> None:
        if not fields:
            return
        values = _to_item(fields)
        try:
            self.table.update_item(
                Key={"pk": f"REFERRAL#{referral_id}", "sk": "REFERRAL"},
                **_update(values),
                ConditionExpression=Attr("pk").exists(),
            )
        except ClientError as exc:
            if _is_conditional_failure(exc):
                raise NotFound(f"referral {referral_id} does not exist") from exc
            raise

    def change_documents(
        self,
        referral_id: str,
        change: Callable[[list[dict[str, Any]]], list[dict[str, Any]] | None],
    ) -> bool:
        """Replace the referral's ``documents`` with ``change(current)`` (None: leave them),
        optimistically: a version number makes two concurrent changes retry, never overwrite
        each other. True when they were changed."""
        key = {"pk": f"REFERRAL#{referral_id}", "sk": "REFERRAL"}
        for _ in range(10):
            item = self.table.get_item(Key=key, ConsistentRead=True).get("Item")
            if item is None:
                raise NotFound(f"referral {referral_id} does not exist")
            version = int(item.get("documents_version", 0))
            documents = _from_item(item).get("documents") or []
            changed = change(documents)
            if changed is None:
                return False
            condition = (
                Attr("documents_version").not_exists()
                if version == 0
                else Attr("documents_version").eq(version)
            )
            try:
                self.table.update_item(
                    Key=key,
                    **_update(_to_item({"documents": changed, "documents_version": version + 1})),
                    ConditionExpression=Attr("pk").exists() & condition,
                )
            except ClientError as exc:
                if _is_conditional_failure(exc):
                    continue  # changed meanwhile: read again
                raise
            return True
        raise Conflict(f"the documents of referral {referral_id} keep changing; retry")

    # ------------------------------------------------------------------ links
    def claim_link(
        self, key: str, referral_id: str, *, expires_at: datetime, replace: str | None = None
    ) -> str:
        """Make ``referral_id`` the open referral for match ``key``: only if nobody holds it,
        or, with ``replace``, only if that referral still holds it (one conditional put, so
        of two concurrent claims one wins). Returns who holds it after the attempt."""
        item_key = {"pk": f"LINK#{key}", "sk": "LINK"}
        for _ in range(3):
            condition = (
                Attr("pk").not_exists() if replace is None else Attr("referral_id").eq(replace)
            )
            try:
                self.table.put_item(
                    Item={
                        **item_key,
                        "referral_id": referral_id,
                        "expires_at": int(expires_at.timestamp()),
                    },
                    ConditionExpression=condition,
                )
            except ClientError as exc:
                if not _is_conditional_failure(exc):
                    raise
                holder = self.table.get_item(Key=item_key, ConsistentRead=True).get("Item")
                if holder is not None:
                    return str(holder["referral_id"])
                replace = None  # expired meanwhile: claim it afresh
                continue
            return referral_id
        raise Conflict("the link item keeps changing; retry")

    def _append_timeline(self, referral_id: str, event: TimelineEvent) -> None:
        item = _to_item(event.model_dump(mode="json"))
        item.update(
            pk=f"REFERRAL#{referral_id}", sk=f"EVENT#{iso(event.at)}#{uuid.uuid4().hex[:8]}"
        )
        self.table.put_item(Item=item)

    def record(
        self, referral_id: str, event: str, *, at: datetime, actor: str = "system", **detail: object
    ) -> None:
        """Append ``event`` to the referral's timeline (the one way services write it); an
        event the clinic hears about also stores its clinic status (``intake.clinic``)."""
        entry = TimelineEvent(at=at, event=event, actor=actor, detail=detail)
        self._append_timeline(referral_id, entry)
        status = status_for(referral_id, event, at, entry.detail)
        if status is not None:
            from intake.adapters.dynamodb_clinic import store_status

            store_status(self, status)

    def timeline(self, referral_id: str) -> list[TimelineEvent]:
        items = self._query_partition(referral_id, "EVENT#")
        return [TimelineEvent.from_stored(_from_item(i)) for i in items]

    # ------------------------------------------------------------------ tasks
    def put_task_if_new(self, task: TaskRecord) -> bool:
        return self._put_if_new(task_item(task))

    def get_task(self, task_id: str) -> TaskRecord | None:
        referral_id = referral_of_task(task_id)
        if referral_id is None:
            return None
        item = self.table.get_item(
            Key={"pk": f"REFERRAL#{referral_id}", "sk": f"TASK#{task_id}"}, ConsistentRead=True
        ).get("Item")
        return TaskRecord.model_validate(_from_item(item)) if item else None

    def update_task(
        self,
        task_id: str,
        fields: dict[str, Any],
        *,
        expect_status: set[str] | None = None,
        remove_from_work_queue: bool = False,
        workable_by: str | None = None,
        effect_pending: bool | None = None,
    ) -> TaskRecord:
        """Update a task; with ``expect_status`` only if its status is one of those, and with
        ``workable_by`` only if the task is open or claimed by that liaison. Both are checked
        by DynamoDB in the same write, so two liaisons racing cannot both win. With
        ``effect_pending`` True the task enters the reconciler's index (GSI2 ``EFFECT#pending``,
        by completion time) in this same write; False takes it out."""
        referral_id = referral_of_task(task_id)
        if referral_id is None:
            raise NotFound(f"task {task_id} does not exist")
        values = _to_item(fields)
        if "status" in values and not remove_from_work_queue:
            values["gsi1pk"] = f"TASKS#{values['status']}"
            if "due_at" in fields:  # back on the work queue (a completion undone)
                values["gsi1sk"] = f"{iso(fields['due_at'])}#{task_id}"
        remove: tuple[str, ...] = ("gsi1pk", "gsi1sk") if remove_from_work_queue else ()
        if effect_pending:
            since = fields.get("completed_at") or datetime.now(UTC)
            values.update(gsi2pk=PENDING_EFFECT, gsi2sk=f"{iso(since)}#{task_id}")
        elif effect_pending is False:
            remove = (*remove, "gsi2pk", "gsi2sk")
        condition = Attr("pk").exists()
        if expect_status:
            condition = condition & Attr("status").is_in(sorted(expect_status))
        if workable_by is not None:
            condition = condition & (Attr("status").eq("open") | Attr("claimed_by").eq(workable_by))
        try:
            result = self.table.update_item(
                Key={"pk": f"REFERRAL#{referral_id}", "sk": f"TASK#{task_id}"},
                **_update(values, remove),
                ConditionExpression=condition,
                ReturnValues="ALL_NEW",
            )
        except ClientError as exc:
            if not _is_conditional_failure(exc):
                raise
            current = self.get_task(task_id)
            if current is None:
                raise NotFound(f"task {task_id} does not exist") from exc
            raise Conflict(f"task {task_id} is {current.status.value}") from exc
        return TaskRecord.model_validate(_from_item(result["Attributes"]))

    def pending_effects(self, completed_before: datetime, limit: int = 100) -> list[TaskRecord]:
        """Completed tasks whose effect is still pending, completed before the given time
        (oldest first, at most ``limit``: the next run takes the rest)."""
        page = self.table.query(
            IndexName=PENDING_AUTH_INDEX,
            KeyConditionExpression=Key("gsi2pk").eq(PENDING_EFFECT)
            & Key("gsi2sk").lte(f"{iso(completed_before)}~"),
            Limit=limit,
        )
        return [TaskRecord.model_validate(_from_item(i)) for i in page.get("Items", [])]

    def open_tasks(self, status: str) -> list[TaskRecord]:
        items = query_all(
            self.table,
            IndexName=OPEN_TASKS_INDEX,
            KeyConditionExpression=Key("gsi1pk").eq(f"TASKS#{status}"),
        )
        return [TaskRecord.model_validate(_from_item(i)) for i in items]

    def tasks_of(self, referral_id: str) -> list[TaskRecord]:
        items = self._query_partition(referral_id, "TASK#")
        return [TaskRecord.model_validate(_from_item(i)) for i in items]

    # ------------------------------------------------------------------ authorizations
    def put_authorization(self, record: AuthorizationRecord) -> None:
        item = _to_item(record.model_dump(mode="json"))
        item.update(pk=f"REFERRAL#{record.referral_id}", sk=f"AUTH#{record.auth_id}")
        self.table.put_item(Item=item)

    def get_authorization(self, referral_id: str, auth_id: str) -> AuthorizationRecord | None:
        item = self.table.get_item(
            Key={"pk": f"REFERRAL#{referral_id}", "sk": f"AUTH#{auth_id}"}, ConsistentRead=True
        ).get("Item")
        return AuthorizationRecord.model_validate(_from_item(item)) if item else None

    def authorizations_of(self, referral_id: str) -> list[AuthorizationRecord]:
        items = self._query_partition(referral_id, "AUTH#")
        return [AuthorizationRecord.model_validate(_from_item(i)) for i in items]

    def update_authorization(
        self,
        referral_id: str,
        auth_id: str,
        fields: dict[str, Any],
        *,
        pending_until: datetime | None,
    ) -> None:
        """Update fields; ``pending_until`` puts the record in the poller's index (GSI2) due
        then, None takes it out."""
        values = _to_item(fields)
        if pending_until is not None:
            values.update(gsi2pk=PENDING_AUTH, gsi2sk=f"{iso(pending_until)}#{auth_id}")
        remove = ("gsi2pk", "gsi2sk") if pending_until is None else ()
        self.table.update_item(
            Key={"pk": f"REFERRAL#{referral_id}", "sk": f"AUTH#{auth_id}"},
            **_update(values, remove),
            ConditionExpression=Attr("pk").exists(),
        )

    def pending_authorizations(self, due_by: datetime) -> list[AuthorizationRecord]:
        items = query_all(
            self.table,
            IndexName=PENDING_AUTH_INDEX,
            KeyConditionExpression=Key("gsi2pk").eq(PENDING_AUTH)
            & Key("gsi2sk").lte(f"{iso(due_by)}~"),
        )
        return [AuthorizationRecord.model_validate(_from_item(i)) for i in items]

    # ------------------------------------------------------------------ estimates
    def put_estimate(self, referral_id: str, estimate: dict[str, Any]) -> int:
        """Store the next version (1, 2, …); never overwrites an earlier one."""
        for _ in range(5):
            versions = self.estimates(referral_id)
            version = (versions[-1]["version"] if versions else 0) + 1
            item = _to_item({**estimate, "version": version})
            item.update(pk=f"REFERRAL#{referral_id}", sk=f"ESTIMATE#v{version:04d}")
            try:
                self.table.put_item(Item=item, ConditionExpression=Attr("pk").not_exists())
            except ClientError as exc:
                if _is_conditional_failure(exc):
                    continue  # another writer took this version number
                raise
            return version
        raise Conflict(f"could not record an estimate version for {referral_id}")

    def estimates(self, referral_id: str) -> list[dict[str, Any]]:
        return [_from_item(i) for i in self._query_partition(referral_id, "ESTIMATE#")]
