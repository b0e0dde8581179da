"""Which of two coverages pays first, from what their 271s say (COB and MSP basics)."""

from __future__ import annotations

import pytest

from intake.eligibility.benefits.coordination import decide_order
from intake.models.benefits import (
    BenefitLine,
    BenefitsSummary,
    CoverageStatus,
    Party,
    Plan,
    RelatedEntity,
)


def _summary(payer: str, kind: str, *other: BenefitLine) -> BenefitsSummary:
    return BenefitsSummary(
        status=CoverageStatus.ACTIVE,
        payer=Party(name=f"PAYER {payer}", id=payer),
        plan=Plan(insurance_type=kind),
        benefits=(BenefitLine(code="1", service_types=("30",), insurance_type=kind), *other),
    )


def _other_payer(kind: str, entity: str = "", payer: str = "") -> BenefitLine:
    related = (
        (RelatedEntity(entity_code=entity, name=f"PAYER {payer}", id=payer),) if entity else ()
    )
    return BenefitLine(
        code="R", service_types=("30",), insurance_type=kind, related_entities=related
    )


@pytest.mark.parametrize(
    ("first", "second", "swapped", "reason"),
    [
        # the secondary's 271 names the referral's primary as primary: order kept
        (
            _summary("PPO", "PR"),
            _summary("HMO", "HM", _other_payer("C1", "PRP", "PPO")),
            False,
            "names the primary plan as primary",
        ),
        # the referral's "primary" 271 names the other plan primary: swapped
        (
            _summary("HMO", "HM", _other_payer("C1", "PRP", "PPO")),
            _summary("PPO", "PR"),
            True,
            "names the other plan as primary",
        ),
        # Medicare reports itself secondary for a working-aged beneficiary (MSP type 12)
        (_summary("MCR", "MB", _other_payer("12")), _summary("EMP", "PR"), True, "MSP type 12"),
        # Medicaid pays last
        (_summary("MCD", "MC"), _summary("PPO", "PR"), True, "Medicaid pays last"),
        # a Medigap supplement follows Medicare whichever way it was written down
        (_summary("GAP", "MI"), _summary("MCR", "MB"), True, "Medigap"),
        (_summary("MCR", "MB"), _summary("GAP", "MI"), False, "Medigap"),
        # nothing said: the referral's order
        (_summary("PPO", "PR"), _summary("HMO", "HM"), False, "referral's order"),
    ],
)
def test_given_two_271s_then_the_payer_order_follows_what_they_say(
    first: BenefitsSummary, second: BenefitsSummary, swapped: bool, reason: str
) -> None:
    order = decide_order(first, second)
    assert order.swapped is swapped
    assert reason in order.reason
    assert {order.primary.payer.id, order.secondary.payer.id} == {first.payer.id, second.payer.id}
    assert order.primary is (second if swapped else first)
