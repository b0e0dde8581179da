"""Prior authorization in the workflow: decide, build and submit the packet, wait for the
payer without holding a thread, poll on a schedule, and act on the decision.

The workflow waits on a task token kept with the authorization record; the record sits in a
sparse index (GSI2 ``AUTH#pending``) only while a decision is awaited, so the scheduled poller
reads just the live ones. A decision that arrives after the workflow stopped waiting (its
token expired at the CMS window) is still recorded and handed to a person; a payer that errors
during polling leaves the record pending, with its failures counted and the next poll backed off.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal, Protocol

from pydantic import BaseModel

from intake.authorization.coverage import drug_key, planned_doses, requested_plan, uncovered
from intake.authorization.packet import (
    PaDecision,
    Pharmacy,
    build_appeal_pdf,
    build_packet,
    decide_prior_auth,
    status_inquiry,
)
from intake.authorization.packet.criteria import EvidenceReport
from intake.authorization.task_outcomes import apply_therapy_corrections
from intake.clearinghouse import ClearinghouseError, ClearinghouseGateway, ClearinghouseUnavailable
from intake.core.clock import utcnow
from intake.core.errors import NotFound
from intake.core.observability import logger, metrics
from intake.eligibility.service import PayerUnavailable, stored_summary
from intake.estimate import summary_from_json
from intake.models.dates import planned, received_at
from intake.models.ports import ReferralStore, Workflow
from intake.models.records import (
    AuthorizationRecord,
    AuthTaskOutcome,
    ReferralRecord,
    TaskRecord,
    TaskType,
)
from intake.models.referral import Referral
from intake.tasks.service import TaskPlan, TaskService
from intake.therapy import ServicePlan
from intake.therapy.plan import from_day
from intake.x12.t278 import AuthDecision, build_278_inquiry, interpret_278_response
from intake.x12.t278.decision import LineDecision

FOLLOWUP_SLA = timedelta(hours=24)
POLL_FAILURES_BEFORE_A_PERSON = 4
MAX_EXTENSIONS = 3
"""Requests for doses earlier certifications left uncovered, before a person takes over."""

Gate = Literal["waiting", "passed", "self_pay", "declined"]
"""The authorization gate: the cost and scheduling calls run only once it is ``passed`` (or
``self_pay``, the patient paying); ``declined`` closes the referral."""

TASK_FOR_STATUS: dict[str, TaskType] = {
    "partial": TaskType.ACCEPT_OR_APPEAL,
    "modified": TaskType.ACCEPT_OR_APPEAL,
    "denied": TaskType.APPEAL_OR_ALTERNATIVES,
}
"""Who acts on an answer that is not a plain certification (else: a follow-up with the payer)."""


class PaStep(BaseModel):
    """What a prior-authorization step hands the state machine (``$.prior_auth``): every
    field always present, so no path is optional."""

    route: Literal["proceed", "await", "task", "conclude"]
    status: str
    auth_id: str | None = None
    wait_seconds: int | None = None
    task: TaskPlan | None = None
    coverage: Literal["insurance", "self_pay"] = "insurance"


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
    def authorizations_of(self, referral_id: str) -> list[AuthorizationRecord]: ...


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
    inquiry_budget: int = 40
    """Paid status inquiries per request before a person calls the payer instead."""
    poll_concurrency: int = 32
    records_sla: timedelta = timedelta(hours=48)
    """How long the clinic has to send records before the task is escalated."""
    clock: Callable[[], datetime] = utcnow

    # ------------------------------------------------------------------ workflow steps
    def submit(self, referral_id: str, *, network_checked: bool = False) -> PaStep:
        """Decide whether authorization (or a network exception) is needed and file it.
        Everything is planned from the receipt date: a start in the past is asked for from
        the day we received the referral."""
        record, referral = self._planned(referral_id)
        benefits = summary_from_json(stored_summary(record.benefits or {}))
        decision = decide_prior_auth(referral, benefits)
        now = self.clock()
        if decision.network_exception and not network_checked:
            return self._network_exception(record, decision, now)
        if not decision.required:
            self._gate(referral_id, "passed", required=False, reasons=decision.reasons)
            self.store.record(
                referral_id, "prior_auth_not_required", at=self.clock(), reasons=decision.reasons
            )
            return PaStep(route="proceed", status="not_required")
        report = self.evidence(record, referral)
        waived = set(((record.prior_auth or {}).get("evidence_waiver") or {}).get("items") or ())
        unmet = [e.id for e in report.unmet]
        if unmet and not set(unmet) <= waived:
            return self._ask_clinic(record, referral, report)
        if self._needs_signature(record, referral):
            return self._ask_signature(record, referral, decision, report)
        return self._file(record, referral, decision, kind="initial", evidence=report)

    # ------------------------------------------------------------------ the prescriber signs
    def _needs_signature(self, record: ReferralRecord, referral: Referral) -> bool:
        """The payer wants the letter signed by the prescriber (``accepts_unsigned_summary``
        false in criteria.json) and no signature (or decision to send unsigned) is recorded."""
        from intake.authorization.packet.criteria import criteria_table

        if criteria_table().payer(referral.insurance.payer_id).accepts_unsigned_summary:
            return False
        return not (record.prior_auth or {}).get("signature")

    def _ask_signature(
        self,
        record: ReferralRecord,
        referral: Referral,
        decision: PaDecision,
        report: EvidenceReport,
    ) -> PaStep:
        """Fax the letter to the prescriber with a return cover, and wait for it signed (a
        task with an SLA and escalation, as for the clinic's records)."""
        from intake.authorization.packet.packet import signature_request_pdf

        referral_id = record.referral_id
        now = self.clock()
        round_ = self._next_round(referral_id, TaskType.PRESCRIBER_SIGNATURE)
        request_id = f"SG{referral_id[:8].upper()}{round_}"
        pdf = signature_request_pdf(
            referral,
            summary_from_json(stored_summary(record.benefits or {})),
            decision,
            pharmacy=self.pharmacy,
            evidence=report,
            waiver=(record.prior_auth or {}).get("evidence_waiver"),
            plan=requested_plan(referral),
            now=now,
            received_on=received_at(record).date(),
            request_id=request_id,
        )
        uri = self.documents.put(
            f"prior-auth/{referral_id}/signature-request-{round_}.pdf", pdf, "application/pdf"
        )
        self._update_summary(
            referral_id, required=True, status="signature_requested", signature_request=uri
        )
        self.store.record(referral_id, "signature_requested", at=now, request=uri)
        details = {
            "reason": "the payer requires the letter of medical necessity signed by the "
            "prescriber; it was faxed with a return cover",
            "signature_request": uri,
            "prescriber_fax": referral.prescriber.fax,
            "ask": "record 'signed' once it is back (corrections {\"signed_letter\": "
            '"s3://..."}: the signed copy goes into the packet in place of the draft), or '
            "'send_unsigned' with the reason in the note",
        }
        return PaStep(
            route="task",
            status="signature_requested",
            task=TaskPlan.due_in(
                TaskType.PRESCRIBER_SIGNATURE, self.records_sla, now, details, round_=round_
            ),
        )

    def _signature_resolved(
        self, referral_id: str, outcome: str, task: TaskRecord | None
    ) -> PaStep:
        now = self.clock()
        signed = outcome == AuthTaskOutcome.SIGNED
        copy = ((task.corrections if task else None) or {}).get("signed_letter")
        self._update_summary(
            referral_id,
            signature={
                "status": "signed" if signed else "unsigned",
                "document": copy if signed else None,
                "reason": None if signed else ((task.note if task else None) or ""),
                "by": task.completed_by if task else None,
                "at": now.isoformat(),
            },
        )
        self.store.record(
            referral_id, "letter_signed" if signed else "letter_sent_unsigned", at=now
        )
        return self.submit(referral_id, network_checked=True)

    # ------------------------------------------------------------------ evidence first
    def evidence(self, record: ReferralRecord, referral: Referral) -> EvidenceReport:
        """The drug's criteria at this payer, searched in the referral and in every upload
        the clinic sent later that was linked to it (oldest first)."""
        from intake.authorization.packet.criteria import Source, evaluate

        linked: list[Source] = []
        for doc in record.documents or []:
            other = self.store.get_referral(doc.referral_id)
            if other is not None and other.referral is not None:
                when = doc.uploaded_at.date().isoformat()
                linked.append(
                    Source(f"records received {when} ({other.referral_id[:8]})", other.referral)
                )
        return evaluate(referral, received_on=received_at(record).date(), linked=linked)

    def _ask_clinic(
        self,
        record: ReferralRecord,
        referral: Referral,
        report: EvidenceReport,
        *,
        auth_id: str | None = None,
    ) -> PaStep:
        """Evidence is missing or too old: fax the clinic exactly what is needed and wait
        (a task with an SLA; a linked upload from the clinic or a liaison completes it)."""
        from intake.authorization.packet.records_request import render_records_request

        referral_id = record.referral_id
        now = self.clock()
        round_ = self._next_round(referral_id, TaskType.RECORDS_FROM_CLINIC)
        request_id = f"RR{referral_id[:8].upper()}{round_}"
        pdf = render_records_request(
            referral,
            report,
            pharmacy=self.pharmacy,
            request_id=request_id,
            now=now,
            round_=round_,
            payer_asked=auth_id is not None,
        )
        uri = self.documents.put(
            f"prior-auth/{referral_id}/records-request-{round_}.pdf", pdf, "application/pdf"
        )
        items = [e.as_task_item() for e in report.unmet]
        task_id = f"{referral_id}.{TaskType.RECORDS_FROM_CLINIC.value}.{round_}"
        self._update_summary(
            referral_id,
            required=True,
            status="records_requested",
            evidence=report.summary(),
            records_request=uri,
            records_task_id=task_id,
            records_for_auth=auth_id,
        )
        self.store.record(
            referral_id,
            "records_requested",
            at=now,
            items=[e.id for e in report.unmet],
            request=uri,
            auth_id=auth_id,
        )
        metrics.add_metric(name="RecordsRequested", unit="Count", value=1)
        details: dict[str, Any] = {
            "reason": "the payer needs records the referral lacks; the clinic was faxed "
            "the request",
            "missing": items,
            "records_request": uri,
            "clinic_fax": referral.referring_clinic.fax,
            "ask": "an upload from the clinic linked to this referral completes this task; "
            "else record 'received' once the records are in, or 'file_without' with the "
            "reason in the note",
        }
        if auth_id:
            details["auth_id"] = auth_id
        return PaStep(
            route="task",
            status="records_requested",
            auth_id=auth_id,
            task=TaskPlan.due_in(
                TaskType.RECORDS_FROM_CLINIC, self.records_sla, now, details, round_=round_
            ),
        )

    def _records_resolved(self, referral_id: str, outcome: str, task: TaskRecord | None) -> PaStep:
        """The clinic's records arrived (or a liaison chose to file without them, saying why):
        evaluate again and file, or ask again for what is still missing."""
        record, referral = self._planned(referral_id)
        now = self.clock()
        if outcome == AuthTaskOutcome.FILE_WITHOUT:
            report = self.evidence(record, referral)
            waiver = {
                "items": [e.id for e in report.unmet],
                "reason": (task.note if task else None) or "",
                "by": task.completed_by if task else None,
                "at": now.isoformat(),
            }
            self._update_summary(referral_id, evidence_waiver=waiver)
            self.store.record(referral_id, "filed_without_evidence", at=now, items=waiver["items"])
        else:
            self.store.record(referral_id, "records_received", at=now)
        auth_id = ((record.prior_auth or {}).get("records_for_auth")) or None
        if auth_id and outcome == AuthTaskOutcome.RECEIVED:
            return self._send_additional_information(referral_id, str(auth_id))
        return self.submit(referral_id, network_checked=True)

    def _file(
        self,
        record: ReferralRecord,
        referral: Referral,
        decision: PaDecision,
        *,
        kind: Literal["initial", "extension"],
        plan: ServicePlan | None = None,
        evidence: EvidenceReport | None = None,
    ) -> PaStep:
        """Build the packet for ``plan`` (default: the referral's whole course from its planned
        start), store it, send the 278, and act on the answer."""
        referral_id = record.referral_id
        now = self.clock()
        plan = plan or requested_plan(referral)
        doses = planned_doses(plan)
        evidence = evidence or self.evidence(record, referral)
        waiver = (record.prior_auth or {}).get("evidence_waiver")
        signed_copy = ((record.prior_auth or {}).get("signature") or {}).get("document")
        signed_letter = self.documents.get(signed_copy) if signed_copy else None
        packet = build_packet(
            referral,
            summary_from_json(stored_summary(record.benefits or {})),
            decision,
            evidence=evidence,
            waiver=waiver,
            signed_letter=signed_letter,
            pharmacy=self.pharmacy,
            now=now,
            original_document=self.documents.original(record),
            original_name=record.source.key.rsplit("/", 1)[-1],
            trace_number=self._trace(referral_id, kind, drug_key(referral), doses),
            received_on=received_at(record).date(),
            plan=plan,
        )
        auth_id = packet.trace_number
        self._update_summary(referral_id, evidence=evidence.summary())
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
        return self._send(
            referral,
            AuthorizationRecord(
                referral_id=referral_id,
                auth_id=auth_id,
                status="pended",
                kind=kind,
                drug=drug_key(referral),
                payer_id=referral.insurance.payer_id,
                reasons=decision.reasons,
                documentation=decision.documentation,
                packet=uris,
                submitted_at=now,
                deadline_at=now + self.decision_window,
                requested_from=doses[0] if doses else None,
                requested_to=doses[-1] if doses else None,
            ),
            packet.x12_278,
        )

    def _send(self, referral: Referral, auth: AuthorizationRecord, x12: str) -> PaStep:
        referral_id = auth.referral_id
        try:
            reply = self.gateway.submit_prior_auth(x12, correlation_id=referral_id)
        except ClearinghouseUnavailable as exc:
            self.store.record(
                referral_id,
                "prior_auth_submission_deferred",
                at=self.clock(),
                reason=exc.last_reason,
            )
            raise PayerUnavailable(f"payer unavailable for the 278 ({exc.last_reason})") from exc
        answer = interpret_278_response(reply.x12)
        auth = auth.model_copy(
            update={"status": answer.status, "decision": answer.model_dump(mode="json")}
        )
        self.store.put_authorization(auth)
        self.store.record(
            referral_id,
            "prior_auth_submitted" if auth.kind != "appeal" else "appeal_submitted",
            at=self.clock(),
            auth_id=auth.auth_id,
            kind=auth.kind,
            answer=answer.status,
        )
        metrics.add_metric(name=f"PriorAuth_{answer.status}", unit="Count", value=1)
        if answer.status == "pended":
            self._summarize(referral_id, auth, "pended")
            asked = self._evidence_asked(referral_id, answer)
            if asked:
                self.store.update_authorization(
                    referral_id, auth.auth_id, {"evidence_requested": asked}, pending_until=None
                )
                record, planned_referral = self._planned(referral_id)
                report = self.evidence(record, planned_referral)
                return self._ask_clinic(
                    record, planned_referral, report.only(asked), auth_id=auth.auth_id
                )
            return PaStep(
                route="await",
                status="pended",
                auth_id=auth.auth_id,
                wait_seconds=max(1, int((auth.deadline_at - self.clock()).total_seconds())),
            )
        return self._decided(referral, auth, answer, self.clock())

    def _send_additional_information(self, referral_id: str, auth_id: str) -> PaStep:
        """The payer pended the request for evidence and the clinic's records arrived: send
        them as a revised request (278 UM02 ``S``, quoting the payer's review number, one PWK
        per record now attached); the payer's answer is acted on as any other."""
        record, referral = self._planned(referral_id)
        pended = self._authorization(referral_id, auth_id)
        report = self.evidence(record, referral)
        waived = set(((record.prior_auth or {}).get("evidence_waiver") or {}).get("items") or ())
        still = [e for e in report.unmet if e.id in set(pended.evidence_requested or ())]
        if still and not {e.id for e in still} <= waived:
            return self._ask_clinic(record, referral, report, auth_id=auth_id)
        now = self.clock()
        n = self._count(referral_id, "additional_information") + 1
        trace = f"{auth_id[:14]}AI{n}"
        plan = requested_plan(referral)
        doses = planned_doses(plan)
        packet = build_packet(
            referral,
            summary_from_json(stored_summary(record.benefits or {})),
            PaDecision(required=True, reasons=pended.reasons, documentation=pended.documentation),
            evidence=report,
            waiver=(record.prior_auth or {}).get("evidence_waiver"),
            pharmacy=self.pharmacy,
            now=now,
            original_document=self.documents.original(record),
            original_name=record.source.key.rsplit("/", 1)[-1],
            trace_number=trace,
            received_on=received_at(record).date(),
            plan=plan,
            certification_type="S",
            review_number=(pended.decision or {}).get("review_number") or "",
        )
        folder = f"prior-auth/{referral_id}/{trace}"
        uris = {
            "pdf": self.documents.put(f"{folder}/packet.pdf", packet.pdf, "application/pdf"),
            "x12": self.documents.put(
                f"{folder}/request.278", packet.x12_278.encode(), "application/edi-x12"
            ),
        }
        self.store.update_authorization(
            referral_id, auth_id, {"superseded_by": trace}, pending_until=None
        )
        self._update_summary(referral_id, evidence=report.summary(), records_for_auth=None)
        self.store.record(
            referral_id,
            "additional_information_sent",
            at=now,
            auth_id=trace,
            revises=auth_id,
            items=[e.id for e in report.items if e.met],
        )
        return self._send(
            referral,
            AuthorizationRecord(
                referral_id=referral_id,
                auth_id=trace,
                status="pended",
                kind="additional_information",
                drug=pended.drug,
                payer_id=pended.payer_id,
                reasons=pended.reasons,
                documentation=pended.documentation,
                packet=uris,
                submitted_at=now,
                deadline_at=pended.deadline_at,
                requested_from=doses[0] if doses else None,
                requested_to=doses[-1] if doses else None,
            ),
            packet.x12_278,
        )

    def _evidence_asked(self, referral_id: str, answer: AuthDecision) -> list[str]:
        """The criteria a pended answer asks for, or []: its MSG says "additional
        information" and names them by id (X12's basic character set has no underscore:
        ``TB-SCREENING`` is ``tb_screening``)."""
        from intake.authorization.packet.criteria import criteria_table

        text = " ".join(answer.messages).lower()
        if "additional information" not in text:
            return []
        ids = {i.id for c in criteria_table().classes.values() for i in c.items}
        words = {w.replace("-", "_") for w in re.split(r"[^a-z0-9-]+", text)}
        return sorted(ids & words)

    def _network_exception(
        self, record: ReferralRecord, decision: PaDecision, now: datetime
    ) -> PaStep:
        """Out of network with no out-of-network benefit: never straight to scheduling. A
        liaison asks the payer for a single-case agreement; the request letter is ready."""
        referral_id = record.referral_id
        reason = decision.network_exception_reason or (
            "the pharmacy is out of network and the plan has no out-of-network benefit"
        )
        self.store.update_referral(
            referral_id,
            updated_at=now,
            prior_auth={
                "required": decision.required,
                "network_exception": True,
                "status": "network_exception_needed",
                "gate": "waiting",
                "reason": reason,
            },
        )
        self.store.record(referral_id, "network_exception_needed", at=now)
        details = {
            "reason": reason,
            "ask": "a network exception (single-case agreement) for this therapy at the "
            "patient's site of care; then the authorization is filed",
            "authorization_required": decision.required,
        }
        return PaStep(
            route="task",
            status="network_exception_needed",
            task=self._plan(referral_id, TaskType.NETWORK_EXCEPTION, details, now),
        )

    def reauthorize(self, referral_id: str, first_day: date, from_dose: date) -> PaStep:
        """Ongoing therapy (a pre-dose check): a 278 for the course's doses from ``from_dose``
        on (the calendar from ``first_day``), as an ``extension`` with the same packet, polling,
        decision window and denial paths as the first request."""
        from intake.therapy import plan_services

        record, referral = self._planned(referral_id)
        benefits = summary_from_json(stored_summary(record.benefits or {}))
        plan = plan_services(referral, first_day)
        if plan.open_ended:
            plan = plan_services(referral, first_day, through=first_day + timedelta(days=365))
        self.store.record(
            referral_id,
            "reauthorization_requested",
            at=self.clock(),
            from_dose=from_dose.isoformat(),
        )
        return self._file(
            record,
            referral,
            decide_prior_auth(referral, benefits),
            kind="extension",
            plan=from_day(plan, from_dose),
        )

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
            task=self._plan(referral_id, TaskType.PRIOR_AUTH_FOLLOWUP, details, now),
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
            task=self._plan(referral_id, TaskType.PRIOR_AUTH_FOLLOWUP, details, now),
        )

    # ------------------------------------------------------------------ a person decided
    def resolve(self, referral_id: str, result: dict[str, Any]) -> PaStep:
        """Act on the outcome a liaison recorded on an authorization task: appeal, another
        drug, self-pay, decline, accept the payer's terms, or what the payer said by phone."""
        outcome = str(result.get("outcome"))
        task = self.store.get_task(str(result.get("task_id") or ""))
        details = task.details if task is not None else {}
        auth_id = details.get("auth_id")
        auth = self.store.get_authorization(referral_id, auth_id) if auth_id else None
        now = self.clock()
        self.store.record(
            referral_id,
            "prior_auth_task_resolved",
            at=now,
            outcome=outcome,
            task_id=result.get("task_id"),
        )
        o = AuthTaskOutcome
        if outcome in (o.RECEIVED, o.FILE_WITHOUT):
            return self._records_resolved(referral_id, outcome, task)
        if outcome in (o.SIGNED, o.SEND_UNSIGNED):
            return self._signature_resolved(referral_id, outcome, task)
        if outcome == o.APPEAL_SUBMITTED and auth is not None:
            return self._appeal(referral_id, auth)
        if outcome == o.APPEAL_SUBMITTED:
            # No request was denied: the network exception was. Its appeal is made by phone or
            # fax; the liaison records the payer's answer on a new network-exception task.
            self.store.record(referral_id, "network_exception_appealed", at=now)
            return PaStep(
                route="task",
                status="network_exception_appealed",
                task=self._plan(
                    referral_id,
                    TaskType.NETWORK_EXCEPTION,
                    {**details, "reason": "network exception appealed: record the payer's answer"},
                    now,
                ),
            )
        if outcome == o.ALTERNATIVE_THERAPY:
            record, _ = self._referral(referral_id)
            assert record.referral is not None
            changed = apply_therapy_corrections(record.referral, result.get("corrections") or {})
            self.store.update_referral(
                referral_id, referral=changed.model_dump(mode="json"), updated_at=now
            )
            self.store.record(
                referral_id,
                "therapy_changed",
                at=now,
                drug=drug_key(changed),
                fields=sorted(result.get("corrections") or {}),
            )
            return self.submit(referral_id)
        if outcome == o.SELF_PAY:
            self._gate(referral_id, "self_pay")
            return PaStep(route="proceed", status="self_pay", coverage="self_pay")
        if outcome == o.DECLINED:
            self._gate(referral_id, "declined")
            self._tell_clinic(referral_id, auth)
            return PaStep(route="conclude", status="declined")
        if outcome in (o.ACCEPT_TERMS, o.NOT_REQUIRED):
            self._gate(referral_id, "passed", accepted_terms=outcome == o.ACCEPT_TERMS)
            return PaStep(route="proceed", status=outcome, auth_id=auth_id)
        if outcome == o.CERTIFIED:
            return self._certified_by_phone(
                referral_id,
                auth or self._phoned_request(referral_id),
                result.get("corrections") or {},
            )
        if outcome == o.APPROVED:
            self.store.record(referral_id, "network_exception_approved", at=now)
            return self.submit(referral_id, network_checked=True)
        if outcome == o.DENIED:
            return self._denied_by_phone(referral_id, auth, details, now)
        if outcome == o.STILL_PENDING and auth is not None:
            deadline = now + self.decision_window
            self.store.update_authorization(
                referral_id,
                auth.auth_id,
                {"deadline_at": deadline, "polls": 0, "budget_spent": False},
                pending_until=None,
            )
            return PaStep(
                route="await",
                status="pended",
                auth_id=auth.auth_id,
                wait_seconds=int(self.decision_window.total_seconds()),
            )
        if outcome == o.STILL_PENDING:
            # Nothing was sent electronically (the packet went by fax): nothing to poll. The
            # liaison records the payer's answer on the next follow-up.
            return PaStep(
                route="task",
                status="pended",
                task=self._plan(
                    referral_id,
                    TaskType.PRIOR_AUTH_FOLLOWUP,
                    {**details, "reason": "faxed request still in review: record the answer"},
                    now,
                ),
            )
        raise ValueError(f"authorization task outcome '{outcome}' cannot be acted on here")

    def _appeal(self, referral_id: str, denied: AuthorizationRecord) -> PaStep:
        """Send the appeal: the original request as an appeal (X12), the appeal letter with
        the original packet (already prepared at the denial); then wait as for any request."""
        from intake.x12.t278 import build_278_appeal

        _, referral = self._planned(referral_id)
        now = self.clock()
        original = self.documents.get(denied.packet["x12"]).decode()
        review = (denied.decision or {}).get("review_number") or ""
        trace = f"{denied.auth_id[:14]}AP{self._count(referral_id, 'appeal') + 1}"
        x12 = build_278_appeal(original, review_number=review, trace_number=trace, now=now)
        folder = f"prior-auth/{referral_id}/{trace}"
        packet = {
            "x12": self.documents.put(f"{folder}/appeal.278", x12.encode(), "application/edi-x12"),
            "pdf": denied.appeal or denied.packet["pdf"],
        }
        return self._send(
            referral,
            AuthorizationRecord(
                referral_id=referral_id,
                auth_id=trace,
                status="pended",
                kind="appeal",
                drug=denied.drug,
                appeal_of=denied.auth_id,
                payer_id=denied.payer_id,
                reasons=denied.reasons,
                documentation=denied.documentation,
                packet=packet,
                submitted_at=now,
                deadline_at=now + self.decision_window,
                requested_from=denied.requested_from,
                requested_to=denied.requested_to,
            ),
            x12,
        )

    def _phoned_request(self, referral_id: str) -> AuthorizationRecord:
        """A request the payer answered by phone with no electronic record of ours (the 278
        never went through: the packet was faxed): recorded so the gate can read its dates."""
        _, referral = self._planned(referral_id)
        plan = requested_plan(referral)
        doses = planned_doses(plan)
        now = self.clock()
        auth = AuthorizationRecord(
            referral_id=referral_id,
            auth_id=self._trace(referral_id, "initial", drug_key(referral), doses),
            status="pended",
            drug=drug_key(referral),
            payer_id=referral.insurance.payer_id,
            reasons=["filed by fax after the electronic request failed"],
            documentation=[],
            packet={"folder": f"prior-auth/{referral_id}/"},
            submitted_at=now,
            deadline_at=now + self.decision_window,
            requested_from=doses[0],
            requested_to=doses[-1],
        )
        self.store.put_authorization(auth)
        return auth

    def _certified_by_phone(
        self, referral_id: str, auth: AuthorizationRecord, corrections: dict[str, Any]
    ) -> PaStep:
        decision = dict(auth.decision or {})
        for key in ("certification_number", "effective_from", "effective_to"):
            if corrections.get(key):
                decision[key] = corrections[key]
        decision["status"] = "certified"
        self.store.update_authorization(
            referral_id,
            auth.auth_id,
            {"status": "certified", "decision": decision, "decided_at": self.clock()},
            pending_until=None,
        )
        updated = auth.model_copy(update={"status": "certified", "decision": decision})
        self._summarize(referral_id, updated, "certified")
        _, referral = self._planned(referral_id)
        return self._certified(referral, updated)

    def _denied_by_phone(
        self,
        referral_id: str,
        auth: AuthorizationRecord | None,
        details: dict[str, Any],
        now: datetime,
    ) -> PaStep:
        if auth is not None:
            self.store.update_authorization(
                referral_id,
                auth.auth_id,
                {"status": "denied", "decided_at": now},
                pending_until=None,
            )
            self._summarize(referral_id, auth.model_copy(update={"status": "denied"}), "denied")
        self.store.record(referral_id, "prior_auth_denied", at=now, by="phone")
        plan = self._plan(
            referral_id,
            TaskType.APPEAL_OR_ALTERNATIVES,
            {
                "auth_id": auth.auth_id if auth else None,
                "decision": "denied",
                "reason": details.get("reason") or "denied (reported by phone)",
                "packet": auth.packet if auth else None,
                "suggest": "offer financial assistance and therapy alternatives",
            },
            now,
        )
        return PaStep(route="task", status="denied", auth_id=plan.details.get("auth_id"), task=plan)

    def _tell_clinic(self, referral_id: str, auth: AuthorizationRecord | None) -> None:
        """The clinic learns the referral is closed (a notice on the documents path, where
        faxes go out; no PHI beyond the referral's own ids)."""
        _, referral = self._referral(referral_id)
        notice = (
            f"To: {referral.referring_clinic.name}\n"
            f"Re: your referral {referral.clinic_reference or referral_id}\n\n"
            "Prior authorization for this therapy was denied and the referral is closed: no "
            "appeal or alternative therapy will be pursued by the pharmacy. Please contact us "
            "to discuss other options.\n"
            + (f"Authorization reference: {auth.auth_id}\n" if auth else "")
        )
        uri = self.documents.put(
            f"prior-auth/{referral_id}/clinic-notice.txt", notice.encode(), "text/plain"
        )
        self.store.record(referral_id, "clinic_notified", at=self.clock(), notice=uri)

    # ------------------------------------------------------------------ the scheduled poller
    def poll(self) -> PollReport:
        """Ask the payer about every authorization due a poll: the inquiries go out side by
        side (``poll_concurrency`` at a time, since each waits on the payer for seconds), and
        the answers are recorded one by one. One record's failure never stops the others."""
        now = self.clock()
        due = self.store.pending_authorizations(now)
        inquiries: list[tuple[AuthorizationRecord, str | Exception]] = []
        for auth in due:
            try:
                inquiries.append((auth, self._inquiry(auth, now)))
            except Exception as exc:
                inquiries.append((auth, exc))
        answers = self._ask_all(inquiries)
        checked = decided = pending = failed = late = 0
        for auth, answer in answers:
            checked += 1
            try:
                if isinstance(answer, Exception):
                    raise answer
                outcome = self._act_on(auth, answer, now)
            except Exception as exc:  # one bad record must not stop the others; it stays pending
                if not isinstance(exc, ClearinghouseError):
                    logger.exception(
                        "polling an authorization failed", extra={"auth_id": auth.auth_id}
                    )
                failed += 1
                self._poll_failed(auth, now, exc)
                continue
            decided += outcome not in ("pending", "budget_spent")
            pending += outcome in ("pending", "budget_spent")
            late += outcome == "late"
        report = PollReport(checked, decided, pending, failed, late)
        logger.info("authorizations polled", extra=report.as_dict())
        return report

    def _ask_all(
        self, inquiries: list[tuple[AuthorizationRecord, str | Exception]]
    ) -> list[tuple[AuthorizationRecord, AuthDecision | Exception]]:
        def ask(item: tuple[AuthorizationRecord, str | Exception]) -> AuthDecision | Exception:
            auth, x12 = item
            if isinstance(x12, Exception):
                return x12
            try:
                reply = self.gateway.submit_prior_auth(x12, correlation_id=auth.referral_id)
                return interpret_278_response(reply.x12)
            except Exception as exc:
                return exc

        if len(inquiries) <= 1 or self.poll_concurrency <= 1:
            return [(auth, ask((auth, x12))) for auth, x12 in inquiries]
        with ThreadPoolExecutor(max_workers=self.poll_concurrency) as pool:
            results = list(pool.map(ask, inquiries))
        return [(auth, result) for (auth, _), result in zip(inquiries, results, strict=True)]

    def next_poll(self, auth: AuthorizationRecord, now: datetime) -> datetime:
        """Polls back off with the request's age, to respect the payer's per-inquiry fees:
        every interval for the first 4 intervals (15 min: the first hour), every 4 intervals
        until 32 (hourly until 8 h), then every 32 (every 8 h) to the end of the window."""
        age = now - auth.submitted_at
        base = self.poll_interval
        step = base if age < 4 * base else 4 * base if age < 32 * base else 32 * base
        return now + step

    def _act_on(self, auth: AuthorizationRecord, answer: AuthDecision, now: datetime) -> str:
        """Record a polled answer; resume the workflow on a decision. Returns pending,
        decided, late (decided after the workflow stopped waiting) or budget_spent."""
        if answer.status == "pended":
            polls = auth.polls + 1
            if polls >= self.inquiry_budget:
                return self._budget_spent(auth, polls, now)
            next_poll = self.next_poll(auth, now)
            self.store.update_authorization(
                auth.referral_id,
                auth.auth_id,
                {"polls": polls, "next_poll_at": next_poll, "poll_failures": 0},
                pending_until=next_poll,
            )
            return "pending"
        _, referral = self._planned(auth.referral_id)
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

    def _budget_spent(self, auth: AuthorizationRecord, polls: int, now: datetime) -> str:
        """Every inquiry the budget allows went unanswered: stop paying for inquiries and hand
        the workflow to a person (who calls the payer, then records what it said)."""
        self.store.update_authorization(
            auth.referral_id,
            auth.auth_id,
            {"polls": polls, "budget_spent": True},
            pending_until=None,
        )
        self.store.record(
            auth.referral_id,
            "prior_auth_inquiry_budget_spent",
            at=now,
            auth_id=auth.auth_id,
            polls=polls,
        )
        step = PaStep(
            route="task",
            status="pended",
            auth_id=auth.auth_id,
            task=self._plan(
                auth.referral_id,
                TaskType.PRIOR_AUTH_FOLLOWUP,
                {
                    "auth_id": auth.auth_id,
                    "reason": f"still pended after {polls} status inquiries: call the payer",
                    "deadline": auth.deadline_at.isoformat(),
                    "packet": auth.packet,
                },
                now,
            ),
        )
        if auth.task_token and now < auth.deadline_at:
            self.workflow.resume(auth.task_token, step.model_dump(mode="json"))
        return "budget_spent"

    # ------------------------------------------------------------------ internals
    def _inquiry(self, auth: AuthorizationRecord, now: datetime) -> str:
        _, referral = self._referral(auth.referral_id)
        inquiry = status_inquiry(
            referral,
            self.pharmacy,
            trace_number=f"{auth.auth_id[:20]}Q{auth.polls + 1}",
            original_trace=auth.auth_id,
            event_start=auth.requested_from or auth.submitted_at.date(),
            review_number=(auth.decision or {}).get("review_number") or "",
        )
        return build_278_inquiry(inquiry, now=now)

    def _poll_failed(self, auth: AuthorizationRecord, now: datetime, exc: Exception) -> None:
        failures = auth.poll_failures + 1
        next_poll = self.next_poll(auth, now) + self.poll_interval * (2 ** min(failures, 3) - 1)
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
                round_=self._next_round(auth.referral_id, TaskType.PRIOR_AUTH_FOLLOWUP),
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
            record, _ = self._referral(referral_id)
            appeal = build_appeal_pdf(
                referral,
                answer,
                packet_pdf,
                pharmacy=self.pharmacy,
                now=now,
                pa_decision=PaDecision(
                    required=True, reasons=auth.reasons, documentation=auth.documentation
                ),
                received_on=received_at(record).date(),
            )
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
            return self._certified(referral, updated)
        kind = TASK_FOR_STATUS.get(answer.status, TaskType.PRIOR_AUTH_FOLLOWUP)
        details = {
            "auth_id": auth.auth_id,
            "decision": answer.status,
            "reason": answer.reason,
            "reason_code": answer.reason_code,
            "appeal": fields.get("appeal"),
            "packet": auth.packet,
            "lines": [_line(line) for line in answer.lines],
            "suggest": "offer financial assistance and therapy alternatives"
            if answer.status == "denied"
            else "consult the prescriber: accept the payer's terms or appeal"
            if kind is TaskType.ACCEPT_OR_APPEAL
            else None,
        }
        return PaStep(
            route="task",
            status=answer.status,
            auth_id=auth.auth_id,
            task=self._plan(referral_id, kind, details, now),
        )

    def _certified(self, referral: Referral, auth: AuthorizationRecord) -> PaStep:
        """Certified: the gate passes only when the certifications for this drug cover every
        planned dose; doses left outside get a request of their own first."""
        referral_id = auth.referral_id
        drug = drug_key(referral)
        mine = [a for a in self.store.authorizations_of(referral_id) if a.drug in (drug, None)]
        periods = [p for a in mine if a.status == "certified" for p in _period(a)]
        plan = requested_plan(referral)
        doses = planned_doses(plan)
        missing = uncovered(doses, periods)
        if not missing:
            self._gate(referral_id, "passed")
            self.store.record(
                referral_id, "authorization_gate_passed", at=self.clock(), doses=len(doses)
            )
            return PaStep(route="proceed", status="certified", auth_id=auth.auth_id)
        self.store.record(
            referral_id,
            "authorization_does_not_cover_doses",
            at=self.clock(),
            auth_id=auth.auth_id,
            uncovered=len(missing),
            first_uncovered=missing[0].isoformat(),
        )
        if sum(a.kind == "extension" for a in mine) >= MAX_EXTENSIONS:
            return PaStep(
                route="task",
                status="certified_short",
                auth_id=auth.auth_id,
                task=self._plan(
                    referral_id,
                    TaskType.PRIOR_AUTH_FOLLOWUP,
                    {
                        "auth_id": auth.auth_id,
                        "reason": f"{len(missing)} planned doses from "
                        f"{missing[0].isoformat()} are outside every certification",
                    },
                    self.clock(),
                ),
            )
        record, _ = self._referral(referral_id)
        benefits = summary_from_json(stored_summary(record.benefits or {}))
        return self._file(
            record,
            referral,
            decide_prior_auth(referral, benefits),
            kind="extension",
            plan=from_day(plan, missing[0]),
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
            round_=self._next_round(auth.referral_id, TaskType.PRIOR_AUTH_FOLLOWUP),
        )

    def _summarize(self, referral_id: str, auth: AuthorizationRecord, status: str) -> None:
        """The referral's authorization headline: the latest request and its answer (the
        gate and what earlier requests said are kept)."""
        self._update_summary(
            referral_id,
            required=True,
            auth_id=auth.auth_id,
            kind=auth.kind,
            status=status,
            packet=auth.packet,
            appeal=auth.appeal,
            certification_number=(auth.decision or {}).get("certification_number"),
            effective_from=(auth.decision or {}).get("effective_from"),
            effective_to=(auth.decision or {}).get("effective_to"),
            reason=(auth.decision or {}).get("reason"),
            requested_from=auth.requested_from.isoformat() if auth.requested_from else None,
            requested_to=auth.requested_to.isoformat() if auth.requested_to else None,
        )

    def _gate(self, referral_id: str, gate: Gate, **fields: Any) -> None:
        self._update_summary(referral_id, gate=gate, **fields)
        self.store.record(referral_id, "authorization_gate", at=self.clock(), gate=gate)

    def _update_summary(self, referral_id: str, **fields: Any) -> None:
        record = self.store.get_referral(referral_id)
        current = dict((record.prior_auth if record else None) or {})
        current.setdefault("gate", "waiting")
        current.update(fields)
        self.store.update_referral(referral_id, updated_at=self.clock(), prior_auth=current)

    def _plan(
        self, referral_id: str, kind: TaskType, details: dict[str, Any], now: datetime
    ) -> TaskPlan:
        """A task for the state machine to queue, in the next free round of its type (a
        second denial after an appeal is a new task, never the completed first one)."""
        return TaskPlan.due_in(
            kind, FOLLOWUP_SLA, now, details, round_=self._next_round(referral_id, kind)
        )

    def _next_round(self, referral_id: str, kind: TaskType) -> int:
        rounds = [t.task_id for t in self.store.tasks_of(referral_id) if t.task_type is kind]
        return len(rounds) + 1

    def _trace(self, referral_id: str, kind: str, drug: str, doses: tuple[Any, ...]) -> str:
        """The request's trace number (TRN02, also the packet id): the same for a step the
        workflow retries after a timeout, so the payer sees one request, not two."""
        n = self._count(referral_id, kind)
        first = doses[0].isoformat() if doses else ""
        key = f"{referral_id}|{kind}|{drug}|{first}|{n}"
        return "PA" + hashlib.sha256(key.encode()).hexdigest()[:12].upper()

    def _count(self, referral_id: str, kind: str) -> int:
        return sum(a.kind == kind for a in self.store.authorizations_of(referral_id))

    def _planned(self, referral_id: str) -> tuple[ReferralRecord, Referral]:
        """The referral as the workflow plans it: starting no earlier than its receipt."""
        record, referral = self._referral(referral_id)
        return record, planned(referral, received_at(record))

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


def _period(auth: AuthorizationRecord) -> list[tuple[date, date]]:
    """The certified period (the requested one when the payer sent no dates)."""
    decision = auth.decision or {}

    def day(value: Any, fallback: date | None) -> date | None:
        return date.fromisoformat(str(value)) if value else fallback

    start = day(decision.get("effective_from"), auth.requested_from)
    end = day(decision.get("effective_to"), auth.requested_to)
    return [(start, end)] if start is not None and end is not None else []


def _line(line: LineDecision) -> dict[str, Any]:
    """A per-line answer as the task shows it: approved against requested, in plain numbers."""

    def number(value: Any) -> int | float | None:
        return None if value is None else (int(value) if value == int(value) else float(value))

    view = {
        "code": line.procedure_code,
        "modifiers": list(line.modifiers),
        "status": line.status,
        "requested_units": number(line.requested_units),
        "approved_units": number(line.approved_units),
        "effective_from": line.effective_from.isoformat() if line.effective_from else None,
        "effective_to": line.effective_to.isoformat() if line.effective_to else None,
        "reason": line.reason,
    }
    return {k: v for k, v in view.items() if v not in (None, [])}
