"""Which of the 271's coinsurance and copay lines applies to each part of the claim.

Each part looks for its own service types first, most specific first, then the plan level (30):

* drug: 43 home health prescriptions, 1 medical care, 12 DME (Medicare Part B pays infusion
  drugs under DME); or 88 pharmacy only when the contract carves the drug out to the pharmacy
  benefit *and* the 271 reports pharmacy cost sharing (otherwise it is billed as medical);
* per diem: 42 home health care, 12 and 18 DME (pump and supplies), 1 medical care;
* nursing: 44 home health visits, 42 home health care, 1 medical care.

Within a service type, lines for the network asked (EB12 Y/N) win over lines that do not say
(they apply in and out of network). A non-covered line (EB I) there means the patient pays all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from intake.benefits.summary import BenefitLine, BenefitsSummary
from intake.estimate.claim import Component

PHARMACY = "88"
PLAN_LEVEL = "30"
SERVICE_TYPES: dict[Component, tuple[str, ...]] = {
    Component.DRUG: ("43", "1", "12"),
    Component.PER_DIEM: ("42", "12", "18", "1"),
    Component.NURSING: ("44", "42", "1"),
}
SERVICE_TYPE_NAMES = {
    "1": "medical care",
    "12": "DME purchase",
    "18": "DME rental",
    "30": "plan level",
    "42": "home health care",
    "43": "home health prescriptions",
    "44": "home health visits",
    "88": "pharmacy",
}
_COST_CODES = frozenset({"A", "B", "I"})


@dataclass(frozen=True, slots=True)
class CostShareRule:
    """What the patient pays after the deductible for one part of the claim."""

    coinsurance: Decimal | None
    copay: Decimal | None
    """Per visit: charged once per infusion day for each copay line, shared by the parts it
    covers."""
    not_covered: bool
    source: str
    """Where it came from, for the line items' rule text."""
    assumed: bool = False

    @property
    def copay_key(self) -> str:
        return self.source


def _pct(value: Decimal) -> str:
    return f"{(value * 100).normalize():f}%"


def _describe(coinsurance: Decimal | None, copay: Decimal | None) -> str:
    parts = []
    if copay is not None:
        parts.append(f"copay ${copay:,.2f} per visit")
    if coinsurance is not None:
        parts.append(f"coinsurance {_pct(coinsurance)}")
    return " then ".join(parts)


def _network(in_network: bool) -> str:
    return "in network" if in_network else "out of network"


def _tier(
    lines: Sequence[BenefitLine],
    service_type: str,
    in_network: bool,
) -> CostShareRule | None:
    matching = [
        b
        for b in lines
        if b.code in _COST_CODES
        and (
            service_type in b.service_types or (service_type == PLAN_LEVEL and not b.service_types)
        )
    ]
    chosen = [b for b in matching if b.in_network is in_network] or [
        b for b in matching if b.in_network is None
    ]
    coinsurance = next((b.percent for b in chosen if b.code == "A" and b.percent is not None), None)
    copay = next((b.amount for b in chosen if b.code == "B" and b.amount is not None), None)
    where = f"271 service type {service_type} ({SERVICE_TYPE_NAMES.get(service_type, 'other')})"
    if coinsurance is not None or copay is not None:
        codes = "/".join(c for c, v in (("B", copay), ("A", coinsurance)) if v is not None)
        return CostShareRule(
            coinsurance,
            copay,
            False,
            f"{_describe(coinsurance, copay)}, {_network(in_network)} (EB {codes}, {where})",
        )
    if any(b.code == "I" for b in chosen):
        return CostShareRule(
            None, None, True, f"not covered {_network(in_network)} (EB I, {where})"
        )
    return None


def pharmacy_rule(benefits: BenefitsSummary, in_network: bool) -> CostShareRule | None:
    """The pharmacy benefit's cost sharing, if the 271 reports one."""
    rule = _tier(benefits.benefits, PHARMACY, in_network)
    return rule if rule is not None and not rule.not_covered else None


def medical_rule(
    benefits: BenefitsSummary, component: Component, in_network: bool, assumed_coinsurance: Decimal
) -> CostShareRule:
    """The most specific rule for the part; the summary's own figures, then an assumed
    coinsurance (flagged) when the 271 says nothing at all."""
    for service_type in (*SERVICE_TYPES[component], PLAN_LEVEL):
        rule = _tier(benefits.benefits, service_type, in_network)
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
            f"{_describe(coinsurance, copay)}, {_network(in_network)} "
            "(271 summary for the home infusion service types)",
        )
    return CostShareRule(
        assumed_coinsurance,
        None,
        False,
        f"coinsurance {_pct(assumed_coinsurance)} assumed: the 271 reported "
        f"no coinsurance or copay {_network(in_network)}",
        assumed=True,
    )
