"""Visits and the nurse roster in the one table.

A visit is ``REFERRAL#<id>`` / ``VISIT#<visit id>`` (its booking and, once documented, its
record: ``intake.visit``). The roster is one item, ``ROSTER`` / ``NURSES`` (the JSON text the
pharmacy keeps; a roster of a few hundred entries is far below the 400 KB item limit).

The clinic statuses read a documented visit's record for the prescriber's visit note
(``visit``: the record's stored fields, None until the visit is documented). The visit models
are imported where used, so that reader loads nothing of ``intake.visit``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Attr
from botocore.exceptions import ClientError

from intake.adapters.dynamodb_store import TableAdapter, _from_item, _to_item
from intake.core.errors import Conflict

if TYPE_CHECKING:
    from intake.visit.model import Visit
    from intake.visit.roster import Roster

ROSTER_KEY = {"pk": "ROSTER", "sk": "NURSES"}


class DynamoDbVisits(TableAdapter):
    def roster(self) -> Roster:
        from intake.visit.roster import Roster

        item = self.table.get_item(Key=ROSTER_KEY, ConsistentRead=True).get("Item")
        if not item:
            return Roster()
        return Roster.model_validate_json(str(item["roster"]))

    def save_roster(self, roster: Roster) -> None:
        """The roster as one JSON text (read back whole; no number conversions)."""
        self.table.put_item(Item={**ROSTER_KEY, "roster": roster.model_dump_json()})

    def _item(self, visit: Visit) -> dict[str, Any]:
        item = _to_item(visit.model_dump(mode="json"))
        item.update(pk=f"REFERRAL#{visit.referral_id}", sk=f"VISIT#{visit.visit_id}")
        return item

    def put_visit(self, visit: Visit) -> bool:
        return self._put_if_new(self._item(visit))

    def save_visit(self, visit: Visit, *, expect_status: str) -> None:
        try:
            self.table.put_item(
                Item=self._item(visit), ConditionExpression=Attr("status").eq(expect_status)
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise Conflict(f"visit {visit.visit_id} is no longer {expect_status}") from exc
            raise

    def _get(self, referral_id: str, visit_id: str) -> dict[str, Any] | None:
        item = self.table.get_item(
            Key={"pk": f"REFERRAL#{referral_id}", "sk": f"VISIT#{visit_id}"}, ConsistentRead=True
        ).get("Item")
        return _from_item(item) if item else None

    def get_visit(self, referral_id: str, visit_id: str) -> Visit | None:
        from intake.visit.model import Visit

        item = self._get(referral_id, visit_id)
        return Visit.model_validate(item) if item else None

    def visits_of(self, referral_id: str) -> list[Visit]:
        from intake.visit.model import Visit

        return [
            Visit.model_validate(_from_item(i))
            for i in self._query_partition(referral_id, "VISIT#")
        ]

    def visit(self, referral_id: str, visit_id: str) -> dict[str, Any] | None:
        """The documented visit's record as stored (for the prescriber's visit note), with the
        booked day; None when the visit is not documented (or not there)."""
        item = self._get(referral_id, visit_id)
        record = (item or {}).get("record")
        if not isinstance(record, dict):
            return None
        return {"day": item.get("day") if item else None, **record}
