"""The authorization gate's first question: is a request (or a network exception) needed for
this referral, and if so, is everything in hand to file it (the clinic's evidence, the
prescriber's signature)? Nothing below the gate runs until it passes.

Original Medicare is decided apart: no Original Medicare prior authorization program covers
home infusion drugs, pumps or home IVIG (``no_original_medicare_pa`` in
``intake/data/medicare_rules.json``), so no 278 goes to a MAC. The gate passes on coverage and
documentation: which benefit pays at home is decided and cited on the timeline, and the
packet's PDF is kept on file as the supplier's documentation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from intake.authorization.context import AuthContext, PaStep, headline
from intake.authorization.coverage import home_ivig_listed
from intake.authorization.packet import PaDecision, decide_prior_auth
from intake.authorization.pharmacy_benefit import CarveOut, carve_out, named_pbm
from intake.authorization.submission import Submission
from intake.models.authorization import PriorAuthSummary
from intake.models.records import ReferralRecord, TaskType
from intake.models.referral import Referral
from intake.reference.contracts import load_contracts
from intake.reference.medicare import (
    HomeBenefit,
    Program,
    ProgramAnswer,
    decide_home_benefit,
    program,
    rule,
)


@dataclass
class AuthorizationGate:
    ctx: AuthContext

    def submit(self, referral_id: str, *, network_checked: bool = False) -> PaStep:
        """Decide whether authorization (or a network exception) is needed and file it.
        Everything is planned from the receipt date: a start in the past is asked for from
        the day we received the referral."""
        ctx = self.ctx
        submission = Submission(ctx)
        evidence = submission.evidence
        record, referral = ctx.planned(referral_id)
        who = program(ctx.benefits(record), referral.coverage.payer_id)
        if who.program is Program.ORIGINAL_MEDICARE:
            return self._original_medicare(record, referral)
        if who.other_payer is not None:
            return self._other_plan_first(record, who)
        terms = load_contracts().terms_for(referral.coverage.payer_id, ctx.benefits(record).plan)
        carved = carve_out(referral, ctx.benefits(record), terms)
        if carved is not None:
            return self._pharmacy_benefit(record, referral, carved)
        decision = decide_prior_auth(referral, ctx.benefits(record))
        now = ctx.clock()
        if decision.network_exception and not network_checked:
            return self._network_exception(record, decision, now)
        if not decision.required:
            ctx.gate(referral_id, "passed", required=False, reasons=decision.reasons)
            ctx.store.record(
                referral_id, "prior_auth_not_required", at=ctx.clock(), reasons=decision.reasons
            )
            return PaStep(route="proceed", status="not_required")
        report = evidence.evidence(record, referral)
        unmet = [e.id for e in report.unmet]
        if unmet and not set(unmet) <= headline(record).waived():
            return evidence.ask_clinic(record, referral, report)
        if evidence.needs_signature(record, referral):
            return evidence.ask_signature(record, referral, decision, report)
        return submission.file(record, referral, decision, kind="initial", evidence=report)

    def _original_medicare(self, record: ReferralRecord, referral: Referral) -> PaStep:
        """No 278 to a MAC: decide and cite the benefit that pays at home, keep the
        documentation on file, pass the gate (a use Medicare does not cover at home is priced
        so by the estimate, never sent to wait on a program that does not exist)."""
        ctx = self.ctx
        referral_id = record.referral_id
        therapy = referral.therapy
        home = decide_home_benefit(
            therapy.hcpcs,
            [therapy.drug_name],
            [d.code for d in referral.diagnoses],
            ivig_listed=home_ivig_listed,
        )
        no_pa = rule("no_original_medicare_pa")
        reasons = [
            "Original Medicare has no prior authorization program for home infusion drugs, "
            f"pumps or home IVIG ({no_pa.cite}): no request is sent to the MAC",
            *home.reasons,
            f"the drug is paid by {home.drug_paid_by}; services: {home.services}",
        ]
        now = ctx.clock()
        ctx.store.record(
            referral_id,
            "medicare_benefit_decided",
            at=now,
            benefit=home.benefit.value,
            rules=list(home.rules),
            cites=home.citations(),
            send_278_to_mac=False,
        )
        if home.benefit is HomeBenefit.PART_D:
            # The drug is the Part D plan's: its coverage determination, not a MAC's 278.
            return self._pharmacy_benefit(
                record,
                referral,
                CarveOut(
                    therapy.hcpcs or therapy.drug_name,
                    f"Original Medicare pays {therapy.hcpcs or 'this drug'} at home only "
                    f"through Part D ({'; '.join(home.citations())})",
                    named_pbm(ctx.benefits(record), referral.coverage.payer_id),
                ),
                unknown="the patient's Part D plan (the Medicare 271 does not name it: ask the "
                "patient for the Part D card)",
            )
        on_file = self._documentation_on_file(record, referral, reasons)
        ctx.gate(
            referral_id,
            "passed",
            required=False,
            reasons=reasons,
            status="documentation_on_file",
            **({"packet": {"pdf": on_file}} if on_file else {}),
        )
        ctx.store.record(
            referral_id,
            "prior_auth_not_required",
            at=ctx.clock(),
            reasons=reasons,
            rules=["no_original_medicare_pa", *home.rules],
        )
        return PaStep(route="proceed", status="not_required")

    def _other_plan_first(self, record: ReferralRecord, who: ProgramAnswer) -> PaStep:
        """Medicare's 271 names another plan to bill (a Medicare Advantage plan, or the primary
        when Medicare is secondary): nothing is filed with the MAC. A person verifies and
        authorizes with that plan (its own 271 and 278 or portal) and records its answer."""
        ctx = self.ctx
        referral_id = record.referral_id
        now = ctx.clock()
        cited = rule(
            "medicare_advantage"
            if who.program is Program.MEDICARE_ADVANTAGE
            else "medicare_secondary"
        )
        reason = f"{who.reason} ({cited.cite}): {who.other_payer} is the plan to verify and bill"
        ctx.update_summary(
            referral_id, gate="waiting", status="other_plan_first", reason=reason, required=None
        )
        ctx.store.record(
            referral_id,
            "other_plan_first",
            at=now,
            program=who.program.value,
            plan=who.other_payer,
            cites=[cited.cite],
            send_278_to_mac=False,
        )
        details = {
            "reason": reason,
            "suggest": f"verify the patient's benefits with {who.other_payer} (its own 270/271) "
            "and authorize with it (its 278 or portal), never the MAC; record its answer",
        }
        return PaStep(
            route="task",
            status="other_plan_first",
            task=ctx.plan(referral_id, TaskType.PRIOR_AUTH_FOLLOWUP, details, now),
        )

    def _documentation_on_file(
        self, record: ReferralRecord, referral: Referral, reasons: list[str]
    ) -> str | None:
        """The packet's PDF (order, diagnosis, clinical documentation), stored as what the
        supplier keeps on file for Original Medicare; None when there is no document store."""
        from intake.authorization.coverage import requested_plan
        from intake.authorization.packet import build_packet
        from intake.models.dates import received_at

        ctx = self.ctx
        documents = getattr(ctx, "documents", None)
        if documents is None:
            return None
        plan = requested_plan(referral)
        evidence = Submission(ctx).evidence.evidence(record, referral)
        packet = build_packet(
            referral,
            ctx.benefits(record),
            PaDecision(required=False, reasons=reasons, documentation=[]),
            evidence=evidence,
            pharmacy=ctx.pharmacy,
            now=ctx.clock(),
            original_document=documents.original(record),
            original_name=record.source.key.rsplit("/", 1)[-1],
            trace_number=f"{record.referral_id[:12]}DOC",
            received_on=received_at(record).date(),
            plan=plan,
        )
        uri: str = documents.put(
            f"documentation/{record.referral_id}/on-file.pdf", packet.pdf, "application/pdf"
        )
        ctx.store.record(record.referral_id, "documentation_on_file", at=ctx.clock(), pdf=uri)
        return uri

    def _pharmacy_benefit(
        self,
        record: ReferralRecord,
        referral: Referral,
        carved: CarveOut,
        unknown: str = "the PBM (not named: ask the medical payer which PBM)",
    ) -> PaStep:
        """A pharmacy-benefit drug: no 278 to the medical payer. The packet, addressed to the
        PBM with its fax or portal, is stored, and a task tells the liaison where to send it
        and to record the PBM's answer (the gate waits on it)."""
        from intake.authorization.coverage import requested_plan
        from intake.authorization.packet import build_packet
        from intake.authorization.packet.models import Addressee
        from intake.models.dates import received_at

        ctx = self.ctx
        referral_id = record.referral_id
        pbm = carved.pbm
        now = ctx.clock()
        round_ = ctx.next_round(referral_id, TaskType.SEND_TO_PBM)
        name = pbm.name if pbm else unknown
        reasons = [
            f"{carved.why}: it is authorized with the pharmacy benefit manager ({name}), "
            "not by a 278 to the medical payer",
        ]
        packet = build_packet(
            referral,
            ctx.benefits(record),
            PaDecision(required=True, reasons=reasons, documentation=[]),
            evidence=Submission(ctx).evidence.evidence(record, referral),
            pharmacy=ctx.pharmacy,
            now=now,
            original_document=ctx.documents.original(record),
            original_name=record.source.key.rsplit("/", 1)[-1],
            trace_number=f"{referral_id[:12]}PBM{round_}",
            received_on=received_at(record).date(),
            plan=requested_plan(referral),
            addressee=Addressee(
                name, fax=pbm.fax if pbm else None, portal=pbm.portal if pbm else None
            ),
        )
        uri = ctx.documents.put(
            f"prior-auth/{referral_id}/pbm-{round_}/packet.pdf", packet.pdf, "application/pdf"
        )
        ctx.update_summary(
            referral_id,
            required=True,
            gate="waiting",
            status="sent_to_pbm",
            reason=reasons[0],
            packet={"pdf": uri},
        )
        ctx.store.record(
            referral_id,
            "pbm_packet_ready",
            at=now,
            why=carved.why,
            pbm=pbm.name if pbm else None,
            pbm_id=pbm.id if pbm else None,
            pbm_from=pbm.source if pbm else None,
            drug=carved.drug,
            pdf=uri,
        )
        where = " or ".join(
            x
            for x in (
                (f"fax {pbm.fax}" if pbm and pbm.fax else ""),
                (pbm.portal or "") if pbm else "",
            )
            if x
        )
        details = {
            "reason": reasons[0],
            "packet": {"pdf": uri},
            "pbm_name": name,
            "pbm_id": pbm.id if pbm else None,
            "pbm_fax": pbm.fax if pbm else None,
            "pbm_portal": pbm.portal if pbm else None,
            "drug": carved.drug,
            "ask": f"send the packet to {name}"
            + (f" ({where})" if where else " (its fax or portal is not on file: ask the payer)")
            + "; record the PBM's answer (approved, denied, or not required); the per diem "
            "and nursing are billed apart from the drug (see the estimate)",
        }
        return PaStep(
            route="task",
            status="sent_to_pbm",
            task=ctx.plan(referral_id, TaskType.SEND_TO_PBM, details, now),
        )

    def _network_exception(
        self, record: ReferralRecord, decision: PaDecision, now: datetime
    ) -> PaStep:
        """Out of network with no out-of-network benefit: never straight to scheduling. A
        liaison asks the payer for a single-case agreement; the request letter is ready."""
        ctx = self.ctx
        referral_id = record.referral_id
        reason = decision.network_exception_reason or (
            "the pharmacy is out of network and the plan has no out-of-network benefit"
        )
        ctx.store.update_referral(
            referral_id,
            updated_at=now,
            prior_auth=PriorAuthSummary(
                required=decision.required,
                network_exception=True,
                status="network_exception_needed",
                gate="waiting",
                reason=reason,
            ).stored(),
        )
        ctx.store.record(referral_id, "network_exception_needed", at=now)
        details = {
            "reason": reason,
            "ask": "a network exception (single-case agreement) for this therapy at the "
            "patient's site of care; then the authorization is filed",
            "authorization_required": decision.required,
        }
        return PaStep(
            route="task",
            status="network_exception_needed",
            task=ctx.plan(referral_id, TaskType.NETWORK_EXCEPTION, details, now),
        )
