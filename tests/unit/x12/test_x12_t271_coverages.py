"""Reading a 271 by coverage (EB04), with EB06 and EB09 as the TR3 defines them, and any
whitespace between segments."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal

import pytest

from intake.eligibility.benefits.interpret import interpret_271
from intake.eligibility.benefits.render import summary_json
from intake.models.benefits import BenefitsSummary

Reader = Callable[[str], str]


@pytest.fixture
def medicare(local_x12: Reader) -> BenefitsSummary:
    [summary] = interpret_271(local_x12("medicare-part-a-b.271"))
    return summary


def test_given_medicare_part_a_and_b_then_lines_keep_their_coverage(
    medicare: BenefitsSummary,
) -> None:
    # Given EB04 on the first line of each coverage only (MA, then MB)
    # Then every line carries the coverage stated before it
    kinds = [(b.code, b.coverage) for b in medicare.benefits]
    assert kinds[:6] == [
        ("1", "MA"),
        ("C", "MA"),
        ("C", "MA"),
        ("B", "MA"),
        ("K", "MA"),
        ("F", "MA"),
    ]
    assert all(cov == "MB" for _, cov in kinds[6:])
    assert [c.insurance_type for c in medicare.coverages] == ["MA", "MB"]
    assert medicare.infusion_coverage == "MB"


def test_given_medicare_then_summary_is_part_b_total_and_remainder_together(
    medicare: BenefitsSummary,
) -> None:
    # Then the deductible is Part B's $283 with $0 left (not Part A's home health $1,676 total
    # paired with a Part A remainder), and coinsurance is Part B's 20%
    ded = medicare.summary.deductible.in_network.individual
    assert (ded.total, ded.remaining) == (Decimal("283"), Decimal("0"))
    assert medicare.coinsurance.in_network == Decimal(".2")
    # the Part A per-day copay (EB06 7 with HSD) is no per-visit copay
    assert medicare.copay.in_network is None
    part_a = next(c for c in medicare.coverages if c.insurance_type == "MA")
    assert part_a.deductible.in_network.individual.total == Decimal("1676")
    assert part_a.copay.in_network is None
    assert medicare.plan.insurance_type == "MB"


def test_given_reserve_days_and_lifetime_visits_then_only_visit_quantities_are_limits(
    medicare: BenefitsSummary,
) -> None:
    # Given 60 lifetime reserve days (EB K, DY) and 210 hospice days (DY) on Part A, and
    # 100 home health visits (VS) on Part B
    # Then only the visits are a visit limit
    assert [(v.quantity_qualifier, v.quantity) for v in medicare.visit_limits] == [
        ("VS", Decimal("100"))
    ]


def test_given_medicare_then_read_271_json_adds_coverages_and_parts(
    medicare: BenefitsSummary,
) -> None:
    data = json.loads(json.dumps(summary_json(medicare)))
    assert [c["insurance_type"] for c in data["coverages"]] == ["MA", "MB"]
    assert data["coverages"][1]["used_for_infusion"] is True
    assert data["coverages"][1]["deductible"]["in_network"]["individual"]["total"] == "283"
    parts = data["cost_share_by_part"]
    assert parts["drug"]["coinsurance"] == "0.2" and parts["drug"]["plan_level"] is True
    # the keys that were there before are still there
    for key in ("status", "payer", "summary", "coinsurance", "copay", "visit_limits", "benefits"):
        assert key in data


@pytest.mark.parametrize(
    "joiner",
    ["~ ", "~\n", "~\r\n", "~\n    ", "~\t", "~ \r\n\t"],
    ids=["space", "lf", "crlf", "indented", "tab", "mixed"],
)
def test_given_whitespace_between_segments_then_read_as_without(
    local_x12: Reader, joiner: str
) -> None:
    # Given the PPO 271 with whitespace after every terminator
    plain = local_x12("ppo-accumulators.271").replace("\r", "").replace("\n", "")
    spaced = "  " + plain.replace("~", joiner)
    # When both are read / Then they mean the same
    assert interpret_271(spaced) == interpret_271(plain)


def test_given_space_inside_an_element_then_kept_as_data(local_x12: Reader) -> None:
    plain = local_x12("ppo-accumulators.271").replace("\n", "").replace("\r", "")
    [s] = interpret_271(plain.replace("~", "~\n  "))
    assert s.payer.name == "FICTIONAL PPO OF OHIO"
    assert s.benefits[0].plan_description == "SAMPLE PPO GOLD"
