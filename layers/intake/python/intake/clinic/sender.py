"""Deliver stored clinic statuses by the clinic's channel (the scheduled sender).

Per pending status (oldest first): a clinic that sent FHIR polls its Task, so the status is
``posted``; otherwise the one-page status is drawn, stored on the documents path where faxes go
out (``clinic/<referral>/<key>.pdf``) and faxed to the clinic's number. A referral that names no
fax number and did not come as FHIR is ``not_sent`` with why (nothing is guessed). A send that
fails is tried again on the next run; after ``MAX_ATTEMPTS`` the status is ``failed`` and a
``clinic_status_unsent`` task asks a person. A visit's note goes to the prescriber's fax the same
way when the visit record exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from intake.clinic.copy import ClinicCopy
from intake.clinic.model import ClinicStatusRecord, ClinicStatusState
from intake.clinic.ports import ClinicStatuses, DocumentStore, FaxProvider, VisitRecords
from intake.core.observability import logger
from intake.models.ports import ReferralStore
from intake.models.records import TaskType

MAX_ATTEMPTS = 5
"""Runs a failing send is tried (the schedule runs every 5 minutes: about 25 minutes)."""
FAILED_TASK_DUE = timedelta(hours=4)


class TaskOpener(Protocol):
    """What the sender needs of the task service (``TaskService.open_review_task``)."""

    def open_review_task(
        self,
        referral_id: str,
        task_type: TaskType,
        due_at: datetime,
        details: dict[str, Any],
        round_: int = 1,
    ) -> Any: ...


@dataclass
class ClinicSender:
    statuses: ClinicStatuses
    store: ReferralStore
    documents: DocumentStore
    fax: FaxProvider
    visits: VisitRecords
    tasks: TaskOpener
    render_status: Callable[[ClinicStatusRecord, ClinicCopy, datetime], bytes]
    render_note: Callable[[dict[str, Any], ClinicCopy, ClinicStatusRecord], bytes]
    clock: Callable[[], datetime]
    counts: dict[str, int] = field(default_factory=dict)

    def run(self, limit: int = 100) -> dict[str, int]:
        """One scheduled run: each pending status, one failure never stopping the others."""
        self.counts = {}
        for status in self.statuses.pending(limit):
            try:
                state = self.deliver(status)
            except Exception as exc:  # one status's failure never stops the others
                state = self._failed(status, type(exc).__name__)
            self.counts[state] = self.counts.get(state, 0) + 1
        return self.counts

    def deliver(self, status: ClinicStatusRecord) -> str:
        record = self.store.get_referral(status.referral_id)
        if record is None:
            return self._finish(status, ClinicStatusState.NOT_SENT, reason="no referral record")
        copy = ClinicCopy.of(record)
        now = self.clock()
        note = self._note(status, copy, now) if status.visit_note else {}
        if copy.fhir:
            return self._finish(status, ClinicStatusState.POSTED, channel="fhir", **note)
        if not copy.clinic_fax:
            return self._finish(
                status,
                ClinicStatusState.NOT_SENT,
                reason="the referral names no clinic fax number and did not come as FHIR",
                **note,
            )
        pdf = self.render_status(status, copy, now)
        uri = self.documents.put(
            f"clinic/{status.referral_id}/{status.key}.pdf", pdf, "application/pdf"
        )
        self.fax.send(copy.clinic_fax, uri, reference=f"{status.referral_id}/{status.key}")
        return self._finish(
            status, ClinicStatusState.SENT, channel="fax", document=uri, sent_at=now, **note
        )

    def _note(self, status: ClinicStatusRecord, copy: ClinicCopy, now: datetime) -> dict[str, Any]:
        """The visit note to the prescriber: sent, or not sent with why."""
        visit_id = status.detail.get("visit_id")
        visit = self.visits.visit(status.referral_id, str(visit_id)) if visit_id else None
        if visit is None:
            return {"note_state": "not_sent", "note_reason": "no visit record for this visit"}
        if not copy.prescriber_fax:
            return {"note_state": "not_sent", "note_reason": "the referral names no prescriber fax"}
        pdf = self.render_note(visit, copy, status)
        uri = self.documents.put(
            f"clinic/{status.referral_id}/visit-note-{visit_id}.pdf", pdf, "application/pdf"
        )
        self.fax.send(copy.prescriber_fax, uri, reference=f"{status.referral_id}/note/{visit_id}")
        return {"note_state": "sent", "note_document": uri}

    def _finish(self, status: ClinicStatusRecord, state: ClinicStatusState, **fields: Any) -> str:
        done = {"state": state, "attempts": status.attempts + 1, **fields}
        if self.statuses.update(status, done) is None:
            return "already_delivered"
        logger.info(
            "clinic status delivered",
            extra={"referral_id": status.referral_id, "status_key": status.key, "state": state},
        )
        return state.value

    def _failed(self, status: ClinicStatusRecord, error: str) -> str:
        attempts = status.attempts + 1
        logger.warning(
            "clinic status not sent",
            extra={"referral_id": status.referral_id, "status_key": status.key, "error": error},
        )
        if attempts < MAX_ATTEMPTS:
            kept = self.statuses.update(status, {"attempts": attempts, "reason": error})
            return "retry" if kept is not None else "already_delivered"
        failed = {"state": ClinicStatusState.FAILED, "attempts": attempts, "reason": error}
        if self.statuses.update(status, failed) is None:
            return "already_delivered"
        unsent = [
            s for s in self.statuses.of(status.referral_id) if s.state is ClinicStatusState.FAILED
        ]
        self.tasks.open_review_task(
            status.referral_id,
            TaskType.CLINIC_STATUS_UNSENT,
            self.clock() + FAILED_TASK_DUE,
            {
                "status_key": status.key,
                "milestone": status.milestone,
                "error_type": error,
                "document": status.document,
                "what_to_do": "fax the status by hand (or correct the clinic's fax number) and "
                "record it resolved",
            },
            round_=max(len(unsent), 1),
        )
        return ClinicStatusState.FAILED.value
