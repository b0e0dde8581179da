"""The check before each dose: the steps of the dose-check state machine.

One execution per dose version (``<referral>-dose-<n>-<version>``). Each step re-reads the
dose and stops ("superseded") when it was moved, held or ended since the check started, so a
late step never undoes a person's change. The dose is ``cleared`` only when coverage is active
on the dose's day, an authorization covers its date and units (or none is needed) and the
check-in call reached the patient; anything else holds it with a reason and a task.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel, Field

from intake.core.clock import utcnow
from intake.core.errors import Conflict, NotFound
from intake.core.observability import logger
from intake.course.calendar import CalendarRules
from intake.course.model import DoseRecord, DoseStatus
from intake.course.ports import DoseStore
from intake.models.authorization import PriorAuthSummary, certified_period
from intake.models.benefits import BenefitsSummary, CoverageStatus, Plan
from intake.models.ports import ReferralStore
from intake.models.records import AuthorizationRecord, CallOutcome, ReferralRecord, TaskType
from intake.tasks.service import TaskService

if TYPE_CHECKING:
    from intake.eligibility.service import BenefitsCheck
    from intake.estimate.service import CostEstimates

HOLD_TASK_SLA = timedelta(hours=24)
STEP_ATTEMPTS = 5
"""A step whose conditional write loses a race is read again and redone up to this often."""
CHECKIN_SLA = timedelta(hours=48)
CHECKIN_QUESTIONS = {
    "en": [
        "Any side effects since the last infusion?",
        "Any hospital or emergency visits since the last infusion?",
        "What supplies do you have on hand (saline, heparin, tubing, dressings)?",
        "Confirm the delivery address and the infusion date.",
    ],
    "es": [
        "¿Ha tenido efectos secundarios desde la última infusión?",
        "¿Ha estado en el hospital o en urgencias desde la última infusión?",
        "¿Qué suministros tiene en casa (solución salina, heparina, tubos, apósitos)?",
        "Confirme la dirección de entrega y la fecha de la infusión.",
    ],
    "zh": [
        "上次输液后有没有副作用?",
        "上次输液后有没有住院或去急诊?",
        "家里还有哪些用品(生理盐水、肝素、输液管、敷料)?",
        "请确认送货地址和输液日期。",
    ],
}


class DoseCheckRequest(BaseModel):
    action: str
    referral_id: str
    dose: int = Field(ge=1)
    version: int = Field(ge=1)
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None


class AuthorizationStore(ReferralStore, Protocol):
    def authorizations_of(self, referral_id: str) -> list[AuthorizationRecord]: ...


def benefit_changes(before: BenefitsSummary | None, after: BenefitsSummary) -> list[str]:
    """What moved between two 271 readings: ``coverage_ended``, ``payer_changed``,
    ``plan_changed``, ``accumulators_moved`` (deductible or out-of-pocket met/remaining)."""
    changes = []
    if after.status is not CoverageStatus.ACTIVE:
        changes.append("coverage_ended")
    if (before.payer.id if before else None) != after.payer.id:
        changes.append("payer_changed")
    # A new plan year of the same plan (its begin date moves) is a rollover, not a change.
    plan_b = before.plan if before else Plan()
    if (plan_b.group_number, plan_b.description) != (
        after.plan.group_number,
        after.plan.description,
    ):
        changes.append("plan_changed")
    if before is None or before.summary != after.summary:
        changes.append("accumulators_moved")
    return changes


def certified_cover(
    auths: list[AuthorizationRecord], drug: str, drug_code: str | None, day: date
) -> tuple[bool, int | None, date | None]:
    """Whether a certification for the drug covers ``day``: (covered, drug units approved in
    the certifications covering it or None when the payer gave no count, their last end)."""
    covered, units, end = False, None, None
    for auth in auths:
        if auth.status not in ("certified", "modified", "partial") or auth.drug not in (drug, None):
            continue
        period = certified_period(auth.decision, auth.requested_from, auth.requested_to)
        if period is None or not period[0] <= day <= period[1]:
            continue
        hi = period[1]
        covered = True
        end = max(end, hi) if end else hi
        for line in auth.decision.lines if auth.decision else ():
            approved = line.approved_units
            wasted = "JW" in line.modifiers
            if line.procedure_code == drug_code and approved is not None and not wasted:
                units = (units or 0) + int(approved)
    return covered, units, end


@dataclass
class DoseCheck:
    store: AuthorizationStore
    doses: DoseStore
    tasks: TaskService
    benefits: Callable[[], BenefitsCheck]
    estimates: Callable[[], CostEstimates]
    rules: CalendarRules = field(default_factory=CalendarRules)
    reauth_lead: timedelta = timedelta(days=14)
    clock: Callable[[], datetime] = utcnow
    # The state machine files the re-authorization 278 itself (``next: reauthorize``); without
    # it (a check run on its own) a dose the certifications do not cover is a person's task.
    file_278: bool = False

    def run(self, request: DoseCheckRequest) -> dict[str, Any]:
        actions: dict[str, Callable[[DoseCheckRequest], dict[str, Any]]] = {
            "verify": self.verify,
            "authorize": self.authorize,
            "queue_checkin": self.queue_checkin,
            "conclude": self.conclude,
            "payer_down": self.payer_down,
            "failed": self.failed,
        }
        action = actions.get(request.action)
        if action is None:
            raise ValueError(f"unknown dose-check action '{request.action}'")
        for attempt in range(1, STEP_ATTEMPTS + 1):
            dose = self.doses.get(request.referral_id, request.dose)
            if dose is None:
                raise NotFound(f"referral {request.referral_id} has no dose {request.dose}")
            if dose.version != request.version or dose.status not in (
                DoseStatus.SCHEDULED,
                DoseStatus.CHECKING,
            ):
                self.store.record(
                    request.referral_id,
                    "dose_check_superseded",
                    at=self.clock(),
                    dose=dose.number,
                    step=request.action,
                    version=request.version,
                    now_version=dose.version,
                    status=dose.status.value,
                )
                return {"next": "stop", "why": "superseded"}
            try:
                return action(request)
            except Conflict:
                # Its conditional write lost a race (the sweep marked it checking, a person
                # held, ended or moved it): read the dose again and redo the step, never skip.
                logger.info(
                    "dose check step lost a race; read again",
                    extra={
                        "referral_id": request.referral_id,
                        "dose": request.dose,
                        "step": request.action,
                        "attempt": attempt,
                    },
                )
        raise Conflict(f"dose {request.dose} of {request.referral_id} keeps changing; retry")

    # ------------------------------------------------------------------ steps
    def verify(self, request: DoseCheckRequest) -> dict[str, Any]:
        """Re-verify eligibility for the dose's day and compare with the last 271."""
        from intake.eligibility.service import PayerUnavailable  # noqa: F401  (raised to the machine)

        dose = self._checking(request)
        record = self._referral(request.referral_id)
        before = record.benefits.answer if record.benefits else None
        self.benefits().run(
            request.referral_id, round_=100 * dose.number + dose.version, service_day=dose.day
        )
        checked = self._referral(request.referral_id).benefits
        assert checked is not None  # the check just stored it
        after = checked.answer
        changes = benefit_changes(before, after)
        previous = self._previous(dose)
        if previous is not None and previous.plan_year != dose.plan_year:
            changes.append("plan_year_rollover")
        now = self.clock()
        self.store.record(
            request.referral_id,
            "dose_check_benefits",
            at=now,
            dose=dose.number,
            day=dose.day.isoformat(),
            coverage=after.status.value,
            changes=changes,
        )
        result: dict[str, Any] = {"coverage": after.status.value, "changes": changes}
        if "coverage_ended" in changes:
            reason = f"coverage is {after.status.value} on {dose.day.isoformat()}"
            self._hold(dose, reason, TaskType.DOSE_HOLD, {"coverage_status": after.status.value})
            return {**result, "next": "stop"}
        if {"payer_changed", "plan_changed", "accumulators_moved", "plan_year_rollover"} & set(
            changes
        ):
            estimate = self.estimates().run(request.referral_id)
            version = (estimate.get("details") or {}).get("estimate", {}) or {}
            result["estimate_version"] = version.get("version")
        if {"payer_changed", "plan_changed"} & set(changes):
            # Earlier certifications were the old plan's: from now on only requests made
            # after the change count (every later dose, not just this one).
            result["reauthorize"] = True
            summary = self._referral(request.referral_id).prior_auth or PriorAuthSummary()
            changed = summary.model_copy(update={"plan_changed_at": now})
            self.store.update_referral(
                request.referral_id, prior_auth=changed.stored(), updated_at=now
            )
        self._update(dose, check={**dose.check, "benefits": result})
        return {**result, "next": "continue"}

    def authorize(self, request: DoseCheckRequest) -> dict[str, Any]:
        """The dose's date inside a certification and its units left; re-authorization ahead
        of time (``reauth_lead`` before the certification ends or its units run out)."""
        dose = self._checking(request)
        record = self._referral(request.referral_id)
        prior_auth = record.prior_auth or PriorAuthSummary()
        changed_at = prior_auth.plan_changed_at
        changed_plan = changed_at is not None
        if prior_auth.required is not True and not changed_plan:
            result: dict[str, Any] = {"authorization": "not_required"}
            self._update(dose, check={**dose.check, "authorization": result})
            return {**result, "next": "continue"}
        if prior_auth.gate == "self_pay":
            result = {"authorization": "self_pay"}
            self._update(dose, check={**dose.check, "authorization": result})
            return {**result, "next": "continue"}
        assert record.referral is not None
        from intake.authorization.coverage import drug_key

        if changed_plan:
            # The authorization decision again, from the new plan's 271: a plan that needs
            # none lets the dose through; one that does needs a request of its own.
            from intake.authorization.policy import decide_prior_auth  # the makers layer

            if record.benefits is None:
                raise NotFound(f"referral {request.referral_id} has no benefits checked")
            if not decide_prior_auth(record.referral, record.benefits.answer).required:
                result = {"authorization": "not_required", "plan_changed": True}
                self.store.record(
                    request.referral_id,
                    "dose_check_authorization",
                    at=self.clock(),
                    dose=dose.number,
                    **result,
                )
                self._update(dose, check={**dose.check, "authorization": result})
                return {**result, "next": "continue"}
        auths = [
            a
            for a in self.store.authorizations_of(request.referral_id)
            if changed_at is None or a.submitted_at >= changed_at
        ]
        drug = drug_key(record.referral)
        covered, approved, end = certified_cover(
            auths, drug, record.referral.therapy.hcpcs, dose.day
        )
        doses = self.doses.of(request.referral_id)
        used = sum(
            d.drug_units or 0
            for d in doses
            if d.number < dose.number and d.status is DoseStatus.CLEARED
        )
        need = dose.drug_units or 0
        left = None if approved is None else approved - used
        result = {
            "authorization": "covered",
            "certified_to": end.isoformat() if end else None,
            "units_approved": approved,
            "units_used": used,
            "units_left": left,
            "units_needed": need,
        }
        why = None
        if changed_plan and not covered:
            why = "the payer or plan changed: the authorization must be requested from the new plan"
        elif not covered:
            why = f"no certification covers {dose.day.isoformat()}"
        elif left is not None and left < need:
            why = f"the certification has {left} units left; this dose needs {need}"
        now = self.clock()
        reauth = request.result or {}
        tried = bool(reauth.get("route"))  # this check already asked the payer (a 278)
        first_day = doses[0].day if doses else dose.day
        if why is not None:
            result["authorization"] = "not_covered"
            self.store.record(
                request.referral_id, "dose_check_authorization", at=now, dose=dose.number, **result
            )
            if self.file_278 and not tried:
                return {
                    **result,
                    "next": "reauthorize",
                    "first_day": first_day.isoformat(),
                    "from_dose": dose.day.isoformat(),
                }
            if tried:
                why += f" (re-authorization: {reauth.get('status')})"
                result["reauthorization"] = {
                    k: reauth.get(k) for k in ("status", "auth_id", "route")
                } | {"task": (reauth.get("task") or {}).get("details")}
            self._hold(dose, why, TaskType.DOSE_REAUTHORIZATION, result)
            return {**result, "next": "stop"}
        raised = None
        ahead = [d for d in doses if d.number > dose.number and d.status is not DoseStatus.ENDED]
        nxt = ahead[0] if ahead else None
        short = False
        if nxt is not None:
            # The next dose, against the certifications covering its own day: outside all of
            # them (the current one ends before it), or their units short once this dose is given.
            covers_next, approved_next, _ = certified_cover(
                auths, drug, record.referral.therapy.hcpcs, nxt.day
            )
            short = not covers_next or (
                approved_next is not None and approved_next - used - need < (nxt.drug_units or 0)
            )
        if short and nxt is not None and self.file_278 and not tried:
            # Ahead of time: the next dose will not be covered; the 278 goes out now.
            self.store.record(
                request.referral_id, "dose_check_authorization", at=now, dose=dose.number, **result
            )
            return {
                **result,
                "next": "reauthorize",
                "first_day": first_day.isoformat(),
                "from_dose": nxt.day.isoformat(),
            }
        if tried:
            result["reauthorization"] = {k: reauth.get(k) for k in ("status", "auth_id")}
        if short and nxt is not None:
            # Ahead of time: the next dose will not be covered; ask now, not at its check.
            raised = self._task(
                dose,
                TaskType.DOSE_REAUTHORIZATION,
                f"re-authorize before dose {nxt.number} on {nxt.day.isoformat()}: "
                + (
                    f"the certification ends {end.isoformat()}"
                    if end is not None and nxt.day > end
                    else "its units will not cover it"
                ),
                {**result, "next_dose": nxt.number, "next_day": nxt.day.isoformat()},
                due=datetime.combine(min(nxt.day, end or nxt.day), time(13), tzinfo=UTC)
                - self.reauth_lead,
            )
            result["reauthorization_task"] = raised
        self.store.record(
            request.referral_id,
            "dose_check_authorization",
            at=now,
            dose=dose.number,
            **_facts(result),
        )
        tasks = [*dose.tasks, result["reauthorization_task"]] if raised else dose.tasks
        self._update(dose, check={**dose.check, "authorization": result}, tasks=tasks)
        return {**result, "next": "continue"}

    def queue_checkin(self, request: DoseCheckRequest) -> dict[str, Any]:
        """The pre-infusion check-in call: questions and cost in the patient's language."""
        dose = self._checking(request)
        record = self._referral(request.referral_id)
        now = self.clock()
        ship_by = datetime.combine(dose.ship_by or dose.day, time(13), tzinfo=UTC)
        due = max(min(now + CHECKIN_SLA, ship_by), now + timedelta(hours=1))
        language = record.referral.patient.preferred_language.value if record.referral else "en"
        details = {
            "dose": dose.number,
            "day": dose.day.isoformat(),
            "kind": dose.kind,
            "ship_by": dose.ship_by.isoformat() if dose.ship_by else None,
            "language": language,
            "questions": CHECKIN_QUESTIONS.get(language, CHECKIN_QUESTIONS["en"]),
            "cost": _cost_for(record, dose.day),
        }
        return {
            "task_type": TaskType.DOSE_CHECKIN_CALL.value,
            "round": 100 * dose.number + dose.version,
            "due_at": due.isoformat(),
            "timeout_seconds": max(1, int((due - now).total_seconds())),
            "details": details,
            "next": "continue",
        }

    def conclude(self, request: DoseCheckRequest) -> dict[str, Any]:
        """Cleared when the check-in call reached the patient; held otherwise."""
        dose = self._checking(request)
        outcome = (request.result or {}).get("outcome")
        now = self.clock()
        if outcome == CallOutcome.REACHED.value:
            task = self.tasks.plan_review_task(
                dose.referral_id,
                TaskType.DOSE_DELIVERY,
                datetime.combine(dose.ship_by or dose.day, time(13), tzinfo=UTC),
                {"dose": dose.number, "day": dose.day.isoformat(), "ship_by": dose.ship_by},
                round_=100 * dose.number + dose.version,
            )
            cleared = dose.model_copy(
                update={
                    "status": DoseStatus.CLEARED,
                    "check": {**dose.check, "checkin": outcome, "cleared_at": now.isoformat()},
                    "tasks": _with(dose.tasks, task.task_id),
                    "updated_at": now,
                }
            )
            # The dose and its delivery task in one transaction: a dose held, ended or moved
            # meanwhile loses the write (Conflict: ``run`` reads it again) and no task ships it.
            created = self.doses.save_with_tasks(
                cleared,
                expect_version=dose.version,
                expect_status=dose.status.value,
                new_tasks=[task],
            )
            if task.task_id in created:
                self.tasks.announce(task)
            self.store.record(
                dose.referral_id,
                "dose_cleared",
                at=now,
                dose=dose.number,
                ship_by=str(dose.ship_by),
            )
            return {"status": "cleared", "delivery_task": task.task_id}
        why = {
            CallOutcome.DECLINED.value: "the patient declined this dose on the check-in call",
            CallOutcome.UNREACHABLE.value: "the patient could not be reached for the check-in",
        }.get(str(outcome), "the check-in call was not completed before the ship-by date")
        self._hold(dose, why, TaskType.DOSE_HOLD, {"checkin": outcome})
        return {"status": "held", "reason": why}

    def payer_down(self, request: DoseCheckRequest) -> dict[str, Any]:
        dose = self._checking(request)
        why = "the payer did not answer the eligibility check after several retries"
        self._hold(dose, why, TaskType.DOSE_HOLD, {"verify_by": "phone or payer portal"})
        return {"status": "held", "reason": why}

    def failed(self, request: DoseCheckRequest) -> dict[str, Any]:
        dose = self._checking(request)
        error = request.error or {}
        why = f"the dose check failed ({error.get('Error')}): check by hand"
        self._hold(dose, why, TaskType.DOSE_HOLD, {"error": str(error.get("Error"))})
        return {"status": "held", "reason": why}

    def hold_stale(self, dose: DoseRecord) -> None:
        """The sweep's backstop: a check still running past the ship-by date is held."""
        why = "the dose check did not finish before the ship-by date: check by hand"
        for _ in range(STEP_ATTEMPTS):
            try:
                self._hold(dose, why, TaskType.DOSE_HOLD, {"execution": dose.execution_name})
                return
            except Conflict:  # its check moved on meanwhile: read it again
                current = self.doses.get(dose.referral_id, dose.number)
                if current is None or current.status is not DoseStatus.CHECKING:
                    return  # it finished (or a person changed it): nothing stale to hold
                dose = current
        raise Conflict(f"dose {dose.number} of {dose.referral_id} keeps changing; retry")

    # ------------------------------------------------------------------ helpers
    def _checking(self, request: DoseCheckRequest) -> DoseRecord:
        dose = self.doses.get(request.referral_id, request.dose)
        assert dose is not None
        if dose.status is DoseStatus.SCHEDULED:
            dose = self._update(dose, status=DoseStatus.CHECKING)
        return dose

    def _update(self, dose: DoseRecord, **fields: Any) -> DoseRecord:
        new = dose.model_copy(update={**fields, "updated_at": self.clock()})
        # The status too: a course hold keeps the version, and must not be written over.
        self.doses.save(new, expect_version=dose.version, expect_status=dose.status.value)
        return new

    def _previous(self, dose: DoseRecord) -> DoseRecord | None:
        return self.doses.get(dose.referral_id, dose.number - 1) if dose.number > 1 else None

    def _hold(
        self, dose: DoseRecord, reason: str, task_type: TaskType, details: dict[str, Any]
    ) -> None:
        """Hold the dose with a task saying why, both in one transaction (a lost race is a
        ``Conflict`` for the caller to read again, never a hold without its task or a task
        for a dose that was not held)."""
        now = self.clock()
        task = self.tasks.plan_review_task(
            dose.referral_id,
            task_type,
            now + HOLD_TASK_SLA,
            {"dose": dose.number, "day": dose.day.isoformat(), "why": reason, **details},
            round_=100 * dose.number + dose.version,
        )
        new = dose.model_copy(
            update={
                "status": DoseStatus.HELD,
                "hold_reason": reason,
                "tasks": _with(dose.tasks, task.task_id),
                "updated_at": now,
            }
        )
        created = self.doses.save_with_tasks(
            new, expect_version=dose.version, expect_status=dose.status.value, new_tasks=[task]
        )
        if task.task_id in created:
            self.tasks.announce(task)
        self.store.record(
            dose.referral_id,
            "dose_held",
            at=now,
            dose=dose.number,
            reason=reason,
            task_id=task.task_id,
        )

    def _task(
        self,
        dose: DoseRecord,
        task_type: TaskType,
        reason: str,
        details: dict[str, Any],
        *,
        due: datetime,
    ) -> str:
        task = self.tasks.open_review_task(
            dose.referral_id,
            task_type,
            max(due, self.clock()),
            {"dose": dose.number, "day": dose.day.isoformat(), "why": reason, **details},
            round_=100 * dose.number + dose.version,
        )
        return task.task_id

    def _referral(self, referral_id: str) -> ReferralRecord:
        record = self.store.get_referral(referral_id)
        if record is None:
            raise NotFound(f"referral {referral_id} does not exist")
        return record


def _with(tasks: list[str], task_id: str) -> list[str]:
    return tasks if task_id in tasks else [*tasks, task_id]


def _facts(result: dict[str, Any]) -> dict[str, Any]:
    """A check's result as timeline facts (flat: ``reauthorization.status`` becomes
    ``reauthorization_status``; nested documents such as a task's details are left out)."""
    facts: dict[str, Any] = {}
    for key, value in result.items():
        if isinstance(value, dict):
            facts.update(
                {f"{key}_{k}": v for k, v in value.items() if not isinstance(v, dict | list)}
            )
        else:
            facts[key] = value
    return facts


def _cost_for(record: ReferralRecord, day: date) -> dict[str, Any] | None:
    """The latest estimate's figures for the plan year the dose falls in."""
    estimate = record.estimate
    if estimate is None:
        return None
    figures: dict[str, Any] = {"estimate_version": estimate.version}
    year = estimate.plan_year_of(day)
    if year is not None:
        figures.update(
            plan_year_start=year.start.isoformat(),
            plan_year_patient=format(year.patient, "f"),
            plan_year_infusions=year.infusions,
        )
    figures["per_infusion_patient"] = format(estimate.per_infusion_patient, "f")
    return figures
