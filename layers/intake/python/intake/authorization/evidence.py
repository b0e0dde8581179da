"""Evidence first: the payer's criteria for the drug, searched in the referral and in what the
clinic sent later; what is missing is faxed to the clinic as a request, and a letter the payer
wants signed goes to the prescriber. Each waits on a person's task (an SLA and escalation)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from intake.authorization.context import AuthContext, PaStep, headline
from intake.authorization.coverage import requested_plan
from intake.authorization.packet import PaDecision
from intake.authorization.packet.criteria import EvidenceReport
from intake.core.observability import metrics
from intake.models.dates import received_at
from intake.models.records import ReferralRecord, TaskType
from intake.models.referral import Referral
from intake.tasks.service import TaskPlan
from intake.x12.t278 import AuthDecision


@dataclass
class EvidenceRequests:
    ctx: AuthContext

    def evidence(
        self, record: ReferralRecord, referral: Referral, *, continuation: bool = False
    ) -> EvidenceReport:
        """The drug's criteria at this payer, searched in the referral and in every upload
        the clinic sent later that was linked to it (oldest first). ``continuation``: a
        course re-authorized, so the continuation criteria (response documented...) apply."""
        from intake.authorization.packet.criteria import Source, evaluate

        linked: list[Source] = []
        for doc in record.documents or []:
            other = self.ctx.store.get_referral(doc.referral_id)
            if other is not None and other.referral is not None:
                when = doc.uploaded_at.date().isoformat()
                linked.append(
                    Source(f"records received {when} ({other.referral_id[:8]})", other.referral)
                )
        return evaluate(
            referral,
            received_on=received_at(record).date(),
            linked=linked,
            continuation=continuation,
        )

    def ask_clinic(
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

        ctx = self.ctx
        referral_id = record.referral_id
        now = ctx.clock()
        round_ = ctx.next_round(referral_id, TaskType.RECORDS_FROM_CLINIC)
        request_id = f"RR{referral_id[:8].upper()}{round_}"
        pdf = render_records_request(
            referral,
            report,
            pharmacy=ctx.pharmacy,
            request_id=request_id,
            now=now,
            round_=round_,
            payer_asked=auth_id is not None,
        )
        uri = ctx.documents.put(
            f"prior-auth/{referral_id}/records-request-{round_}.pdf", pdf, "application/pdf"
        )
        items = [e.as_task_item() for e in report.unmet]
        task_id = f"{referral_id}.{TaskType.RECORDS_FROM_CLINIC.value}.{round_}"
        ctx.update_summary(
            referral_id,
            required=True,
            status="records_requested",
            evidence=report.summary(),
            records_request=uri,
            records_task_id=task_id,
            records_for_auth=auth_id,
        )
        ctx.store.record(
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
                TaskType.RECORDS_FROM_CLINIC, ctx.records_sla, now, details, round_=round_
            ),
        )

    @staticmethod
    def asked_for(answer: AuthDecision) -> list[str]:
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

    # ------------------------------------------------------------------ the prescriber signs
    @staticmethod
    def needs_signature(record: ReferralRecord, referral: Referral) -> bool:
        """The payer wants the letter signed by the prescriber (``accepts_unsigned_summary``
        false in criteria.json) and no signature (or decision to send unsigned) is recorded."""
        from intake.authorization.packet.criteria import criteria_table

        if criteria_table().payer(referral.coverage.payer_id).accepts_unsigned_summary:
            return False
        return headline(record).signature is None

    def ask_signature(
        self,
        record: ReferralRecord,
        referral: Referral,
        decision: PaDecision,
        report: EvidenceReport,
    ) -> PaStep:
        """Fax the letter to the prescriber with a return cover, and wait for it signed (a
        task with an SLA and escalation, as for the clinic's records)."""
        from intake.authorization.packet.packet import signature_request_pdf

        ctx = self.ctx
        referral_id = record.referral_id
        now = ctx.clock()
        round_ = ctx.next_round(referral_id, TaskType.PRESCRIBER_SIGNATURE)
        request_id = f"SG{referral_id[:8].upper()}{round_}"
        pdf = signature_request_pdf(
            referral,
            ctx.benefits(record),
            decision,
            pharmacy=ctx.pharmacy,
            evidence=report,
            waiver=headline(record).evidence_waiver,
            plan=requested_plan(referral),
            now=now,
            received_on=received_at(record).date(),
            request_id=request_id,
        )
        uri = ctx.documents.put(
            f"prior-auth/{referral_id}/signature-request-{round_}.pdf", pdf, "application/pdf"
        )
        ctx.update_summary(
            referral_id, required=True, status="signature_requested", signature_request=uri
        )
        ctx.store.record(referral_id, "signature_requested", at=now, request=uri)
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
                TaskType.PRESCRIBER_SIGNATURE, ctx.records_sla, now, details, round_=round_
            ),
        )
