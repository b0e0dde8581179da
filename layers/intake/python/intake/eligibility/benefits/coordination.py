"""Which of two coverages pays first (coordination of benefits), from what the 271s say.

In order: a 271 that names the other payer as primary (EB01 R with a 2120 PRP entity) wins;
Medicare is secondary when its 271 reports a Medicare-secondary-payer type (EB04 12-16, 41-43,
47: working aged, ESRD, no-fault, workers' compensation...); Medicaid pays last; a Medigap
supplement follows Medicare; otherwise the referral's order stands. (NAIC model order and MSP
basics: ``../shared/DOMAIN.md`` sections 4 and 7; self-funded ERISA plans may differ.)
"""

from __future__ import annotations

from dataclasses import dataclass

from intake.eligibility.benefits.codes import OTHER_PAYER
from intake.models.benefits import BenefitsSummary

MSP_TYPES = frozenset({"12", "13", "14", "15", "16", "41", "42", "43", "47"})
MEDICARE_TYPES = frozenset({"MA", "MB", "MP"})
MEDIGAP_TYPES = frozenset({"MH", "MI"})
MEDICAID_TYPES = frozenset({"MC"})
PRIMARY_ENTITY = "PRP"


@dataclass(frozen=True, slots=True)
class Order:
    primary: BenefitsSummary
    secondary: BenefitsSummary
    swapped: bool
    """The referral's secondary turned out to pay first."""
    reason: str


def _types(s: BenefitsSummary) -> set[str]:
    types = {b.insurance_type for b in s.benefits if b.insurance_type and b.code != OTHER_PAYER}
    return types | ({s.plan.insurance_type} if s.plan.insurance_type else set())


def _names_primary(s: BenefitsSummary, other: BenefitsSummary) -> bool:
    """``s`` reports ``other`` as the primary payer (EB R, 2120 NM1*PRP)."""
    ids = {v.strip().upper() for v in (other.payer.id, other.payer.name) if v}
    return any(
        r.entity_code == PRIMARY_ENTITY and ({r.id or "", r.name} & ids or not ids)
        for b in s.benefits
        if b.code == OTHER_PAYER
        for r in b.related_entities
    )


def _msp(s: BenefitsSummary) -> str | None:
    return next(
        (
            b.insurance_type
            for b in s.benefits
            if b.code == OTHER_PAYER and b.insurance_type in MSP_TYPES
        ),
        None,
    )


def decide_order(first: BenefitsSummary, second: BenefitsSummary) -> Order:
    """``first`` is the referral's primary, ``second`` its secondary."""
    a, b = _types(first), _types(second)
    if _names_primary(first, second):
        return Order(second, first, True, "the primary's 271 names the other plan as primary")
    if _names_primary(second, first):
        return Order(first, second, False, "the secondary's 271 names the primary plan as primary")
    if a & MEDICARE_TYPES and (msp := _msp(first)):
        return Order(
            second,
            first,
            True,
            f"Medicare reports itself secondary (MSP type {msp}): the other plan pays first",
        )
    if a & MEDICAID_TYPES and not b & MEDICAID_TYPES:
        return Order(second, first, True, "Medicaid pays last")
    if b & MEDICARE_TYPES and a & MEDIGAP_TYPES:
        return Order(second, first, True, "a Medigap supplement pays after Medicare")
    if a & MEDICARE_TYPES and b & MEDIGAP_TYPES:
        return Order(first, second, False, "a Medigap supplement pays after Medicare")
    return Order(first, second, False, "the referral's order (neither 271 says otherwise)")
