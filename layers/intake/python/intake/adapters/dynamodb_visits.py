"""Visits and the nurse roster in the one table.

A visit is ``REFERRAL#<id>`` / ``VISIT#<visit id>`` (its booking and, once documented, its
record). The roster is one item, ``ROSTER`` / ``NURSES`` (the JSON text the pharmacy keeps;
a roster of a few hundred entries is far below the 400 KB item limit).
"""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Attr
from botocore.exceptions import ClientError

from intake.adapters.dynamodb_store import TableAdapter, _from_item, _to_item
from intake.core.errors import Conflict
from intake.visit.model import Visit
from intake.visit.roster import Roster

ROSTER_KEY = {"pk": "ROSTER", "sk": "NURSES"}


class DynamoDbVisits(TableAdapter):
    def roster(self) -> Roster:
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

    def get_visit(self, referral_id: str, visit_id: str) -> Visit | None:
        item = self.table.get_item(
            Key={"pk": f"REFERRAL#{referral_id}", "sk": f"VISIT#{visit_id}"}, ConsistentRead=True
        ).get("Item")
        return Visit.model_validate(_from_item(item)) if item else None

    def visits_of(self, referral_id: str) -> list[Visit]:
        return [
            Visit.model_validate(_from_item(i))
            for i in self._query_partition(referral_id, "VISIT#")
        ]
