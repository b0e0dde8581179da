"""The estimate when the plan will not pay: authorization denied and the patient chose to pay.

Nothing is billed to the plan, so no contract applies: the course is priced at the pharmacy's
usual charges (the estimate for an unknown payer, ``SELF_PAY_PAYER``) and the patient's share is
all of it. Deductibles and out-of-pocket maximums do not move for care the plan does not cover.
"""

from __future__ import annotations

from intake.estimate.model import (
    AccumulatorStatus,
    Amounts,
    Confidence,
    CourseAmounts,
    Estimate,
    InfusionAmounts,
    LineItem,
    PlanYearAmounts,
)

SELF_PAY_PAYER = "SELF-PAY"
"""No contract is on file under this id, so the course is priced at usual charges."""

NOT_COVERED = (
    "not covered: prior authorization was denied and the patient chose to pay; nothing is "
    "billed to the plan and nothing counts toward its deductible or out-of-pocket maximum"
)


def _all_patient(amounts: Amounts) -> dict[str, object]:
    return {"patient": amounts.allowed, "plan": amounts.allowed - amounts.allowed}


def _unchanged(status: AccumulatorStatus) -> AccumulatorStatus:
    return status.model_copy(
        update={"remaining_after": status.remaining_before, "reached_on_infusion": None}
    )


def not_covered(estimate: Estimate) -> Estimate:
    """``estimate`` (priced for ``SELF_PAY_PAYER``) with the patient paying every dollar."""
    course = estimate.course
    infusions = tuple(
        InfusionAmounts.model_validate({**i.model_dump(), **_all_patient(i)})
        for i in estimate.infusions
    )
    items = [item for item in estimate.line_items if item.kind in ("allowed", "note")]
    items.append(
        LineItem(
            kind="patient",
            description=f"Self-pay: the whole course ({course.infusions} infusions)",
            amount=course.allowed,
            rule=NOT_COVERED,
            infusions=tuple(i.number for i in estimate.infusions),
        )
    )
    items.append(
        LineItem(
            kind="plan",
            description="Plan pays",
            amount=course.allowed - course.allowed,
            rule=NOT_COVERED,
        )
    )
    assumptions = tuple(
        a
        for a in estimate.assumptions
        if "out of network" not in a and "no contract with this payer" not in a
    )
    # Only what the course is made of still matters (the plan's amounts do not): the dose,
    # the weight it is given by, the schedule.
    doubts = tuple(
        r
        for r in estimate.confidence_reasons
        if any(word in r for word in ("weight", "dose", "schedule", "vial"))
    )
    level = (
        Confidence.LOW
        if any("no weight" in r for r in doubts)
        else Confidence.MEDIUM
        if doubts
        else Confidence.HIGH
    )
    years = tuple(
        PlanYearAmounts.model_validate(
            {
                **y.model_dump(),
                **_all_patient(y),
                "primary_patient": y.allowed,
                "secondary_pays": y.allowed - y.allowed,
                "deductible_left_at_start": None,
                "out_of_pocket_left_at_start": None,
            }
        )
        for y in estimate.plan_years
    )
    typical = estimate.typical_infusion
    return estimate.model_copy(
        update={
            "plan_years": years,
            "typical_infusion": None
            if typical is None
            else Amounts.model_validate({**typical.model_dump(), **_all_patient(typical)}),
            "secondary": None,
            "cost_share_by_part": {},
            "payer_type": "self_pay",
            "per_infusion": Amounts.model_validate(
                {**estimate.per_infusion.model_dump(), **_all_patient(estimate.per_infusion)}
            ),
            "course": CourseAmounts.model_validate({**course.model_dump(), **_all_patient(course)}),
            "infusions": infusions,
            "line_items": tuple(items),
            "deductible": _unchanged(estimate.deductible),
            "out_of_pocket": _unchanged(estimate.out_of_pocket),
            "assistance_recommended": True,
            "assistance_reasons": (
                "prior authorization was denied: the patient pays the whole course",
            ),
            "assumptions": (NOT_COVERED, *assumptions),
            "confidence_reasons": doubts,
            "confidence": level,
            "in_network": False,
        }
    )
