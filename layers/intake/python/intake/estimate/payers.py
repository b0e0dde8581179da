"""Payer types and the rules each brings to an estimate.

* Original Medicare Part B: pays a few drugs at home (external-infusion-pump drugs with the home
  infusion therapy services benefit; IVIG for primary immune deficiency with its items-and-
  services payment, Q2052), 20% coinsurance after the Part B deductible, and has no
  out-of-pocket maximum. It recognizes no S-code per diem and no 99601 at home. Anything else at
  home is not covered: the alternatives are an infusion suite or physician office under Part B,
  or Part D for the drug alone.
* Medicare Advantage: the plan's own cost sharing, capped by its out-of-pocket maximum (CMS's
  in-network limit for the year when the 271 gives none).
* Medicaid: no or nominal cost sharing; the pharmacy accepts Medicaid's payment as payment in
  full (42 CFR 447.15), so nothing is assumed beyond what the 271 reports.
* Commercial: the 271's cost sharing, an assumed coinsurance only when it reports none.

Figures: ``../shared/DOMAIN.md`` sections 4 and 5 (CMS Parts A & B fact sheets; MOOP 2026
unconfirmed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from intake.models.benefits import BenefitsSummary
from intake.reference.contracts import ContractTerms, DrugProfile, PlanClass
from intake.reference.medicare import HomeBenefit, Program, decide_home_benefit, program, rule

PART_B_COINSURANCE = Decimal("0.2")
MA_IN_NETWORK_MOOP = {2025: Decimal(9350), 2026: Decimal(9250)}
"""CMS in-network out-of-pocket limit for Medicare Advantage (2026: verify)."""
ORIGINAL_MEDICARE_TYPES = frozenset({"MA", "MB", "MP"})
MEDICARE_ADVANTAGE_TYPES = frozenset({"HN"})
MEDICAID_TYPES = frozenset({"MC"})
ALTERNATIVES = (
    "an infusion suite or physician office, where Part B pays the drug and its administration "
    "(20% coinsurance after the Part B deductible)",
    "Part D, which may pay for the drug alone (no nursing, supplies or per diem)",
)


class PayerType(StrEnum):
    COMMERCIAL = "commercial"
    MEDICARE_PART_B = "original_medicare_part_b"
    MEDICARE_ADVANTAGE = "medicare_advantage"
    MEDICAID = "medicaid"


def _types(benefits: BenefitsSummary) -> set[str]:
    found = {c.insurance_type for c in benefits.coverages if c.insurance_type}
    found |= {b.insurance_type for b in benefits.benefits if b.insurance_type and b.code != "R"}
    if benefits.plan.insurance_type:
        found.add(benefits.plan.insurance_type)
    return found


def payer_type(benefits: BenefitsSummary, terms: ContractTerms) -> PayerType:
    """From the 271's insurance types (EB04) first, then the payer directory (contracts)."""
    types = _types(benefits)
    if program(benefits).program is Program.MEDICARE_ADVANTAGE and not types & MEDICAID_TYPES:
        return PayerType.MEDICARE_ADVANTAGE  # incl. CMS's 271 naming the MA plan (EB01 R, HN)
    if types & MEDICAID_TYPES:
        return PayerType.MEDICAID
    if types & MEDICARE_ADVANTAGE_TYPES:
        return PayerType.MEDICARE_ADVANTAGE
    if types & ORIGINAL_MEDICARE_TYPES:
        return PayerType.MEDICARE_PART_B
    if terms.plan_class is PlanClass.MEDICAID:
        return PayerType.MEDICAID
    if terms.plan_class is PlanClass.MEDICARE:
        return PayerType.MEDICARE_ADVANTAGE  # a Medicare payer stating a plan type: a private plan
    return PayerType.COMMERCIAL


@dataclass(frozen=True, slots=True)
class HomeCoverage:
    """Which Original Medicare benefit pays this drug at home, and the rules that say so."""

    covered: bool
    """Part B pays the drug at home (DME pump drug, or home IVIG on the §50.6 list)."""
    reason: str
    services_code: str | None = None
    benefit: HomeBenefit = HomeBenefit.PART_D
    hit_category: int | None = None
    rules: tuple[str, ...] = ()
    drug_paid_by: str = ""


def medicare_home_coverage(drug: DrugProfile, diagnoses: Sequence[str]) -> HomeCoverage:
    """Part B DME (pump drugs, LCD L33794, with HIT services), Part B home IVIG (MBPM Ch.15
    §50.6 list, with Q2052), else Part D: decided by ``intake.reference.medicare``."""
    from intake.authorization.coverage import home_ivig_listed

    home = decide_home_benefit(drug.hcpcs, drug.names, diagnoses, ivig_listed=home_ivig_listed)
    cites = "; ".join(dict.fromkeys(rule(r).cite for r in home.rules))
    return HomeCoverage(
        home.benefit is not HomeBenefit.PART_D,
        f"{' '.join(home.reasons)} [{cites}]",
        home.services_code,
        home.benefit,
        home.hit_category,
        home.rules,
        home.drug_paid_by,
    )


def by_year(table: dict[int, Decimal], year: int) -> Decimal:
    """The figure for ``year``, else the latest year known (stated by the caller)."""
    return table.get(year, table[max(table)])
