"""The nurse's visit records, read for the prescriber's visit note.

The visit record is issue 25 item 2's (another capability writes it); this reads the item
``REFERRAL#<id>`` / ``VISIT#<visit id>`` and returns its stored fields. Until that capability
stores visits there, no record is found and the note is recorded ``not_sent`` with why.
"""

from __future__ import annotations

from typing import Any

from intake.adapters.dynamodb_store import TableAdapter, _from_item


class DynamoDbVisits(TableAdapter):
    def visit(self, referral_id: str, visit_id: str) -> dict[str, Any] | None:
        item = self.table.get_item(
            Key={"pk": f"REFERRAL#{referral_id}", "sk": f"VISIT#{visit_id}"}, ConsistentRead=True
        ).get("Item")
        return _from_item(item) if item else None
