"""What each part of the claim costs the patient under one payer type, and what is billed.

Commercial and Medicare Advantage plans: the 271's cost sharing per part (an assumed coinsurance
only when it reports none). Medicaid: the 271's nominal cost sharing, else none (payment in
full). Original Medicare: Part B's coinsurance on what it pays at home, the rest not covered.
A drug carved out to the payer's specialty pharmacy is not billed by the home infusion pharmacy
at all: its cost share cannot be read from a medical 271, and the retail pharmacy copay (88) is
not it, so the estimate leaves the drug out and says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from intake.eligibility.benefits.parts import CostShareRule, pharmacy_rule, reported_rule
from intake.estimate.claim import Pricer, ServiceDay
from intake.estimate.cost_share import medical_rule
from intake.estimate.explain import Notes
from intake.estimate.model import Confidence
from intake.estimate.payers import (
    ALTERNATIVES,
    PART_B_COINSURANCE,
    HomeCoverage,
    PayerType,
    medicare_home_coverage,
)
from intake.models.benefits import BenefitsSummary
from intake.models.billing import Component
from intake.reference.contracts import Contracts, ContractTerms, DrugProfile
from intake.reference.medicare import HomeBenefit, hit_visit_codes
from intake.reference.medicare import rule as medicare_rule

Benefit = Literal["medical", "pharmacy", "not_billed"]
OopPolicy = Literal["271", "none", "moop"]


@dataclass
class Setup:
    rules: dict[Component, CostShareRule]
    days: list[ServiceDay]
    benefit: dict[Component, Benefit] = field(
        default_factory=lambda: dict.fromkeys(Component, "medical")
    )
    oop: OopPolicy = "271"
    part_b_deductible: bool = False
    """Original Medicare: the Part B deductible applies when the 271 gives none."""
    alternatives: tuple[str, ...] = ()
    not_covered_reason: str | None = None


def _carve_out(
    benefits: BenefitsSummary,
    terms: ContractTerms,
    drug: DrugProfile,
    setup: Setup,
    notes: Notes,
) -> None:
    if drug.hcpcs not in terms.pharmacy_benefit:
        return
    setup.days = [
        ServiceDay(
            d.number, d.day, tuple(c for c in d.charges if c.component is not Component.DRUG)
        )
        for d in setup.days
    ]
    setup.benefit[Component.DRUG] = "pharmacy"
    retail = pharmacy_rule(benefits, terms.in_network)
    notes.assume(
        f"the payer carves {drug.hcpcs} out to its specialty pharmacy benefit: the drug is "
        "dispensed and billed by the payer's specialty pharmacy, and its cost share cannot be "
        "read from a medical 271"
        + (f" (the 271's retail pharmacy cost share, {retail.source}, is not it)" if retail else "")
        + "; this estimate covers the per diem and nursing only"
    )
    notes.doubt(
        Confidence.MEDIUM, "the drug is on the pharmacy benefit: its cost share is not estimated"
    )


def _medicaid_rule(
    benefits: BenefitsSummary, component: Component, in_network: bool
) -> CostShareRule:
    rule = reported_rule(benefits, component, in_network)
    if rule is not None:
        return rule
    return CostShareRule(
        Decimal(0),
        None,
        False,
        "no cost sharing: Medicaid reports none and the pharmacy accepts Medicaid's payment "
        "as payment in full (42 CFR 447.15)",
    )


def _original_medicare(
    benefits: BenefitsSummary,
    drug: DrugProfile,
    contracts: Contracts,
    terms: ContractTerms,
    days: Sequence[ServiceDay],
    pricer: Pricer,
    diagnoses: Sequence[str],
    notes: Notes,
) -> Setup:
    """Which Medicare benefit pays at home (``intake.reference.medicare``), and what it pays:
    Part B DME drug with HIT services on the days a nurse is in the home; Part B home IVIG with
    Q2052; else Part D for the drug alone, the per diem and nursing not covered by Medicare."""
    coverage = medicare_home_coverage(drug, diagnoses)
    notes.assume(coverage.reason)
    notes.assume(
        "Original Medicare has no out-of-pocket maximum: a supplement (Medigap) or secondary "
        "plan may pay the 20% coinsurance"
    )
    home_health = medicare_rule("home_health_part_a")
    notes.assume(
        "the referral does not say whether the patient is homebound: if so, with a need for "
        "intermittent skilled nursing, Medicare's home health benefit may furnish the nursing "
        f"visits ({home_health.cite}); ask the prescriber"
    )
    if coverage.benefit is HomeBenefit.PART_D:
        return _part_d(benefits, contracts, days, pricer, coverage, notes)
    part_b = CostShareRule(
        PART_B_COINSURANCE, None, False, "coinsurance 20%, Part B (after the Part B deductible)"
    )
    rules = {
        component: reported_rule(benefits, component, True) or part_b
        for component in (Component.DRUG, Component.PER_DIEM, Component.NURSING)
    }
    if coverage.benefit is HomeBenefit.PART_B_DME:
        assert coverage.hit_category is not None
        services = hit_days(days, pricer, coverage.hit_category)
        rules[Component.PER_DIEM] = CostShareRule(
            None,
            None,
            True,
            "not billed: Medicare recognizes no S-code per diem; the pump and supplies are "
            "billed to the DME MAC with the drug (LCD L33794)",
        )
        benefit: dict[Component, Benefit] = {
            Component.DRUG: "medical",
            Component.PER_DIEM: "not_billed",
            Component.NURSING: "medical",
        }
        notes.assume(
            f"home infusion therapy services (category {coverage.hit_category}) are billed "
            "only on the days a nurse is in the home (MBPM Ch.15 §320.8.2), the first visit at "
            "the initial-visit code (§320.8.3); the pump and supplies (DME) are not priced here"
        )
        return Setup(rules, services, benefit=benefit, oop="none", part_b_deductible=True)
    ivig_days: list[ServiceDay] = []
    for d in days:
        charges = [c for c in d.charges if c.component is Component.DRUG]
        if coverage.services_code:
            charges.append(pricer.charge(Component.PER_DIEM, coverage.services_code, 1))
        ivig_days.append(ServiceDay(d.number, d.day, tuple(charges)))
    rules[Component.NURSING] = CostShareRule(
        None, None, True, "not billed: Original Medicare pays no 99601 home nursing visit"
    )
    notes.assume(
        "Original Medicare recognizes no S-code per diem and no 99601/99602 home visit: "
        f"the items and services are billed as {coverage.services_code} once per infusion day"
    )
    return Setup(
        rules,
        ivig_days,
        benefit={
            Component.DRUG: "medical",
            Component.PER_DIEM: "medical" if coverage.services_code else "not_billed",
            Component.NURSING: "not_billed",
        },
        oop="none",
        part_b_deductible=True,
    )


def hit_days(days: Sequence[ServiceDay], pricer: Pricer, category: int) -> list[ServiceDay]:
    """The drug every dosing day; the HIT G-code in place of the nurse visit on the days a
    nurse is in the home (initial code on the first such day), no per diem."""
    visits = [d.day for d in days if any(c.component is Component.NURSING for c in d.charges)]
    codes = dict(hit_visit_codes(category, visits))
    out: list[ServiceDay] = []
    for d in days:
        charges = [c for c in d.charges if c.component is Component.DRUG]
        if d.day in codes:
            charges.append(pricer.charge(Component.NURSING, codes[d.day], 1))
        out.append(ServiceDay(d.number, d.day, tuple(charges)))
    return out


def _part_d(
    benefits: BenefitsSummary,
    contracts: Contracts,
    days: Sequence[ServiceDay],
    pricer: Pricer,
    coverage: HomeCoverage,
    notes: Notes,
) -> Setup:
    """Part D pays the drug alone (its cost share is the Part D plan's, not in this 271); the
    per diem and nursing are not covered by Medicare: priced at usual-and-customary charges,
    the patient's unless Medicaid or another plan covers home infusion services."""
    retail = Pricer(contracts.terms_for(None, benefits.plan), pricer.ndc)
    repriced = [
        ServiceDay(
            d.number,
            d.day,
            tuple(
                retail.charge(c.component, c.code, c.units, c.modifiers)
                for c in d.charges
                if c.component is not Component.DRUG
            ),
        )
        for d in days
    ]
    who = (
        "not covered by Medicare (no S-code per diem, no 99601 home visit outside the HIT "
        "benefit): the patient pays unless Medicaid or another plan covers home infusion services"
    )
    rule = CostShareRule(None, None, True, who)
    drug_rule = CostShareRule(
        None, None, True, f"billed to {coverage.drug_paid_by}: its cost share is not estimated"
    )
    notes.assume(
        f"the drug is billed to {coverage.drug_paid_by}: its cost share is the Part D plan's and "
        "is not in a Medicare 271; this estimate covers the per diem and nursing, which "
        + who.split(": ", 1)[0]
    )
    notes.doubt(Confidence.MEDIUM, "the drug is a Part D drug: its cost share is not estimated")
    notes.assume("alternatives: " + "; ".join(ALTERNATIVES))
    return Setup(
        {Component.DRUG: drug_rule, Component.PER_DIEM: rule, Component.NURSING: rule},
        repriced,
        benefit={
            Component.DRUG: "pharmacy",
            Component.PER_DIEM: "medical",
            Component.NURSING: "medical",
        },
        oop="none",
        alternatives=ALTERNATIVES,
        not_covered_reason=coverage.reason,
    )


def setup_for(
    kind: PayerType,
    *,
    benefits: BenefitsSummary,
    terms: ContractTerms,
    drug: DrugProfile,
    contracts: Contracts,
    days: Sequence[ServiceDay],
    pricer: Pricer,
    diagnoses: Sequence[str],
    assumed: Decimal,
    notes: Notes,
) -> Setup:
    """The rules and the billed days for the payer type."""
    if kind is PayerType.MEDICARE_PART_B:
        return _original_medicare(benefits, drug, contracts, terms, days, pricer, diagnoses, notes)
    if kind is PayerType.MEDICAID:
        rules = {c: _medicaid_rule(benefits, c, terms.in_network) for c in Component}
        setup = Setup(rules, list(days))
    else:
        lines = benefits.infusion_lines()
        rules = {c: medical_rule(benefits, c, terms.in_network, assumed, lines) for c in Component}
        setup = Setup(
            rules, list(days), oop="moop" if kind is PayerType.MEDICARE_ADVANTAGE else "271"
        )
    _carve_out(benefits, terms, drug, setup, notes)
    for component, rule in setup.rules.items():
        if rule.assumed and setup.benefit[component] == "medical":
            notes.doubt(Confidence.MEDIUM, f"no cost sharing reported for the {component}")
    return setup
