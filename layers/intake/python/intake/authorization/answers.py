"""Acting on the payer's answer to a request: record it, prepare the appeal letter on a denial,
and either pass the gate (certifications covering every planned dose), ask for the doses left
uncovered, or hand the answer to the person who acts on it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from intake.authorization.context import AuthContext, PaStep
from intake.authorization.coverage import drug_key, planned_doses, requested_plan, uncovered
from intake.authorization.packet import PaDecision, build_appeal_pdf
from intake.models.authorization import AuthorizationDecision, certified_period
from intake.models.dates import received_at
from intake.models.records import AuthorizationRecord, ReferralRecord, TaskType
from intake.models.referral import Referral
from intake.therapy import ServicePlan
from intake.therapy.plan import from_day
from intake.x12.t278 import AuthDecision
from intake.x12.t278.decision import LineDecision

MAX_EXTENSIONS = 3
"""Requests for doses earlier certifications left uncovered, before a person takes over."""

TASK_FOR_STATUS: dict[str, TaskType] = {
    "partial": TaskType.ACCEPT_OR_APPEAL,
    "modified": TaskType.ACCEPT_OR_APPEAL,
    "denied": TaskType.APPEAL_OR_ALTERNATIVES,
}
"""Who acts on an answer that is not a plain certification (else: a follow-up with the payer)."""

Extend = Callable[[ReferralRecord, Referral, ServicePlan], PaStep]
"""Files a request (an ``extension``) for the plan's doses."""


@dataclass
class Answers:
    ctx: AuthContext
    extend: Extend

    def decided(
        self,
        referral: Referral,
        auth: AuthorizationRecord,
        answer: AuthDecision,
        now: datetime,
        polls: int = 0,
    ) -> PaStep:
        ctx = self.ctx
        referral_id = auth.referral_id
        decision = kept(answer)
        fields: dict[str, Any] = {"status": answer.status, "decided_at": now, "polls": polls}
        if answer.status == "denied":
            packet_pdf = ctx.documents.get(auth.packet["pdf"])
            record, _ = ctx.referral(referral_id)
            appeal = build_appeal_pdf(
                referral,
                answer,
                packet_pdf,
                pharmacy=ctx.pharmacy,
                now=now,
                pa_decision=PaDecision(
                    required=True, reasons=auth.reasons, documentation=auth.documentation
                ),
                received_on=received_at(record).date(),
            )
            fields["appeal"] = ctx.documents.put(
                f"prior-auth/{referral_id}/{auth.auth_id}/appeal.pdf", appeal, "application/pdf"
            )
        ctx.store.update_authorization(
            referral_id,
            auth.auth_id,
            {**fields, "decision": decision.stored()},
            pending_until=None,
        )
        updated = auth.model_copy(update={**fields, "decision": decision})
        ctx.summarize(referral_id, updated, answer.status)
        ctx.store.record(
            referral_id,
            f"prior_auth_{answer.status}",
            at=ctx.clock(),
            auth_id=auth.auth_id,
            certification=answer.certification_number,
            reason=answer.reason,
        )
        if answer.status == "certified":
            return self.certified(referral, updated)
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
            task=ctx.plan(referral_id, kind, details, now),
        )

    def certified(self, referral: Referral, auth: AuthorizationRecord) -> PaStep:
        """Certified: the gate passes only when the certifications for this drug cover every
        planned dose; doses left outside get a request of their own first."""
        ctx = self.ctx
        referral_id = auth.referral_id
        drug = drug_key(referral)
        mine = [a for a in ctx.store.authorizations_of(referral_id) if a.drug in (drug, None)]
        periods = [
            p
            for a in mine
            if a.status == "certified"
            and (p := certified_period(a.decision, a.requested_from, a.requested_to))
        ]
        plan = requested_plan(referral)
        doses = planned_doses(plan)
        missing = uncovered(doses, periods)
        if not missing:
            ctx.gate(referral_id, "passed")
            ctx.store.record(
                referral_id, "authorization_gate_passed", at=ctx.clock(), doses=len(doses)
            )
            return PaStep(route="proceed", status="certified", auth_id=auth.auth_id)
        ctx.store.record(
            referral_id,
            "authorization_does_not_cover_doses",
            at=ctx.clock(),
            auth_id=auth.auth_id,
            uncovered=len(missing),
            first_uncovered=missing[0].isoformat(),
        )
        if sum(a.kind == "extension" for a in mine) >= MAX_EXTENSIONS:
            return PaStep(
                route="task",
                status="certified_short",
                auth_id=auth.auth_id,
                task=ctx.plan(
                    referral_id,
                    TaskType.PRIOR_AUTH_FOLLOWUP,
                    {
                        "auth_id": auth.auth_id,
                        "reason": f"{len(missing)} planned doses from "
                        f"{missing[0].isoformat()} are outside every certification",
                    },
                    ctx.clock(),
                ),
            )
        record, _ = ctx.referral(referral_id)
        return self.extend(record, referral, from_day(plan, missing[0]))


def kept(answer: AuthDecision) -> AuthorizationDecision:
    """The payer's answer as the authorization record keeps it."""
    return AuthorizationDecision.model_validate(answer.model_dump())


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
