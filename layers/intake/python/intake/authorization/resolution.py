"""Acting on what a liaison recorded on an authorization task: the clinic's records or the
prescriber's signature arrived, an appeal, another drug, self-pay, a decline, the payer's terms
accepted, or what the payer said by phone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from intake.authorization.context import AuthContext, PaStep, headline
from intake.authorization.coverage import drug_key, planned_doses, requested_plan
from intake.authorization.gate import AuthorizationGate
from intake.authorization.submission import Submission
from intake.authorization.task_outcomes import apply_therapy_corrections
from intake.models.authorization import AuthorizationDecision, EvidenceWaiver, Signature
from intake.models.records import AuthorizationRecord, AuthTaskOutcome, TaskRecord, TaskType
from intake.models.task_details import AuthorizationDetails, RecordsFromClinicDetails


@dataclass
class Resolution:
    ctx: AuthContext

    def resolve(self, referral_id: str, result: dict[str, Any]) -> PaStep:
        """Act on the outcome a liaison recorded on an authorization task: appeal, another
        drug, self-pay, decline, accept the payer's terms, or what the payer said by phone."""
        ctx = self.ctx
        outcome = str(result.get("outcome"))
        task = ctx.store.get_task(str(result.get("task_id") or ""))
        details = task.details if task is not None else None
        auth_id = (
            details.auth_id
            if isinstance(details, AuthorizationDetails | RecordsFromClinicDetails)
            else None
        )
        carried = details.model_dump(exclude_unset=True) if details is not None else {}
        # The workflow carries the task's id, not its values (its history is outside the data
        # key): the corrections are read from the task. Older executions carried them inline.
        corrections: dict[str, Any] = (
            dict(task.corrections or {})
            if task is not None and task.referral_id == referral_id
            else dict(result.get("corrections") or {})
        )
        auth = ctx.store.get_authorization(referral_id, auth_id) if auth_id else None
        now = ctx.clock()
        ctx.store.record(
            referral_id,
            "prior_auth_task_resolved",
            at=now,
            outcome=outcome,
            task_id=result.get("task_id"),
        )
        o = AuthTaskOutcome
        gate = AuthorizationGate(ctx)
        if outcome in (o.RECEIVED, o.FILE_WITHOUT):
            return self._records_resolved(referral_id, outcome, task)
        if outcome in (o.SIGNED, o.SEND_UNSIGNED):
            return self._signature_resolved(referral_id, outcome, task)
        if outcome == o.APPEAL_SUBMITTED and auth is not None:
            return Submission(ctx).appeal(referral_id, auth)
        if outcome == o.APPEAL_SUBMITTED:
            # No request was denied: the network exception was. Its appeal is made by phone or
            # fax; the liaison records the payer's answer on a new network-exception task.
            ctx.store.record(referral_id, "network_exception_appealed", at=now)
            return PaStep(
                route="task",
                status="network_exception_appealed",
                task=ctx.plan(
                    referral_id,
                    TaskType.NETWORK_EXCEPTION,
                    {**carried, "reason": "network exception appealed: record the payer's answer"},
                    now,
                ),
            )
        if outcome == o.ALTERNATIVE_THERAPY:
            record, _ = ctx.referral(referral_id)
            assert record.referral is not None
            changed = apply_therapy_corrections(record.referral, corrections)
            ctx.store.update_referral(
                referral_id, referral=changed.model_dump(mode="json"), updated_at=now
            )
            ctx.store.record(
                referral_id,
                "therapy_changed",
                at=now,
                drug=drug_key(changed),
                fields=sorted(corrections),
            )
            return gate.submit(referral_id)
        if outcome == o.SELF_PAY:
            ctx.gate(referral_id, "self_pay")
            return PaStep(route="proceed", status="self_pay", coverage="self_pay")
        if outcome == o.DECLINED:
            ctx.gate(referral_id, "declined")
            self._tell_clinic(referral_id, auth)
            return PaStep(route="conclude", status="declined")
        if outcome in (o.ACCEPT_TERMS, o.NOT_REQUIRED):
            ctx.gate(referral_id, "passed", accepted_terms=outcome == o.ACCEPT_TERMS)
            return PaStep(route="proceed", status=outcome, auth_id=auth_id)
        if outcome == o.CERTIFIED:
            return self._certified_by_phone(
                referral_id,
                auth or self._phoned_request(referral_id),
                corrections,
            )
        if outcome == o.APPROVED and task is not None and task.task_type is TaskType.SEND_TO_PBM:
            ctx.store.record(referral_id, "pbm_approved", at=now)
            ctx.gate(referral_id, "passed", status="pbm_approved")
            return PaStep(route="proceed", status="pbm_approved")
        if outcome == o.APPROVED:
            ctx.store.record(referral_id, "network_exception_approved", at=now)
            return gate.submit(referral_id, network_checked=True)
        if outcome == o.DENIED:
            reason = details.reason if isinstance(details, AuthorizationDetails) else None
            return self._denied_by_phone(referral_id, auth, reason, now)
        if outcome == o.STILL_PENDING and auth is not None:
            deadline = now + ctx.decision_window
            ctx.store.update_authorization(
                referral_id,
                auth.auth_id,
                {"deadline_at": deadline, "polls": 0, "budget_spent": False},
                pending_until=None,
            )
            return PaStep(
                route="await",
                status="pended",
                auth_id=auth.auth_id,
                wait_seconds=int(ctx.decision_window.total_seconds()),
            )
        if outcome == o.STILL_PENDING:
            # Nothing was sent electronically (the packet went by fax): nothing to poll. The
            # liaison records the payer's answer on the next follow-up.
            return PaStep(
                route="task",
                status="pended",
                task=ctx.plan(
                    referral_id,
                    TaskType.PRIOR_AUTH_FOLLOWUP,
                    {**carried, "reason": "faxed request still in review: record the answer"},
                    now,
                ),
            )
        raise ValueError(f"authorization task outcome '{outcome}' cannot be acted on here")

    def _records_resolved(self, referral_id: str, outcome: str, task: TaskRecord | None) -> PaStep:
        """The clinic's records arrived (or a liaison chose to file without them, saying why):
        evaluate again and file, or ask again for what is still missing."""
        ctx = self.ctx
        record, referral = ctx.planned(referral_id)
        now = ctx.clock()
        if outcome == AuthTaskOutcome.FILE_WITHOUT:
            report = Submission(ctx).evidence.evidence(record, referral)
            waiver = EvidenceWaiver(
                items=[e.id for e in report.unmet],
                reason=(task.note if task else None) or "",
                by=task.completed_by if task else None,
                at=now,
            )
            ctx.update_summary(referral_id, evidence_waiver=waiver)
            ctx.store.record(referral_id, "filed_without_evidence", at=now, items=waiver.items)
        else:
            ctx.store.record(referral_id, "records_received", at=now)
        auth_id = headline(record).records_for_auth
        if auth_id and outcome == AuthTaskOutcome.RECEIVED:
            return Submission(ctx).send_additional_information(referral_id, auth_id)
        return AuthorizationGate(ctx).submit(referral_id, network_checked=True)

    def _signature_resolved(
        self, referral_id: str, outcome: str, task: TaskRecord | None
    ) -> PaStep:
        ctx = self.ctx
        now = ctx.clock()
        signed = outcome == AuthTaskOutcome.SIGNED
        copy = ((task.corrections if task else None) or {}).get("signed_letter")
        ctx.update_summary(
            referral_id,
            signature=Signature(
                status="signed" if signed else "unsigned",
                document=copy if signed else None,
                reason=None if signed else ((task.note if task else None) or ""),
                by=task.completed_by if task else None,
                at=now,
            ),
        )
        ctx.store.record(referral_id, "letter_signed" if signed else "letter_sent_unsigned", at=now)
        return AuthorizationGate(ctx).submit(referral_id, network_checked=True)

    def _phoned_request(self, referral_id: str) -> AuthorizationRecord:
        """A request the payer answered by phone with no electronic record of ours (the 278
        never went through: the packet was faxed): recorded so the gate can read its dates."""
        ctx = self.ctx
        _, referral = ctx.planned(referral_id)
        plan = requested_plan(referral)
        doses = planned_doses(plan)
        now = ctx.clock()
        auth = AuthorizationRecord(
            referral_id=referral_id,
            auth_id=ctx.trace(referral_id, "initial", drug_key(referral), doses),
            status="pended",
            drug=drug_key(referral),
            payer_id=referral.coverage.payer_id,
            reasons=["filed by fax after the electronic request failed"],
            documentation=[],
            packet={"folder": f"prior-auth/{referral_id}/"},
            submitted_at=now,
            deadline_at=now + ctx.decision_window,
            requested_from=doses[0],
            requested_to=doses[-1],
        )
        ctx.store.put_authorization(auth)
        return auth

    def _certified_by_phone(
        self, referral_id: str, auth: AuthorizationRecord, corrections: dict[str, Any]
    ) -> PaStep:
        ctx = self.ctx
        reported = {
            key: corrections[key]
            for key in ("certification_number", "effective_from", "effective_to")
            if corrections.get(key)
        }
        earlier = auth.decision.model_dump() if auth.decision else {}
        decision = AuthorizationDecision.model_validate(
            {**earlier, **reported, "status": "certified"}
        )
        ctx.store.update_authorization(
            referral_id,
            auth.auth_id,
            {"status": "certified", "decision": decision.stored(), "decided_at": ctx.clock()},
            pending_until=None,
        )
        updated = auth.model_copy(update={"status": "certified", "decision": decision})
        ctx.summarize(referral_id, updated, "certified")
        _, referral = ctx.planned(referral_id)
        return Submission(ctx).answers.certified(referral, updated)

    def _denied_by_phone(
        self,
        referral_id: str,
        auth: AuthorizationRecord | None,
        reason: str | None,
        now: datetime,
    ) -> PaStep:
        ctx = self.ctx
        if auth is not None:
            ctx.store.update_authorization(
                referral_id,
                auth.auth_id,
                {"status": "denied", "decided_at": now},
                pending_until=None,
            )
            ctx.summarize(referral_id, auth.model_copy(update={"status": "denied"}), "denied")
        ctx.store.record(referral_id, "prior_auth_denied", at=now, by="phone")
        plan = ctx.plan(
            referral_id,
            TaskType.APPEAL_OR_ALTERNATIVES,
            {
                "auth_id": auth.auth_id if auth else None,
                "decision": "denied",
                "reason": reason or "denied (reported by phone)",
                "packet": auth.packet if auth else None,
                "suggest": "offer financial assistance and therapy alternatives",
            },
            now,
        )
        return PaStep(
            route="task", status="denied", auth_id=auth.auth_id if auth else None, task=plan
        )

    def _tell_clinic(self, referral_id: str, auth: AuthorizationRecord | None) -> None:
        """The clinic learns the referral is closed (a notice on the documents path, where
        faxes go out; no PHI beyond the referral's own ids)."""
        ctx = self.ctx
        _, referral = ctx.referral(referral_id)
        notice = (
            f"To: {referral.referring_clinic.name}\n"
            f"Re: your referral {referral.clinic_reference or referral_id}\n\n"
            "Prior authorization for this therapy was denied and the referral is closed: no "
            "appeal or alternative therapy will be pursued by the pharmacy. Please contact us "
            "to discuss other options.\n"
            + (f"Authorization reference: {auth.auth_id}\n" if auth else "")
        )
        uri = ctx.documents.put(
            f"prior-auth/{referral_id}/clinic-notice.txt", notice.encode(), "text/plain"
        )
        ctx.store.record(referral_id, "clinic_notified", at=ctx.clock(), notice=uri)
