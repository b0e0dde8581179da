"""Filing a request with the payer: build the packet (PDF + X12 278 + PAS Bundle) for a plan's
doses, store it, send the 278 over CORE, and hand the answer on. Also the two requests that
follow an earlier one: the additional information a pended request asked for (278 UM02 ``S``)
and the appeal of a denial."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from intake.authorization.answers import Answers, kept
from intake.authorization.context import AuthContext, PaStep, headline, review_number
from intake.authorization.coverage import drug_key, planned_doses, requested_plan
from intake.authorization.evidence import EvidenceRequests
from intake.authorization.packet import PaDecision, build_packet, decide_prior_auth
from intake.authorization.packet.criteria import EvidenceReport
from intake.clearinghouse import ClearinghouseUnavailable
from intake.core.observability import metrics
from intake.eligibility.service import PayerUnavailable
from intake.models.dates import received_at
from intake.models.records import AuthorizationRecord, ReferralRecord
from intake.models.referral import Referral
from intake.models.task_types import TaskType
from intake.therapy import ServicePlan
from intake.x12.t278 import interpret_278_response


@dataclass
class Submission:
    ctx: AuthContext

    @property
    def answers(self) -> Answers:
        return Answers(self.ctx, extend=self.extend)

    @property
    def evidence(self) -> EvidenceRequests:
        return EvidenceRequests(self.ctx)

    def extend(self, record: ReferralRecord, referral: Referral, plan: ServicePlan) -> PaStep:
        """A request for the plan's doses (those earlier certifications left uncovered, or the
        doses ahead of ongoing therapy), decided again from the stored benefits."""
        decision = decide_prior_auth(referral, self.ctx.benefits(record))
        return self.file(record, referral, decision, kind="extension", plan=plan)

    def file(
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
        ctx = self.ctx
        referral_id = record.referral_id
        now = ctx.clock()
        plan = plan or requested_plan(referral)
        if plan.place_of_service is None:
            return self.place_of_service_needed(referral_id, referral)
        doses = planned_doses(plan)
        evidence = evidence or self.evidence.evidence(
            record, referral, continuation=kind == "extension"
        )
        summary = headline(record)
        signed_copy = summary.signature.document if summary.signature else None
        signed_letter = ctx.documents.get(signed_copy) if signed_copy else None
        packet = build_packet(
            referral,
            ctx.benefits(record),
            decision,
            evidence=evidence,
            waiver=summary.evidence_waiver,
            signed_letter=signed_letter,
            pharmacy=ctx.pharmacy,
            now=now,
            original_document=ctx.documents.original(record),
            original_name=record.source.key.rsplit("/", 1)[-1],
            trace_number=ctx.trace(referral_id, kind, drug_key(referral), doses),
            received_on=received_at(record).date(),
            plan=plan,
        )
        auth_id = packet.trace_number
        ctx.update_summary(referral_id, evidence=evidence.summary())
        folder = f"prior-auth/{referral_id}/{auth_id}"
        uris = {
            "pdf": ctx.documents.put(f"{folder}/packet.pdf", packet.pdf, "application/pdf"),
            "x12": ctx.documents.put(
                f"{folder}/request.278", packet.x12_278.encode(), "application/edi-x12"
            ),
            "pas": ctx.documents.put(
                f"{folder}/pas-bundle.json",
                json.dumps(packet.pas_bundle).encode(),
                "application/fhir+json",
            ),
        }
        return self.send(
            referral,
            AuthorizationRecord(
                referral_id=referral_id,
                auth_id=auth_id,
                status="pended",
                kind=kind,
                drug=drug_key(referral),
                payer_id=referral.coverage.payer_id,
                reasons=decision.reasons,
                documentation=decision.documentation,
                packet=uris,
                submitted_at=now,
                deadline_at=now + ctx.decision_window,
                requested_from=doses[0] if doses else None,
                requested_to=doses[-1] if doses else None,
            ),
            packet.x12_278,
        )

    def place_of_service_needed(self, referral_id: str, referral: Referral) -> PaStep:
        """An infusion suite whose payer's profile names no place of service: no 278 is sent
        with a guessed UM04 (``intake.therapy.site``); a person asks the payer which code it
        takes for a suite, files by phone, fax or portal and records the answer."""
        ctx = self.ctx
        now = ctx.clock()
        payer = referral.coverage.payer_id
        ctx.store.record(
            referral_id, "prior_auth_submission_held", at=now, reason="place_of_service_unknown"
        )
        details = {
            "reason": f"payer {payer} states no place of service for an infusion suite: "
            "no 278 was sent",
            "suggest": "ask the payer which place of service it takes for an ambulatory "
            "infusion suite (CMS codes 11, 49, 19 or 22...), file the request with it and "
            "record the answer; add the code to payer_profiles.json (ais_place_of_service)",
        }
        return PaStep(
            route="task",
            status="place_of_service_needed",
            task=ctx.plan(referral_id, TaskType.PRIOR_AUTH_FOLLOWUP, details, now),
        )

    def send(self, referral: Referral, auth: AuthorizationRecord, x12: str) -> PaStep:
        ctx = self.ctx
        referral_id = auth.referral_id
        try:
            reply = ctx.gateway.submit_prior_auth(x12, correlation_id=referral_id)
        except ClearinghouseUnavailable as exc:
            ctx.store.record(
                referral_id,
                "prior_auth_submission_deferred",
                at=ctx.clock(),
                reason=exc.last_reason,
            )
            raise PayerUnavailable(f"payer unavailable for the 278 ({exc.last_reason})") from exc
        answer = interpret_278_response(reply.x12)
        auth = auth.model_copy(update={"status": answer.status, "decision": kept(answer)})
        ctx.store.put_authorization(auth)
        ctx.store.record(
            referral_id,
            "prior_auth_submitted" if auth.kind != "appeal" else "appeal_submitted",
            at=ctx.clock(),
            auth_id=auth.auth_id,
            kind=auth.kind,
            answer=answer.status,
        )
        metrics.add_metric(name=f"PriorAuth_{answer.status}", unit="Count", value=1)
        if answer.status == "pended":
            ctx.summarize(referral_id, auth, "pended")
            asked = self.evidence.asked_for(answer)
            if asked:
                ctx.store.update_authorization(
                    referral_id, auth.auth_id, {"evidence_requested": asked}, pending_until=None
                )
                record, planned_referral = ctx.planned(referral_id)
                report = self.evidence.evidence(record, planned_referral)
                return self.evidence.ask_clinic(
                    record, planned_referral, report.only(asked), auth_id=auth.auth_id
                )
            return PaStep(
                route="await",
                status="pended",
                auth_id=auth.auth_id,
                wait_seconds=max(1, int((auth.deadline_at - ctx.clock()).total_seconds())),
            )
        return self.answers.decided(referral, auth, answer, ctx.clock())

    def send_additional_information(self, referral_id: str, auth_id: str) -> PaStep:
        """The payer pended the request for evidence and the clinic's records arrived: send
        them as a revised request (278 UM02 ``S``, quoting the payer's review number, one PWK
        per record now attached); the payer's answer is acted on as any other."""
        ctx = self.ctx
        record, referral = ctx.planned(referral_id)
        pended = ctx.authorization(referral_id, auth_id)
        report = self.evidence.evidence(record, referral)
        summary = headline(record)
        still = [e for e in report.unmet if e.id in set(pended.evidence_requested or ())]
        if still and not {e.id for e in still} <= summary.waived():
            return self.evidence.ask_clinic(record, referral, report, auth_id=auth_id)
        now = ctx.clock()
        n = ctx.count(referral_id, "additional_information") + 1
        trace = f"{auth_id[:14]}AI{n}"
        plan = requested_plan(referral)
        doses = planned_doses(plan)
        packet = build_packet(
            referral,
            ctx.benefits(record),
            PaDecision(required=True, reasons=pended.reasons, documentation=pended.documentation),
            evidence=report,
            waiver=summary.evidence_waiver,
            pharmacy=ctx.pharmacy,
            now=now,
            original_document=ctx.documents.original(record),
            original_name=record.source.key.rsplit("/", 1)[-1],
            trace_number=trace,
            received_on=received_at(record).date(),
            plan=plan,
            certification_type="S",
            review_number=review_number(pended),
        )
        folder = f"prior-auth/{referral_id}/{trace}"
        uris = {
            "pdf": ctx.documents.put(f"{folder}/packet.pdf", packet.pdf, "application/pdf"),
            "x12": ctx.documents.put(
                f"{folder}/request.278", packet.x12_278.encode(), "application/edi-x12"
            ),
        }
        ctx.store.update_authorization(
            referral_id, auth_id, {"superseded_by": trace}, pending_until=None
        )
        ctx.update_summary(referral_id, evidence=report.summary(), records_for_auth=None)
        ctx.store.record(
            referral_id,
            "additional_information_sent",
            at=now,
            auth_id=trace,
            revises=auth_id,
            items=[e.id for e in report.items if e.attached],
        )
        return self.send(
            referral,
            _following(
                pended,
                auth_id=trace,
                kind="additional_information",
                packet=uris,
                submitted_at=now,
                deadline_at=pended.deadline_at,
                requested_from=doses[0] if doses else None,
                requested_to=doses[-1] if doses else None,
            ),
            packet.x12_278,
        )

    def appeal(self, referral_id: str, denied: AuthorizationRecord) -> PaStep:
        """Send the appeal: the original request as an appeal (X12), the appeal letter with
        the original packet (already prepared at the denial); then wait as for any request."""
        from intake.x12.t278 import build_278_appeal

        ctx = self.ctx
        _, referral = ctx.planned(referral_id)
        now = ctx.clock()
        original = ctx.documents.get(denied.packet["x12"]).decode()
        trace = f"{denied.auth_id[:14]}AP{ctx.count(referral_id, 'appeal') + 1}"
        x12 = build_278_appeal(
            original, review_number=review_number(denied), trace_number=trace, now=now
        )
        folder = f"prior-auth/{referral_id}/{trace}"
        packet = {
            "x12": ctx.documents.put(f"{folder}/appeal.278", x12.encode(), "application/edi-x12"),
            "pdf": denied.appeal or denied.packet["pdf"],
        }
        return self.send(
            referral,
            _following(
                denied,
                auth_id=trace,
                kind="appeal",
                appeal_of=denied.auth_id,
                packet=packet,
                submitted_at=now,
                deadline_at=now + ctx.decision_window,
                requested_from=denied.requested_from,
                requested_to=denied.requested_to,
            ),
            x12,
        )


def _following(earlier: AuthorizationRecord, **fields: Any) -> AuthorizationRecord:
    """A request that follows an earlier one (its revision, its appeal): the same referral,
    drug, payer and reasons, pended until the payer answers."""
    return AuthorizationRecord.model_validate(
        {
            "referral_id": earlier.referral_id,
            "status": "pended",
            "drug": earlier.drug,
            "payer_id": earlier.payer_id,
            "reasons": earlier.reasons,
            "documentation": earlier.documentation,
            **fields,
        }
    )
