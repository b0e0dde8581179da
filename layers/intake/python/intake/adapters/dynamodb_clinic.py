"""Clinic statuses in the one table (``intake.clinic``).

==========================  =====================  ==========================  =================
item                        pk                     sk                          index keys
==========================  =====================  ==========================  =================
clinic status               REFERRAL#<id>          CLINIC#<status key>         while pending:
                                                                               gsi2pk=CLINIC#pending
                                                                               gsi2sk=<at>#<id>#<key>
a clinic's own reference    CLINICREF#<clinic>     <clinic reference>          (``referral_id``)
==========================  =====================  ==========================  =================

A status is written with a conditional put on its idempotency key: a duplicate event (a
redelivered step, a retried Lambda) writes nothing. GSI2 is sparse as for authorizations: the
scheduled sender reads only the statuses still to deliver.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from intake.adapters.dynamodb_store import (
    PENDING_AUTH_INDEX,
    DynamoDbStore,
    TableAdapter,
    _from_item,
    _is_conditional_failure,
    _to_item,
    _update,
)
from intake.clinic.model import RECEIVED, ClinicStatusRecord, ClinicStatusState, clinic_reference
from intake.core.clock import iso

PENDING_STATUS = "CLINIC#pending"


def _key(referral_id: str, key: str) -> dict[str, str]:
    return {"pk": f"REFERRAL#{referral_id}", "sk": f"CLINIC#{key}"}


class DynamoDbClinicStatuses(TableAdapter):
    """``ClinicStatuses`` over the one table."""

    def put_if_new(self, status: ClinicStatusRecord) -> bool:
        """Store ``status`` unless one with its key is stored (then False: a duplicate)."""
        item = _to_item(status.model_dump(mode="json"))
        item.update(_key(status.referral_id, status.key))
        if status.state is ClinicStatusState.PENDING:
            item.update(
                gsi2pk=PENDING_STATUS,
                gsi2sk=f"{iso(status.at)}#{status.referral_id}#{status.key}",
            )
        return self._put_if_new(item)

    def of(self, referral_id: str) -> list[ClinicStatusRecord]:
        """The referral's statuses, oldest first."""
        items = self._query_partition(referral_id, "CLINIC#")
        found = [ClinicStatusRecord.model_validate(_from_item(i)) for i in items]
        return sorted(found, key=lambda s: (s.at, s.key))

    def pending(self, limit: int = 100) -> list[ClinicStatusRecord]:
        """Statuses not yet delivered, oldest first (at most ``limit``: the next run takes the
        rest)."""
        page = self.table.query(
            IndexName=PENDING_AUTH_INDEX,
            KeyConditionExpression=Key("gsi2pk").eq(PENDING_STATUS),
            Limit=limit,
        )
        return [ClinicStatusRecord.model_validate(_from_item(i)) for i in page.get("Items", [])]

    def update(
        self, status: ClinicStatusRecord, fields: dict[str, Any]
    ) -> ClinicStatusRecord | None:
        """Set ``fields`` on a stored status; it leaves the pending index once its state is no
        longer pending. Only a pending status changes: None when it was no longer pending."""
        values = _to_item({k: v for k, v in fields.items()})
        still_pending = fields.get("state", status.state) == ClinicStatusState.PENDING
        remove = () if still_pending else ("gsi2pk", "gsi2sk")
        try:
            self.table.update_item(
                Key=_key(status.referral_id, status.key),
                ConditionExpression=Attr("state").eq(ClinicStatusState.PENDING.value),
                **_update(values, remove),
            )
        except ClientError as exc:
            if _is_conditional_failure(exc):
                return None
            raise
        return status.model_copy(update=fields)

    def put_reference(self, clinic: str, reference: str, referral_id: str, at: datetime) -> bool:
        """Name the referral behind a clinic's own reference (the first one keeps it)."""
        return self._put_if_new(
            {
                "pk": f"CLINICREF#{clinic}",
                "sk": reference,
                "referral_id": referral_id,
                "created_at": iso(at),
            }
        )

    def referral_for(self, clinic: str, reference: str) -> str | None:
        item = self.table.get_item(
            Key={"pk": f"CLINICREF#{clinic}", "sk": reference}, ConsistentRead=True
        ).get("Item")
        return str(item["referral_id"]) if item else None


def store_status(store: DynamoDbStore, status: ClinicStatusRecord) -> bool:
    """The hook of ``DynamoDbStore.record``: store a milestone's status once (False: a duplicate
    event). The first status of a referral also names it under the clinic's own reference (one
    read of the referral and one conditional write, once per referral), for the clinic's poll."""
    statuses = DynamoDbClinicStatuses(store._table_name, store.table)
    if not statuses.put_if_new(status):
        return False
    if status.milestone == RECEIVED:
        record = store.get_referral(status.referral_id)
        owner = clinic_reference(record) if record is not None else None
        if owner is not None:
            statuses.put_reference(*owner, status.referral_id, status.at)
    return True
