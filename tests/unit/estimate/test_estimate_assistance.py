"""When financial assistance is recommended, and which programs a plan allows."""

from __future__ import annotations

from decimal import Decimal

from intake.estimate import Contracts, PlanClass
from tests.unit.estimate.builders import acc, benefits, line, priced

TWENTY_PERCENT = (line("A", percent="0.2"),)


def test_given_medicare_over_threshold_when_estimated_then_foundations_not_manufacturer(
    contracts: Contracts,
) -> None:
    # Given Medicare Advantage, 20%, nothing to meet: 7 x $460 = $3,220 > $1,000
    summary = benefits(
        payer_id="MA",
        lines=TWENTY_PERCENT,
        deductible=acc("0"),
        oop=acc("6700", "6700"),
        insurance_type="HN",
    )
    # When
    e = priced(summary, contracts)
    # Then help is recommended, from foundations only (copay cards are barred for Medicare)
    assert e.plan_class is PlanClass.MEDICARE
    assert e.course.patient == Decimal("3220.00") and e.assistance_recommended
    kinds = {p.kind for p in e.assistance_programs}
    assert kinds == {"foundation"}
    assert not any("CarePath" in p.name for p in e.assistance_programs)


def test_given_commercial_over_threshold_when_estimated_then_manufacturer_program_first(
    contracts: Contracts,
) -> None:
    summary = benefits(lines=TWENTY_PERCENT, deductible=acc("0"), oop=acc("6700", "6700"))
    e = priced(summary, contracts)
    assert e.assistance_programs[0].kind == "manufacturer"
    assert "Remicade" in e.assistance_programs[0].name


def test_given_threshold_when_share_below_or_above_then_flag_follows(
    contracts: Contracts,
) -> None:
    # Given a $280 course ($40 copay x 7)
    summary = benefits(
        lines=(line("B", amount="40.00"),), deductible=acc("0"), oop=acc("4000", "4000")
    )

    def recommended(threshold: str) -> bool:
        return priced(
            summary, contracts, assistance_threshold=Decimal(threshold)
        ).assistance_recommended

    # Then under the default $1,000 no; with a $250 threshold yes; at exactly $280 no (over only)
    assert not recommended("1000") and recommended("250") and not recommended("280")
