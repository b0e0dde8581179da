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
    PayerType,
    medicare_home_coverage,
)
from intake.models.benefits import BenefitsSummary
from intake.models.billing import Component
from intake.reference.contracts import Contracts, ContractTerms, DrugProfile

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
    coverage = medicare_home_coverage(drug, diagnoses)
    notes.assume(coverage.reason)
    notes.assume(
        "Original Medicare has no out-of-pocket maximum: a supplement (Medigap) or secondary "
        "plan may pay the 20% coinsurance"
    )
    if not coverage.covered:
        retail = Pricer(contracts.terms_for(None, benefits.plan), pricer.ndc)
        repriced = [
            ServiceDay(
                d.number,
                d.day,
                tuple(retail.charge(c.component, c.code, c.units, c.modifiers) for c in d.charges),
            )
            for d in days
        ]
        rule = CostShareRule(None, None, True, f"not covered: {coverage.reason}")
        notes.assume(
            "not covered at home by Original Medicare: priced at the pharmacy's "
            "usual-and-customary charges; alternatives: " + "; ".join(ALTERNATIVES)
        )
        return Setup(
            dict.fromkeys(Component, rule),
            repriced,
            oop="none",
            alternatives=ALTERNATIVES,
            not_covered_reason=coverage.reason,
        )
    services: list[ServiceDay] = []
    for d in days:
        charges = [c for c in d.charges if c.component is Component.DRUG]
        if coverage.services_code:
            charges.append(pricer.charge(Component.PER_DIEM, coverage.services_code, 1))
        services.append(ServiceDay(d.number, d.day, tuple(charges)))
    rules = {}
    for component in (Component.DRUG, Component.PER_DIEM):
        rules[component] = reported_rule(benefits, component, True) or CostShareRule(
            PART_B_COINSURANCE, None, False, "coinsurance 20%, Part B (after the Part B deductible)"
        )
    rules[Component.NURSING] = CostShareRule(
        None, None, True, "not billed: Original Medicare pays no 99601 home nursing visit"
    )
    notes.assume(
        "Original Medicare recognizes no S-code per diem and no 99601/99602 home visit: "
        + (
            f"the services are billed as {coverage.services_code} once per infusion day"
            if coverage.services_code
            else "only the drug is billed"
        )
    )
    return Setup(
        rules,
        services,
        benefit={
            Component.DRUG: "medical",
            Component.PER_DIEM: "medical" if coverage.services_code else "not_billed",
            Component.NURSING: "not_billed",
        },
        oop="none",
        part_b_deductible=True,
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
