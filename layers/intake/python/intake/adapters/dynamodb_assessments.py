"""Assessment versions in the one table (``REFERRAL#<id>`` / ``ASSESSMENT#v<nnnn>``): each
submission is the next version, written with a conditional put, never over an earlier one."""

from __future__ import annotations

from intake.adapters.dynamodb_store import TableAdapter, _from_item, _to_item
from intake.care.model import AssessmentRecord
from intake.core.errors import Conflict

PREFIX = "ASSESSMENT#v"


class DynamoDbAssessments(TableAdapter):
    """``AssessmentStore`` over the table."""

    def put_assessment(self, record: AssessmentRecord) -> AssessmentRecord:
        """Store ``record`` as the next version (1, 2, …) and return it with that version."""
        for _ in range(5):
            versions = self.assessments(record.referral_id)
            stored = record.model_copy(update={"version": len(versions) + 1})
            item = _to_item(stored.model_dump(mode="json"))
            item.update(pk=f"REFERRAL#{record.referral_id}", sk=f"{PREFIX}{stored.version:04d}")
            if self._put_if_new(item):
                return stored
        raise Conflict(f"could not record an assessment version for {record.referral_id}")

    def assessments(self, referral_id: str) -> list[AssessmentRecord]:
        return [
            AssessmentRecord.model_validate(_from_item(i))
            for i in self._query_partition(referral_id, PREFIX)
        ]
