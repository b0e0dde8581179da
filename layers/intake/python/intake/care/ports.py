"""What the care package needs from the table (``intake.adapters.dynamodb_assessments``)."""

from __future__ import annotations

from typing import Protocol

from intake.care.model import AssessmentRecord


class AssessmentStore(Protocol):
    def put_assessment(self, record: AssessmentRecord) -> AssessmentRecord: ...
    def assessments(self, referral_id: str) -> list[AssessmentRecord]: ...
