"""Assistance that ends in enrollment: the task that asks a liaison to enroll the patient in a
program (what each requires), and its completion, which records the program's enrollment id on
a new estimate version with the program applied.

* Opened after an estimate is recorded when help is recommended and some program is offered
  (eligible, or waiting for the income), unless the patient is already enrolled.
* Completed ``enrolled`` with corrections ``program_id``, ``enrollment_id`` (and, for a
  foundation, ``fund_id`` and the award ``annual_maximum``; the income as stated:
  ``household_size`` + ``annual_income``, or ``fpl_percent``; ``proof_received`` once the
  application and proof of income are in): the estimate is run again with
  the program applied (a new version), and an open cost call gets the new figures and script.
  ``not_eligible`` and ``declined`` are recorded as they are.

The enrollment id is the patient's id in the program: kept on the estimate, never logged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from intake.core.errors import InvalidRequest
from intake.core.ids import task_id_for
from intake.core.observability import logger
from intake.estimate.assistance_model import EnrolledProgram, StatedIncome
from intake.estimate.model import Estimate
from intake.models.assistance import ENROLLMENT_FIELDS, EnrollmentOutcome
from intake.models.records import TaskRecord, TaskStatus, TaskType
from intake.models.task_details import AssistanceEnrollmentDetails, EnrollmentOption

if TYPE_CHECKING:
    from intake.estimate.service import CostEstimates
    from intake.tasks.queue import TaskQueue
    from intake.tasks.service import Completion

OFFERED = frozenset({"eligible", "income_needed", "plan_type_needed"})


def enrollment_details(result: Estimate, version: int) -> AssistanceEnrollmentDetails | None:
    """What the enrollment task carries; None: no task is due (no help recommended, nothing
    to offer, or already enrolled)."""
    outcome = result.assistance
    if outcome is None or not result.assistance_recommended:
        return None
    if outcome.applied is not None and outcome.applied.status == "enrolled":
        return None

    def option(d: Any) -> EnrollmentOption:
        return EnrollmentOption(
            program_id=d.program_id,
            name=d.name,
            kind=d.kind,
            status=d.status,
            reasons=list(d.reasons),
            fund_id=d.fund_id,
            requires=list(d.requires),
        )

    offered = [option(d) for d in outcome.decisions if d.status in OFFERED]
    if not offered:
        return None
    refused = [option(d) for d in outcome.decisions if d.status in ("not_eligible", "fund_closed")]
    return AssistanceEnrollmentDetails(
        estimate_version=version, offered=offered, refused=refused, ask=list(outcome.asks)
    )


@dataclass
class EnrollmentTasks:
    """``CostEstimates.on_recorded``: open the enrollment task when one is due (idempotent:
    one per referral, a re-estimate finds it)."""

    queue: Callable[[], TaskQueue]
    sla: timedelta

    def __call__(self, referral_id: str, result: Estimate, version: int, now: datetime) -> None:
        details = enrollment_details(result, version)
        if details is None:
            return
        self.queue().open_review_task(
            referral_id, TaskType.ASSISTANCE_ENROLLMENT, now + self.sla, details
        )


class TimelineOnly:
    """No topic configured: the task is on the timeline and the work queue, not announced."""

    def publish(self, subject: str, message: dict[str, Any]) -> None:
        logger.info("no liaison topic: task not announced", extra={"kind": message.get("kind")})


def _money(value: object, name: str) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise InvalidRequest(f"corrections.{name} must be an amount") from None


def enrollment_from(
    task: TaskRecord, corrections: dict[str, Any], on: datetime
) -> tuple[EnrolledProgram, StatedIncome | None]:
    """The enrollment a completion states, checked against the programs the task offered."""
    unknown = set(corrections) - ENROLLMENT_FIELDS
    if unknown:
        raise InvalidRequest(f"not an enrollment field: {', '.join(sorted(unknown))}")
    details = task.details
    assert isinstance(details, AssistanceEnrollmentDetails)
    offered = {o.program_id: o for o in details.offered}
    program_id = corrections.get("program_id")
    if program_id not in offered:
        raise InvalidRequest(
            f"corrections.program_id must be one the task offered: {', '.join(sorted(offered))}"
        )
    enrollment_id = str(corrections.get("enrollment_id") or "").strip()
    if not enrollment_id:
        raise InvalidRequest("corrections.enrollment_id is required: the program's enrollment id")
    enrolled = EnrolledProgram(
        program_id=str(program_id),
        enrollment_id=enrollment_id,
        enrolled_on=on.date(),
        fund_id=corrections.get("fund_id") or offered[str(program_id)].fund_id,
        annual_maximum=_money(corrections.get("annual_maximum"), "annual_maximum"),
    )
    size, amount = corrections.get("household_size"), corrections.get("annual_income")
    band = _money(corrections.get("fpl_percent"), "fpl_percent")
    income = None
    if size is not None or amount is not None or band is not None:
        income = StatedIncome(
            household_size=int(str(size)) if size is not None else None,
            annual_income=_money(amount, "annual_income"),
            fpl_percent=band,
            stated_on=on.date(),
            proof_received=str(corrections.get("proof_received", "")).lower() in ("true", "yes"),
        )
    return enrolled, income


@dataclass
class EnrollmentCompletion:
    """The completion hook of ``assistance_enrollment``: ``enrolled`` re-runs the estimate
    with the program applied (a new version) and refreshes an open cost call."""

    estimates: Callable[[], CostEstimates]
    clock: Callable[[], datetime]

    def __call__(self, task: TaskRecord, completion: Completion) -> Callable[[], None] | None:
        if task.task_type is not TaskType.ASSISTANCE_ENROLLMENT:
            return None
        if completion.outcome != EnrollmentOutcome.ENROLLED.value:
            return None
        enrolled, income = enrollment_from(task, dict(completion.corrections or {}), self.clock())

        def act() -> None:
            service = self.estimates()
            record = service.store.get_referral(task.referral_id)
            coverage = record.estimate.coverage if record and record.estimate else "insurance"
            plan = service.run(task.referral_id, coverage, enrolled=enrolled, income=income)
            _refresh_cost_call(service, task.referral_id, plan["details"])
            logger.info(
                "assistance enrollment applied",
                extra={"referral_id": task.referral_id, "program_id": enrolled.program_id},
            )

        return act


def _refresh_cost_call(service: CostEstimates, referral_id: str, details: dict[str, Any]) -> None:
    """An open cost call explains the new version (its figures and script)."""
    task_id = task_id_for(referral_id, TaskType.COST_AND_OPTIONS_CALL, 1)
    call = service.store.get_task(task_id)
    if call is None or call.status not in (TaskStatus.OPEN, TaskStatus.CLAIMED):
        return
    current = call.details.model_dump(mode="json", exclude_unset=True)
    fresh = {k: details[k] for k in ("estimate", "call_script") if details.get(k) is not None}
    service.store.update_task(task_id, {"details": {**current, **fresh}})
