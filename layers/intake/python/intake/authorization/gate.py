"""The authorization gate's first question: is a request (or a network exception) needed for
this referral, and if so, is everything in hand to file it (the clinic's evidence, the
prescriber's signature)? Nothing below the gate runs until it passes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from intake.authorization.context import AuthContext, PaStep, headline
from intake.authorization.packet import PaDecision, decide_prior_auth
from intake.authorization.submission import Submission
from intake.models.authorization import PriorAuthSummary
from intake.models.records import ReferralRecord, TaskType


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
