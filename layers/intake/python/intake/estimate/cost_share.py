"""The cost share the estimate charges for each part of the claim.

The choice of 271 line is ``intake.eligibility.benefits.parts`` (shared with the read-271 summary, so what a
liaison reads is what is charged); here it gains the estimate's one fallback: an assumed
coinsurance (flagged, named, confidence lowered) when the 271 reports none for the part.
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
    """The most specific rule the 271 reports for the part, else an assumed coinsurance
    (flagged, and the estimate's confidence lowered). A cost share the 271 does not report for
    the part or the plan is never borrowed from another line (a home health visit's copay, a
    mental health coinsurance): the assumption is named instead."""
    rule = reported_rule(benefits, component, in_network, lines)
    if rule is not None:
        return rule
    return CostShareRule(
        assumed_coinsurance,
        None,
        False,
        f"coinsurance {pct(assumed_coinsurance)} assumed: the 271 reported no coinsurance or "
        f"copay for the {component} or the plan {network_words(in_network)}",
        assumed=True,
    )
