"""The copay estimate step: benefits, contract and therapy → a recorded, versioned estimate and
the cost-and-options call that explains it to the patient in their language.

Each run stores a new version with the inputs it was made from, so a re-checked benefit (or a
corrected referral) never overwrites what a liaison already told a patient.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from intake.core.clock import utcnow
from intake.core.errors import NotFound
from intake.core.observability import logger, metrics
from intake.estimate import (
    Estimate,
    EstimateError,
    SecondaryCoverage,
    UnreadablePrescription,
    estimate,
    estimate_json,
)
from intake.estimate.assistance_model import EnrolledProgram, StatedIncome
from intake.estimate.call_script import weight_needed_script
from intake.estimate.explain import WeightNeeded
from intake.estimate.self_pay import SELF_PAY_PAYER, not_covered
from intake.models.benefits import BenefitsSummary, StoredBenefits
from intake.models.dates import planned, received_at
from intake.models.estimate import EstimateHeadline, PlanYearHeadline
from intake.models.ports import ReferralStore
from intake.models.records import TaskType
from intake.therapy.body import body_of


def headline(result: Estimate, version: int, coverage: str) -> EstimateHeadline:
    """The figures a liaison and the referral view show first: the course total and how it
    splits by plan year (each with its own deductible and out-of-pocket maximum)."""
    return EstimateHeadline(
        version=version,
        coverage=coverage,
        per_infusion_patient=result.per_infusion.patient,
        typical_infusion_patient=result.typical_infusion.patient
        if result.typical_infusion
        else None,
        course_patient=result.course.patient,
        course_infusions=result.course.infusions,
        plan_years=[
            PlanYearHeadline(start=y.start, end=y.end, infusions=y.infusions, patient=y.patient)
            for y in result.plan_years
        ],
        payer_type=result.payer_type,
        secondary_pays=result.secondary.pays if result.secondary else None,
        in_network=result.in_network,
        assistance_recommended=result.assistance_recommended,
        confidence=result.confidence.value,
        **_assistance_headline(result),
    )


def _assistance_headline(result: Estimate) -> dict[str, Any]:
    """The program applied (enrolled or projected): what the patient owes after it."""
    applied = result.assistance.applied if result.assistance else None
    if applied is None:
        return {}
    return {
        "assistance_program": applied.name,
        "assistance_status": applied.status,
        "assistance_enrollment_id": applied.enrollment_id,
        "patient_after_assistance": applied.patient_after,
        "assistance_runs_out_on": applied.runs_out_on,
    }


def carried_assistance(
    store: ReferralStore, referral_id: str
) -> tuple[EnrolledProgram | None, StatedIncome | None]:
    """The enrollment and stated income of the latest estimate version (a re-estimate keeps
    them: a program the patient is enrolled in stays applied)."""
    versions = store.estimates(referral_id)
    if not versions:
        return None, None
    inputs = versions[-1].get("inputs") or {}
    enrolled, income = inputs.get("assistance_enrolled"), inputs.get("income")
    return (
        EnrolledProgram.model_validate(enrolled) if enrolled else None,
        StatedIncome.model_validate(income) if income else None,
    )


def secondary_coverage(
    benefits: StoredBenefits,
) -> tuple[BenefitsSummary, str | None, SecondaryCoverage | None]:
    """(primary summary, its payer id, the secondary) from a stored ``benefits`` section, in
    the order the 271s decided (the referral's secondary may pay first)."""
    primary, second = benefits.answer, benefits.secondary
    if second is None or not second.verified or second.answer is None:
        return primary, None, None
    order = benefits.coordination
    reason = order.reason if order and order.reason else "named secondary on the referral"
    if order is not None and order.primary == "secondary":
        return second.answer, second.payer_id, SecondaryCoverage(primary, None, reason)
    return primary, None, SecondaryCoverage(second.answer, second.payer_id, reason)


@dataclass
class CostEstimates:
    store: ReferralStore
    cost_call_sla: timedelta
    assistance_threshold: Decimal | None = None
    clock: Callable[[], datetime] = utcnow
    on_recorded: Callable[[str, Estimate, int, datetime], object] | None = None
    """After a version is stored (opens the assistance enrollment task when one is due)."""

    def run(
        self,
        referral_id: str,
        coverage: str = "insurance",
        *,
        enrolled: EnrolledProgram | None = None,
        income: StatedIncome | None = None,
    ) -> dict[str, Any]:
        """Estimate the course from its planned start (never before receipt). ``self_pay``:
        authorization was denied and the patient pays, so nothing is billed to the plan.
        ``enrolled``/``income`` (an enrollment task's outcome) apply a program; otherwise the
        latest version's enrollment and stated income carry forward."""
        record = self.store.get_referral(referral_id)
        if record is None or record.referral is None or record.benefits is None:
            raise NotFound(f"referral {referral_id} has no verified benefits to estimate from")
        referral = planned(record.referral, received_at(record))
        now = self.clock()
        details: dict[str, Any]
        self_pay = coverage == "self_pay"
        if enrolled is None and income is None:
            enrolled, income = carried_assistance(self.store, referral_id)
        try:
            benefits, swapped_payer, secondary = secondary_coverage(record.benefits)
            result = estimate(
                benefits,
                referral.therapy,
                weight_kg=body_of(referral).weight_kg,
                start=referral.therapy.start_date,
                as_of=record.benefits.checked_at.date(),
                language=referral.patient.preferred_language,
                payer_id=SELF_PAY_PAYER
                if self_pay
                else swapped_payer or referral.coverage.payer_id,
                assistance_threshold=self.assistance_threshold,
                diagnoses=[d.code for d in referral.diagnoses],
                secondary=None if self_pay else secondary,
                enrolled=None if self_pay else enrolled,
                income=income,
            )
            if self_pay:
                result = not_covered(result)
        except UnreadablePrescription as exc:
            # Not a silent "not possible": the referral field to review is named for the task.
            self.store.record(
                referral_id, "estimate_needs_review", at=now, field=exc.field, reason=str(exc)
            )
            details = {
                "estimate": None,
                "reason": str(exc),
                "needs_review": {"field": exc.field, "problem": str(exc)},
            }
            metrics.add_metric(name="EstimatesNeedReview", unit="Count", value=1)
        except EstimateError as exc:
            # No number is better than a wrong one: the liaison still calls, and says so.
            self.store.record(referral_id, "estimate_not_possible", at=now, reason=str(exc))
            details = {"estimate": None, "reason": str(exc)}
            if isinstance(exc, WeightNeeded):
                details["ask"] = ["the patient's weight (the dose is by weight)"]
                details["call_script"] = weight_needed_script(referral.patient.preferred_language)
            metrics.add_metric(name="EstimatesNotPossible", unit="Count", value=1)
        else:
            data = {**estimate_json(result), "coverage": coverage}
            version = self.store.put_estimate(referral_id, {**data, "recorded_at": now.isoformat()})
            summary = headline(result, version, coverage)
            self.store.update_referral(referral_id, estimate=summary, updated_at=now)
            self.store.record(
                referral_id,
                "estimate_recorded",
                at=now,
                **summary.model_dump(
                    mode="json", exclude={"plan_years", "assistance_enrollment_id"}
                ),
                plan_years=len(summary.plan_years),
            )
            details = {
                "estimate": summary.model_dump(mode="json"),
                "call_script": data.get("call_script"),
                "assistance_programs": data.get("assistance_programs", []),
            }
            metrics.add_metric(name="EstimatesRecorded", unit="Count", value=1)
            logger.info("estimate recorded", extra={"referral_id": referral_id, "version": version})
            if self.on_recorded is not None:
                self.on_recorded(referral_id, result, version, now)
        due = now + self.cost_call_sla
        return {
            "task_type": TaskType.COST_AND_OPTIONS_CALL.value,
            "round": 1,
            "due_at": due.isoformat(),
            "timeout_seconds": int(self.cost_call_sla.total_seconds()),
            "details": details,
        }
