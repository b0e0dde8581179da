"""Prior authorization in the workflow: decide, build and submit the packet, wait for the
payer without holding a thread, poll on a schedule, and act on the decision.

The workflow waits on a task token kept with the authorization record; the record sits in a
sparse index (GSI2 ``AUTH#pending``) only while a decision is awaited, so the scheduled poller
reads just the live ones. A decision that arrives after the workflow stopped waiting (its
token expired at the CMS window) is still recorded and handed to a person; a payer that errors
during polling leaves the record pending, with its failures counted and the next poll backed off.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from pydantic import BaseModel

from intake.clearinghouse import ClearinghouseError, ClearinghouseGateway, ClearinghouseUnavailable
from intake.clock import utcnow
from intake.eligibility import PayerUnavailable, stored_summary
from intake.errors import NotFound
from intake.estimate import summary_from_json
from intake.models.records import AuthorizationRecord, ReferralRecord, TaskType
from intake.models.referral import Referral
from intake.observability import logger, metrics
from intake.ports import ReferralStore, Workflow
from intake.prior_auth import (
    Pharmacy,
    build_appeal_pdf,
    build_packet,
    decide_prior_auth,
    status_inquiry,
)
from intake.tasks import TaskPlan, TaskService
from intake.x12.t278 import AuthDecision, build_278_inquiry, interpret_278_response

FOLLOWUP_SLA = timedelta(hours=24)
POLL_FAILURES_BEFORE_A_PERSON = 4
LATE_DECISION_ROUND = 2  # its own task, beside the round-1 follow-up opened at the deadline


class PaStep(BaseModel):
    """What a prior-authorization step hands the state machine (``$.prior_auth``): every
    field always present, so no path is optional."""

    route: Literal["proceed", "await", "task"]
    status: str
    auth_id: str | None = None
    wait_seconds: int | None = None
    task: TaskPlan | None = None


class AuthorizationStore(ReferralStore, Protocol):
    def put_authorization(self, record: AuthorizationRecord) -> None: ...
    def get_authorization(self, referral_id: str, auth_id: str) -> AuthorizationRecord | None: ...
    def update_authorization(
        self,
        referral_id: str,
        auth_id: str,
        fields: dict[str, Any],
        *,
        pending_until: datetime | None,
    ) -> None: ...
    def pending_authorizations(self, due_by: datetime) -> list[AuthorizationRecord]: ...


class PacketDocuments(Protocol):
    def put(self, key: str, body: bytes, content_type: str) -> str: ...
    def get(self, uri: str) -> bytes: ...
    def original(self, record: ReferralRecord) -> bytes | None: ...


@dataclass(frozen=True)
class PollReport:
    checked: int = 0
    decided: int = 0
    still_pending: int = 0
    failed: int = 0
    late_decisions: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass
class PriorAuthorizations:
    store: AuthorizationStore
    gateway: ClearinghouseGateway
    documents: PacketDocuments
    workflow: Workflow
    tasks: TaskService
    pharmacy: Pharmacy
    decision_window: timedelta = timedelta(days=7)  # CMS standard; expedited is 72 hours
    poll_interval: timedelta = timedelta(minutes=15)
    clock: Callable[[], datetime] = utcnow

    # ------------------------------------------------------------------ workflow steps
    def submit(self, referral_id: str) -> PaStep:
        record, referral = self._referral(referral_id)
        benefits = summary_from_json(stored_summary(record.benefits or {}))
        decision = decide_prior_auth(referral, benefits)
        now = self.clock()
        if not decision.required:
            self.store.update_referral(
                referral_id,
                prior_auth={"required": False, "reasons": decision.reasons},
                updated_at=now,
            )
            self.store.record(
                referral_id, "prior_auth_not_required", at=self.clock(), reasons=decision.reasons
            )
            return PaStep(route="proceed", status="not_required")
        packet = build_packet(
            referral,
            benefits,
            decision,
            pharmacy=self.pharmacy,
            now=now,
            original_document=self.documents.original(record),
            original_name=record.source.key.rsplit("/", 1)[-1],
        )
        auth_id = packet.trace_number
        folder = f"prior-auth/{referral_id}/{auth_id}"
        uris = {
            "pdf": self.documents.put(f"{folder}/packet.pdf", packet.pdf, "application/pdf"),
            "x12": self.documents.put(
                f"{folder}/request.278", packet.x12_278.encode(), "application/edi-x12"
            ),
            "pas": self.documents.put(
                f"{folder}/pas-bundle.json",
                json.dumps(packet.pas_bundle).encode(),
                "application/fhir+json",
            ),
        }
        try:
            reply = self.gateway.submit_prior_auth(packet.x12_278, correlation_id=referral_id)
        except ClearinghouseUnavailable as exc:
            self.store.record(
                referral_id,
                "prior_auth_submission_deferred",
                at=self.clock(),
                reason=exc.last_reason,
            )
            raise PayerUnavailable(f"payer unavailable for the 278 ({exc.last_reason})") from exc
        answer = interpret_278_response(reply.x12)
        auth = AuthorizationRecord(
            referral_id=referral_id,
            auth_id=auth_id,
            status=answer.status,
            payer_id=referral.insurance.payer_id,
            reasons=decision.reasons,
            documentation=decision.documentation,
            packet=uris,
            submitted_at=now,
            deadline_at=now + self.decision_window,
            decision=answer.model_dump(mode="json"),
        )
        self.store.put_authorization(auth)
        self.store.record(
            referral_id,
            "prior_auth_submitted",
            at=self.clock(),
            auth_id=auth_id,
            answer=answer.status,
        )
        metrics.add_metric(name=f"PriorAuth_{answer.status}", unit="Count", value=1)
        if answer.status == "pended":
            self._summarize(referral_id, auth, "pended")
            return PaStep(
                route="await",
                status="pended",
                auth_id=auth_id,
                wait_seconds=max(1, int((auth.deadline_at - now).total_seconds())),
            )
        return self._decided(referral, auth, answer, now)

    def register_wait(self, referral_id: str, auth_id: str, task_token: str) -> dict[str, Any]:
        """Keep the workflow's token with the authorization and put it in the poller's index."""
        auth = self._authorization(referral_id, auth_id)
        next_poll = self.clock() + self.poll_interval
        self.store.update_authorization(
            referral_id,
            auth_id,
            {"task_token": task_token, "next_poll_at": next_poll},
            pending_until=next_poll,
        )
        self.store.record(
            referral_id,
            "prior_auth_waiting",
            at=self.clock(),
            auth_id=auth_id,
            deadline=auth.deadline_at.isoformat(),
        )
        return {"registered": True}

    def overdue(self, referral_id: str, auth_id: str) -> PaStep:
        """Pended past the decision window: a person calls the payer. Polling continues; a
        late decision is recorded and reaches the person too."""
        auth = self._authorization(referral_id, auth_id)
        now = self.clock()
        self.store.record(
            referral_id,
            "prior_auth_overdue",
            at=self.clock(),
            auth_id=auth_id,
            deadline=auth.deadline_at.isoformat(),
        )
        metrics.add_metric(name="PriorAuthOverdue", unit="Count", value=1)
        details = {
            "auth_id": auth_id,
            "reason": "pended past the payer's decision window",
            "deadline": auth.deadline_at.isoformat(),
            "packet": auth.packet,
        }
        return PaStep(
            route="task",
            status="pended",
            auth_id=auth_id,
            task=TaskPlan.due_in(TaskType.PRIOR_AUTH_FOLLOWUP, FOLLOWUP_SLA, now, details),
        )

    def payer_down(self, referral_id: str) -> PaStep:
        """The 278 could not be sent through all retries: a person faxes the stored packet."""
        now = self.clock()
        self.store.record(
            referral_id, "prior_auth_submission_failed", at=self.clock(), reason="payer unavailable"
        )
        details = {
            "reason": "the payer did not accept the electronic request; fax the packet",
            "packet_folder": f"prior-auth/{referral_id}/",
        }
        return PaStep(
            route="task",
            status="not_submitted",
            task=TaskPlan.due_in(TaskType.PRIOR_AUTH_FOLLOWUP, FOLLOWUP_SLA, now, details),
        )

    # ------------------------------------------------------------------ the scheduled poller
    def poll(self) -> PollReport:
        now = self.clock()
        checked = decided = pending = failed = late = 0
        for auth in self.store.pending_authorizations(now):
            checked += 1
            try:
                outcome = self._act_on(auth, self._inquire(auth, now), now)
            except Exception as exc:  # one bad record must not stop the others; it stays pending
                if not isinstance(exc, ClearinghouseError):
                    logger.exception(
                        "polling an authorization failed", extra={"auth_id": auth.auth_id}
                    )
                failed += 1
                self._poll_failed(auth, now, exc)
                continue
            decided += outcome != "pending"
            pending += outcome == "pending"
            late += outcome == "late"
        report = PollReport(checked, decided, pending, failed, late)
        logger.info("authorizations polled", extra=report.as_dict())
        return report

    def _act_on(self, auth: AuthorizationRecord, answer: AuthDecision, now: datetime) -> str:
        """Record a polled answer; resume the workflow on a decision. Returns pending,
        decided or late (decided after the workflow stopped waiting)."""
        if answer.status == "pended":
            next_poll = now + self.poll_interval
            self.store.update_authorization(
                auth.referral_id,
                auth.auth_id,
                {"polls": auth.polls + 1, "next_poll_at": next_poll, "poll_failures": 0},
                pending_until=next_poll,
            )
            return "pending"
        _, referral = self._referral(auth.referral_id)
        step = self._decided(referral, auth, answer, now, polls=auth.polls + 1)
        # Past the window the workflow stopped waiting (its wait timed out into a follow-up
        # task): its token is dead whether or not the engine says so. Before it, a token the
        # engine refuses (TaskTimedOut, InvalidToken) is dead too.
        waiting = auth.task_token is not None and now < auth.deadline_at
        if not waiting or not self.workflow.resume(
            auth.task_token or "", step.model_dump(mode="json")
        ):
            self._decided_late(auth, answer, now)
            return "late"
        return "decided"

    # ------------------------------------------------------------------ internals
    def _inquire(self, auth: AuthorizationRecord, now: datetime) -> AuthDecision:
        _, referral = self._referral(auth.referral_id)
        inquiry = status_inquiry(
            referral,
            self.pharmacy,
            trace_number=f"{auth.auth_id[:20]}Q{auth.polls + 1}",
            original_trace=auth.auth_id,
            event_start=referral.therapy.start_date or auth.submitted_at.date(),
            review_number=(auth.decision or {}).get("review_number") or "",
        )
        reply = self.gateway.submit_prior_auth(
            build_278_inquiry(inquiry, now=now), correlation_id=auth.referral_id
        )
        return interpret_278_response(reply.x12)

    def _poll_failed(self, auth: AuthorizationRecord, now: datetime, exc: Exception) -> None:
        failures = auth.poll_failures + 1
        next_poll = now + self.poll_interval * (2 ** min(failures, 3))
        self.store.update_authorization(
            auth.referral_id,
            auth.auth_id,
            {
                "poll_failures": failures,
                "last_poll_error": type(exc).__name__,
                "next_poll_at": next_poll,
            },
            pending_until=next_poll,
        )
        logger.warning(
            "status inquiry failed", extra={"auth_id": auth.auth_id, "failures": failures}
        )
        if failures == POLL_FAILURES_BEFORE_A_PERSON:
            self.store.record(
                auth.referral_id,
                "prior_auth_polling_failing",
                at=self.clock(),
                auth_id=auth.auth_id,
                failures=failures,
            )
            self.tasks.open_review_task(
                auth.referral_id,
                TaskType.PRIOR_AUTH_FOLLOWUP,
                now + FOLLOWUP_SLA,
                {
                    "auth_id": auth.auth_id,
                    "reason": "status inquiries to the payer keep failing",
                    "error": type(exc).__name__,
                },
            )

    def _decided(
        self,
        referral: Referral,
        auth: AuthorizationRecord,
        answer: AuthDecision,
        now: datetime,
        polls: int = 0,
    ) -> PaStep:
        referral_id = auth.referral_id
        fields: dict[str, Any] = {
            "status": answer.status,
            "decision": answer.model_dump(mode="json"),
            "decided_at": now,
            "polls": polls,
        }
        if answer.status == "denied":
            packet_pdf = self.documents.get(auth.packet["pdf"])
            appeal = build_appeal_pdf(referral, answer, packet_pdf, pharmacy=self.pharmacy, now=now)
            fields["appeal"] = self.documents.put(
                f"prior-auth/{referral_id}/{auth.auth_id}/appeal.pdf", appeal, "application/pdf"
            )
        self.store.update_authorization(referral_id, auth.auth_id, fields, pending_until=None)
        updated = auth.model_copy(update=fields)
        self._summarize(referral_id, updated, answer.status)
        self.store.record(
            referral_id,
            f"prior_auth_{answer.status}",
            at=self.clock(),
            auth_id=auth.auth_id,
            certification=answer.certification_number,
            reason=answer.reason,
        )
        if answer.status == "certified":
            return PaStep(route="proceed", status="certified", auth_id=auth.auth_id)
        kind = (
            TaskType.APPEAL_OR_ALTERNATIVES
            if answer.status == "denied"
            else TaskType.PRIOR_AUTH_FOLLOWUP
        )
        details = {
            "auth_id": auth.auth_id,
            "decision": answer.status,
            "reason": answer.reason,
            "reason_code": answer.reason_code,
            "appeal": fields.get("appeal"),
            "packet": auth.packet,
            "suggest": "offer financial assistance and therapy alternatives"
            if answer.status == "denied"
            else None,
        }
        return PaStep(
            route="task",
            status=answer.status,
            auth_id=auth.auth_id,
            task=TaskPlan.due_in(kind, FOLLOWUP_SLA, now, details),
        )

    def _decided_late(self, auth: AuthorizationRecord, answer: AuthDecision, now: datetime) -> None:
        """The workflow stopped waiting (its token expired): keep the decision and tell a person."""
        self.store.update_authorization(
            auth.referral_id, auth.auth_id, {"token_expired": True}, pending_until=None
        )
        self.store.record(
            auth.referral_id,
            "prior_auth_decided_late",
            at=self.clock(),
            auth_id=auth.auth_id,
            answer=answer.status,
        )
        self.tasks.open_review_task(
            auth.referral_id,
            TaskType.PRIOR_AUTH_FOLLOWUP,
            now + FOLLOWUP_SLA,
            {
                "auth_id": auth.auth_id,
                "reason": f"the payer decided after the window: {answer.status}",
                "certification_number": answer.certification_number,
                "decision_reason": answer.reason,
            },
            round_=LATE_DECISION_ROUND,
        )

    def _summarize(self, referral_id: str, auth: AuthorizationRecord, status: str) -> None:
        self.store.update_referral(
            referral_id,
            updated_at=self.clock(),
            prior_auth={
                "required": True,
                "auth_id": auth.auth_id,
                "status": status,
                "packet": auth.packet,
                "appeal": auth.appeal,
                "certification_number": (auth.decision or {}).get("certification_number"),
                "effective_from": (auth.decision or {}).get("effective_from"),
                "effective_to": (auth.decision or {}).get("effective_to"),
                "reason": (auth.decision or {}).get("reason"),
            },
        )

    def _referral(self, referral_id: str) -> tuple[ReferralRecord, Referral]:
        record = self.store.get_referral(referral_id)
        if record is None or record.referral is None:
            raise NotFound(f"referral {referral_id} does not exist or is not validated")
        return record, record.referral

    def _authorization(self, referral_id: str, auth_id: str) -> AuthorizationRecord:
        auth = self.store.get_authorization(referral_id, auth_id)
        if auth is None:
            raise NotFound(f"authorization {auth_id} of {referral_id} does not exist")
        return auth
