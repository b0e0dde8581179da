"""Self-pay after a denial: the patient pays every dollar of the course, priced at the
pharmacy's charges (no payer contract applies), and the plan's accumulators do not move."""

from __future__ import annotations

from decimal import Decimal

from intake.estimate import Contracts
from intake.estimate.self_pay import SELF_PAY_PAYER, not_covered
from tests.unit.estimate.builders import acc, benefits, line, priced


def test_self_pay_charges_the_whole_course_and_leaves_the_plan_untouched(
    contracts: Contracts,
) -> None:
    # Given a plan with $500 of its deductible left and 20% coinsurance (which no longer apply)
    summary = benefits(
        lines=(line("A", percent="0.2"),), deductible=acc("1500", "500"), oop=acc("8000", "6000")
    )
    insured = priced(summary, contracts, payer_id=SELF_PAY_PAYER)
    # When the estimate is made as not covered
    e = not_covered(insured)
    # Then each infusion's patient share is its whole allowed amount, the plan pays nothing
    assert all(i.patient == i.allowed and i.plan == 0 for i in e.infusions)
    assert e.course.patient == e.course.allowed == sum(i.allowed for i in e.infusions)
    assert e.course.plan == Decimal("0.00")
    # And the plan years add up to the course, each all the patient's
    assert sum(y.patient for y in e.plan_years) == e.course.patient
    assert all(y.plan == 0 and y.secondary_pays == 0 for y in e.plan_years)
    # And the deductible and out-of-pocket maximum are left as they were
    assert e.deductible.remaining_after == e.deductible.remaining_before
    assert e.out_of_pocket.remaining_after == e.out_of_pocket.remaining_before
    # And it says why, and that assistance should be discussed
    assert e.assumptions[0].startswith("not covered") and e.assistance_recommended
    assert e.payer_type == "self_pay" and e.secondary is None
    assert not any(SELF_PAY_PAYER in r for r in e.confidence_reasons)
