"""Waiting for the payer without holding a thread: the workflow's task token is kept with the
authorization record, which sits in a sparse index (GSI2 ``AUTH#pending``) only while a
decision is awaited, so the scheduled poller reads just the live ones.

A decision that arrives after the workflow stopped waiting (its token expired at the CMS
window) is still recorded and handed to a person; a payer that errors during polling leaves
the record pending, with its failures counted and the next poll backed off; a request still
pended when its inquiry budget is spent goes to a person who calls the payer.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from intake.authorization.context import FOLLOWUP_SLA, AuthContext, PaStep, review_number
from intake.authorization.packet import status_inquiry
from intake.authorization.submission import Submission
from intake.clearinghouse import ClearinghouseError
from intake.core.observability import logger, metrics
from intake.models.records import AuthorizationRecord, TaskType
from intake.x12.t278 import AuthDecision, build_278_inquiry, interpret_278_response

POLL_FAILURES_BEFORE_A_PERSON = 4


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
class Waiting:
    ctx: AuthContext

    # ------------------------------------------------------------------ the workflow waits
    def register_wait(self, referral_id: str, auth_id: str, task_token: str) -> dict[str, Any]:
        """Keep the workflow's token with the authorization and put it in the poller's index."""
        ctx = self.ctx
        auth = ctx.authorization(referral_id, auth_id)
        next_poll = ctx.clock() + ctx.poll_interval
        ctx.store.update_authorization(
            referral_id,
            auth_id,
            {"task_token": task_token, "next_poll_at": next_poll},
            pending_until=next_poll,
        )
        ctx.store.record(
            referral_id,
            "prior_auth_waiting",
            at=ctx.clock(),
            auth_id=auth_id,
            deadline=auth.deadline_at.isoformat(),
        )
        return {"registered": True}

    def overdue(self, referral_id: str, auth_id: str) -> PaStep:
        """Pended past the decision window: a person calls the payer. Polling continues; a
        late decision is recorded and reaches the person too."""
        ctx = self.ctx
        auth = ctx.authorization(referral_id, auth_id)
        now = ctx.clock()
        ctx.store.record(
            referral_id,
            "prior_auth_overdue",
            at=ctx.clock(),
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
            task=ctx.plan(referral_id, TaskType.PRIOR_AUTH_FOLLOWUP, details, now),
        )

    def payer_down(self, referral_id: str) -> PaStep:
        """The 278 could not be sent through all retries: a person faxes the stored packet."""
        ctx = self.ctx
        now = ctx.clock()
        ctx.store.record(
            referral_id, "prior_auth_submission_failed", at=ctx.clock(), reason="payer unavailable"
        )
        details = {
            "reason": "the payer did not accept the electronic request; fax the packet",
            "packet_folder": f"prior-auth/{referral_id}/",
        }
        return PaStep(
            route="task",
            status="not_submitted",
            task=ctx.plan(referral_id, TaskType.PRIOR_AUTH_FOLLOWUP, details, now),
        )

    # ------------------------------------------------------------------ the scheduled poller
    def poll(self) -> PollReport:
        """Ask the payer about every authorization due a poll: the inquiries go out side by
        side (``poll_concurrency`` at a time, since each waits on the payer for seconds), and
        the answers are recorded one by one. One record's failure never stops the others."""
        now = self.ctx.clock()
        due = self.ctx.store.pending_authorizations(now)
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
                reply = self.ctx.gateway.submit_prior_auth(x12, correlation_id=auth.referral_id)
                return interpret_278_response(reply.x12)
            except Exception as exc:
                return exc

        concurrency = self.ctx.poll_concurrency
        if len(inquiries) <= 1 or concurrency <= 1:
            return [(auth, ask((auth, x12))) for auth, x12 in inquiries]
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            results = list(pool.map(ask, inquiries))
        return [(auth, result) for (auth, _), result in zip(inquiries, results, strict=True)]

    def next_poll(self, auth: AuthorizationRecord, now: datetime) -> datetime:
        """Polls back off with the request's age, to respect the payer's per-inquiry fees:
        every interval for the first 4 intervals (15 min: the first hour), every 4 intervals
        until 32 (hourly until 8 h), then every 32 (every 8 h) to the end of the window."""
        age = now - auth.submitted_at
        base = self.ctx.poll_interval
        step = base if age < 4 * base else 4 * base if age < 32 * base else 32 * base
        return now + step

    def _act_on(self, auth: AuthorizationRecord, answer: AuthDecision, now: datetime) -> str:
        """Record a polled answer; resume the workflow on a decision. Returns pending,
        decided, late (decided after the workflow stopped waiting) or budget_spent."""
        ctx = self.ctx
        if answer.status == "pended":
            polls = auth.polls + 1
            if polls >= ctx.inquiry_budget:
                return self._budget_spent(auth, polls, now)
            next_poll = self.next_poll(auth, now)
            ctx.store.update_authorization(
                auth.referral_id,
                auth.auth_id,
                {"polls": polls, "next_poll_at": next_poll, "poll_failures": 0},
                pending_until=next_poll,
            )
            return "pending"
        _, referral = ctx.planned(auth.referral_id)
        step = Submission(ctx).answers.decided(referral, auth, answer, now, polls=auth.polls + 1)
        # Past the window the workflow stopped waiting (its wait timed out into a follow-up
        # task): its token is dead whether or not the engine says so. Before it, a token the
        # engine refuses (TaskTimedOut, InvalidToken) is dead too.
        waiting = auth.task_token is not None and now < auth.deadline_at
        if not waiting or not ctx.workflow.resume(
            auth.task_token or "", step.model_dump(mode="json")
        ):
            self._decided_late(auth, answer, now)
            return "late"
        return "decided"

    def _budget_spent(self, auth: AuthorizationRecord, polls: int, now: datetime) -> str:
        """Every inquiry the budget allows went unanswered: stop paying for inquiries and hand
        the workflow to a person (who calls the payer, then records what it said)."""
        ctx = self.ctx
        ctx.store.update_authorization(
            auth.referral_id,
            auth.auth_id,
            {"polls": polls, "budget_spent": True},
            pending_until=None,
        )
        ctx.store.record(
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
            task=ctx.plan(
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
            ctx.workflow.resume(auth.task_token, step.model_dump(mode="json"))
        return "budget_spent"

    def _inquiry(self, auth: AuthorizationRecord, now: datetime) -> str:
        _, referral = self.ctx.referral(auth.referral_id)
        inquiry = status_inquiry(
            referral,
            self.ctx.pharmacy,
            trace_number=f"{auth.auth_id[:20]}Q{auth.polls + 1}",
            original_trace=auth.auth_id,
            event_start=auth.requested_from or auth.submitted_at.date(),
            review_number=review_number(auth),
        )
        return build_278_inquiry(inquiry, now=now)

    def _poll_failed(self, auth: AuthorizationRecord, now: datetime, exc: Exception) -> None:
        ctx = self.ctx
        failures = auth.poll_failures + 1
        next_poll = self.next_poll(auth, now) + ctx.poll_interval * (2 ** min(failures, 3) - 1)
        ctx.store.update_authorization(
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
            ctx.store.record(
                auth.referral_id,
                "prior_auth_polling_failing",
                at=ctx.clock(),
                auth_id=auth.auth_id,
                failures=failures,
            )
            ctx.tasks.open_review_task(
                auth.referral_id,
                TaskType.PRIOR_AUTH_FOLLOWUP,
                now + FOLLOWUP_SLA,
                {
                    "auth_id": auth.auth_id,
                    "reason": "status inquiries to the payer keep failing",
                    "error": type(exc).__name__,
                },
                round_=ctx.next_round(auth.referral_id, TaskType.PRIOR_AUTH_FOLLOWUP),
            )

    def _decided_late(self, auth: AuthorizationRecord, answer: AuthDecision, now: datetime) -> None:
        """The workflow stopped waiting (its token expired): keep the decision and tell a person."""
        ctx = self.ctx
        ctx.store.update_authorization(
            auth.referral_id, auth.auth_id, {"token_expired": True}, pending_until=None
        )
        ctx.store.record(
            auth.referral_id,
            "prior_auth_decided_late",
            at=ctx.clock(),
            auth_id=auth.auth_id,
            answer=answer.status,
        )
        ctx.tasks.open_review_task(
            auth.referral_id,
            TaskType.PRIOR_AUTH_FOLLOWUP,
            now + FOLLOWUP_SLA,
            {
                "auth_id": auth.auth_id,
                "reason": f"the payer decided after the window: {answer.status}",
                "certification_number": answer.certification_number,
                "decision_reason": answer.reason,
            },
            round_=ctx.next_round(auth.referral_id, TaskType.PRIOR_AUTH_FOLLOWUP),
        )
