"""Which of the 271's coinsurance and copay lines applies to each part of a home infusion claim.

Each part looks for its own service types first, most specific first, then the plan level (30):

* drug: 43 home health prescriptions, 1 medical care, and 12 DME for Medicare Part B only (it
  pays infusion drugs under DME); never 88 pharmacy (a retail pharmacy copay is not the medical benefit's);
* per diem: 42 home health care, 12 and 18 DME (pump and supplies), 1 medical care;
* nursing: 44 home health visits, 42 home health care, 1 medical care.

Lines come from the coverage infusion is billed to (``BenefitsSummary.infusion_lines``: Part B
for Medicare), medical lines only (a dental, vision or pharmacy line never answers for a part).
Within a service type, lines for the network asked (EB12 Y/N) win over lines that do not say,
and lines a MSG narrows ("breast pump") come after the others. Each copay keeps the period its
EB06 gives (X12 element 615): per day (7, 13) it is charged on every day of the part (a per
diem day), per visit (27, or no period) once per visit day; per admission, hour, episode or
lifetime amounts (36, 6, 26, 32, 33) do not price a home infusion part. A non-covered line
(EB I) there means the part is not covered. The same choice feeds the
``cost_share_by_part`` of the read-271 JSON and the estimate, so what a liaison reads is what is
charged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from intake.eligibility.benefits.codes import MEDICAL, MEDICARE_PART_B
from intake.models.benefits import BenefitLine, BenefitsSummary
from intake.models.billing import Component

PHARMACY = "88"
PLAN_LEVEL = "30"
SERVICE_TYPES: dict[Component, tuple[str, ...]] = {
    Component.DRUG: ("43", "1"),
    Component.PER_DIEM: ("42", "12", "18", "1"),
    Component.NURSING: ("44", "42", "1"),
}
PART_B_DRUG_TYPES = ("43", "1", "12")
"""Medicare Part B pays pump drugs under its DME benefit (12); elsewhere a DME line is a
device's cost share (a breast pump's), never the drug's."""
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
COPAY_PERIODS = {"": "visit", "27": "visit", "7": "day", "13": "day"}
"""EB06 (X12 element 615: 7 Day, 13 24 Hours, 27 Visit) of a copay a part can be charged, and
what it is per; other periods (6 Hour, 26 Episode, 36 Admission, 32/33 Lifetime...) are not."""


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
    service_type: str | None = None
    """The 271 service type it was read from (None: assumed or a summary figure)."""
    per: str = "visit"
    """What the copay is per (EB06): ``visit`` or ``day``."""
    segments: tuple[str, ...] = ()
    """The EB segments the figures came from, as sent."""

    @property
    def copay_key(self) -> str:
        return self.source

    @property
    def plan_level(self) -> bool:
        """Read from the plan-level line (30), not one for this part's own service types."""
        return self.service_type == PLAN_LEVEL


def pct(value: Decimal) -> str:
    return f"{(value * 100).normalize():f}%"


def describe(coinsurance: Decimal | None, copay: Decimal | None, per: str = "visit") -> str:
    parts = []
    if copay is not None:
        parts.append(f"copay ${copay:,.2f} per {per}")
    if coinsurance is not None:
        parts.append(f"coinsurance {pct(coinsurance)}")
    return " then ".join(parts)


def network_words(in_network: bool) -> str:
    return "in network" if in_network else "out of network"


_NOT_A_PART = frozenset({"6", "26", "32", "33", "36"})
"""EB06 Hour, Episode, Lifetime, Lifetime Remaining, Admission (X12 element 615)."""


def _prices_a_part(b: BenefitLine) -> bool:
    period = b.time_period or ""
    if b.code == "B":
        return period in COPAY_PERIODS
    return period not in _NOT_A_PART


def _medical(b: BenefitLine) -> bool:
    return b.domain is None or b.domain == MEDICAL


def tier(lines: Sequence[BenefitLine], service_type: str, in_network: bool) -> CostShareRule | None:
    """The rule one service type's lines give, or None when they say nothing."""
    matching = [
        b
        for b in lines
        if b.code in _COST_CODES
        and _prices_a_part(b)
        and (service_type == PHARMACY or _medical(b))
        and (
            service_type in b.service_types or (service_type == PLAN_LEVEL and not b.service_types)
        )
    ]
    chosen = [b for b in matching if b.in_network is in_network] or [
        b for b in matching if b.in_network is None
    ]
    chosen.sort(key=lambda b: bool(b.messages))  # a line a MSG narrows comes last
    coinsurance_line = next((b for b in chosen if b.code == "A" and b.percent is not None), None)
    copay_line = next((b for b in chosen if b.code == "B" and b.amount is not None), None)
    coinsurance = coinsurance_line.percent if coinsurance_line else None
    copay = copay_line.amount if copay_line else None
    per = COPAY_PERIODS[copay_line.time_period or ""] if copay_line else "visit"
    where = f"271 service type {service_type} ({SERVICE_TYPE_NAMES.get(service_type, 'other')})"
    if coinsurance is not None or copay is not None:
        codes = "/".join(c for c, v in (("B", copay), ("A", coinsurance)) if v is not None)
        used = (copay_line, coinsurance_line)
        return CostShareRule(
            coinsurance,
            copay,
            False,
            f"{describe(coinsurance, copay, per)}, {network_words(in_network)} "
            f"(EB {codes}, {where})",
            service_type=service_type,
            per=per,
            segments=tuple(b.segment for b in used if b is not None and b.segment),
        )
    not_covered = next((b for b in chosen if b.code == "I"), None)
    if not_covered is not None:
        return CostShareRule(
            None,
            None,
            True,
            f"not covered {network_words(in_network)} (EB I, {where})",
            service_type=service_type,
            segments=(not_covered.segment,) if not_covered.segment else (),
        )
    return None


def reported_rule(
    benefits: BenefitsSummary,
    component: Component,
    in_network: bool,
    lines: Sequence[BenefitLine] | None = None,
) -> CostShareRule | None:
    """The most specific rule the 271 reports for the part (None: it reports none); ``lines``
    are ``benefits.infusion_lines()`` when the caller has them already."""
    if lines is None:
        lines = [b for b in benefits.infusion_lines() if b.code in _COST_CODES]
    types = SERVICE_TYPES[component]
    if component is Component.DRUG and benefits.infusion_coverage == MEDICARE_PART_B:
        types = PART_B_DRUG_TYPES
    for service_type in (*types, PLAN_LEVEL):
        rule = tier(lines, service_type, in_network)
        if rule is not None:
            return rule
    return None


def pharmacy_rule(benefits: BenefitsSummary, in_network: bool) -> CostShareRule | None:
    """The pharmacy (88) cost sharing, if reported: shown, never charged for a medical drug."""
    rule = tier(benefits.infusion_lines(), PHARMACY, in_network)
    return rule if rule is not None and not rule.not_covered else None


def rule_json(rule: CostShareRule | None) -> dict[str, Any]:
    """A part's cost share as the JSON both the read-271 and the estimate output carry."""
    if rule is None:
        return {
            "coinsurance": None,
            "copay": None,
            "not_covered": False,
            "source": "not reported in the 271",
            "service_type": None,
            "plan_level": False,
            "assumed": False,
            "per": None,
            "segments": [],
        }
    return {
        "coinsurance": None if rule.coinsurance is None else format(rule.coinsurance, "f"),
        "copay": None if rule.copay is None else format(rule.copay, "f"),
        "not_covered": rule.not_covered,
        "source": rule.source,
        "service_type": rule.service_type,
        "plan_level": rule.plan_level,
        "assumed": rule.assumed,
        "per": rule.per if rule.copay is not None else None,
        "segments": list(rule.segments),
    }


SUPPLIES_IN = Component.PER_DIEM
"""Supplies, pump and pharmacy services are billed inside the per diem (the S-code per diem:
``Component.PER_DIEM``), so their cost share is the per diem's."""


def cost_share_by_part_json(benefits: BenefitsSummary) -> dict[str, Any]:
    """In network, per part: the cost share the estimate would charge, with what a copay is
    per (EB06) and the EB segments it came from (plan-level fallbacks marked ``plan_level``);
    parts the 271 is silent on say so. ``supplies`` names the part they are billed in."""
    out = {c.value: rule_json(reported_rule(benefits, c, True)) for c in Component}
    out["supplies"] = {**out[SUPPLIES_IN.value], "billed_in": SUPPLIES_IN.value}
    return out


def parts_text(benefits: BenefitsSummary) -> str:
    """The cost share per part as lines a person reads: what, per what, from which EB."""
    rows = []
    for part, data in cost_share_by_part_json(benefits).items():
        what = []
        if data["copay"] is not None:
            what.append(f"copay ${Decimal(data['copay']):,.2f} per {data['per']}")
        if data["coinsurance"] is not None:
            what.append(f"coinsurance {pct(Decimal(data['coinsurance']))}")
        if data["not_covered"]:
            what.append("not covered")
        shown = ", ".join(what) or "not reported in the 271"
        if data.get("billed_in"):
            shown += f" (billed in the {data['billed_in'].replace('_', ' ')})"
        elif data["plan_level"]:
            shown += " (plan level)"
        source = "; ".join(data["segments"]) or "-"
        rows.append(f"{part.replace('_', ' '):<9} {shown}\n{'':<9} from {source}")
    return "\n".join(rows)
