"""Finishing a referral a liaison completed: the draft plus their fields, validated, starts
the same workflow a clean upload starts. Still invalid or implausible → 400 with each problem;
the task stays open."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError

from intake.core.clock import utcnow
from intake.core.errors import InvalidRequest
from intake.models.draft import complete_draft
from intake.models.ports import ReferralStore, Workflow
from intake.models.problems import explain
from intake.models.records import ReferralStatus, ReviewOutcome, TaskRecord
from intake.models.task_details import CompleteReferralDetails
from intake.referrals.plausibility import plausibility_problems
from intake.tasks.service import Completion


@dataclass
class DraftCompletion:
    store: ReferralStore
    workflow: Workflow
    clock: Callable[[], datetime] = utcnow

    def __call__(self, task: TaskRecord, completion: Completion) -> Callable[[], None] | None:
        """Validate the completed draft now (refusing leaves the task open); return the step
        that records it and starts the workflow, run only once this completion has won."""
        if completion.outcome != ReviewOutcome.RESOLVED.value:
            return None
        record = self.store.get_referral(task.referral_id)
        legacy = task.details_as(CompleteReferralDetails).draft  # stored before drafts moved
        draft = (record.draft if record is not None else None) or legacy or {}
        try:
            referral = complete_draft(draft, completion.corrections or {})
        except ValidationError as exc:
            raise InvalidRequest(
                "the referral is still incomplete: " + "; ".join(explain(exc))
            ) from exc
        uploaded = record.uploaded_at if record is not None else self.clock()
        if referral.received_at is None:
            referral = referral.model_copy(update={"received_at": uploaded})
        doubts = plausibility_problems(referral, received_at=uploaded)
        if doubts:
            raise InvalidRequest("the referral is still implausible: " + "; ".join(doubts))

        def start() -> None:
            """Record the referral, start its workflow, then drop the draft. If the start
            fails the referral goes back to review (the task is reopened by the caller), the
            draft still there for the retry."""
            now = self.clock()
            self.store.update_referral(
                task.referral_id,
                referral=referral.model_dump(mode="json"),
                status=ReferralStatus.IN_PROGRESS.value,
                stage="welcome call",
                problems=[],
                execution_name=task.referral_id,
                updated_at=now,
            )
            try:
                started = self.workflow.start(
                    task.referral_id,
                    {"referral_id": task.referral_id, "uploaded_at": uploaded.isoformat()},
                )
            except Exception:
                self.store.update_referral(
                    task.referral_id,
                    status=ReferralStatus.IN_REVIEW.value,
                    stage="waiting for a liaison to complete missing fields",
                    problems=record.problems if record is not None else [],
                    updated_at=self.clock(),
                )
                raise
            self.store.update_referral(task.referral_id, draft=None, fields_missing=[])
            self.store.record(
                task.referral_id,
                "referral_completed",
                at=now,
                actor=completion.liaison,
                fields=sorted(completion.corrections or {})[:50],
            )
            if started:
                self.store.record(task.referral_id, "workflow_requested", at=self.clock())

        return start
