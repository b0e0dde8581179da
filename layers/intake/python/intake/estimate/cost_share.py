"""The cost share the estimate charges for each part of the claim.

The choice of 271 line is ``intake.eligibility.benefits.parts`` (shared with the read-271 summary, so what a
liaison reads is what is charged); here it gains the estimate's fallbacks: the summary's figures,
then an assumed coinsurance (flagged) when the 271 says nothing at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from intake.eligibility.benefits.parts import (
    PHARMACY,
    PLAN_LEVEL,
    SERVICE_TYPE_NAMES,
    SERVICE_TYPES,
    CostShareRule,
    describe,
    network_words,
    pct,
    pharmacy_rule,
    reported_rule,
)
from intake.models.benefits import BenefitLine, BenefitsSummary
from intake.models.billing import Component

__all__ = [
    "PHARMACY",
    "PLAN_LEVEL",
    "SERVICE_TYPES",
    "SERVICE_TYPE_NAMES",
    "CostShareRule",
    "medical_rule",
    "pharmacy_rule",
]


def medical_rule(
    benefits: BenefitsSummary,
    component: Component,
    in_network: bool,
    assumed_coinsurance: Decimal,
    lines: Sequence[BenefitLine] | None = None,
) -> CostShareRule:
    """The most specific rule for the part; the summary's own figures, then an assumed
    coinsurance (flagged) when the 271 says nothing at all."""
    rule = reported_rule(benefits, component, in_network, lines)
    if rule is not None:
        return rule
    coinsurance = (
        benefits.coinsurance.in_network if in_network else benefits.coinsurance.out_of_network
    )
    copay = benefits.copay.in_network if in_network else benefits.copay.out_of_network
    if coinsurance is not None or copay is not None:
        return CostShareRule(
            coinsurance,
            copay,
            False,
            f"{describe(coinsurance, copay)}, {network_words(in_network)} "
            "(271 summary for the home infusion service types)",
        )
    return CostShareRule(
        assumed_coinsurance,
        None,
        False,
        f"coinsurance {pct(assumed_coinsurance)} assumed: the 271 reported "
        f"no coinsurance or copay {network_words(in_network)}",
        assumed=True,
    )
