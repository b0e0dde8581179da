"""A secondary coverage, applied to what the primary leaves the patient.

Standard coordination of benefits: the secondary works out its own normal benefit on the same
claim (its deductible, coinsurance and copays from its 271, on the primary's allowed amounts)
and pays it, up to what the primary left. A Medigap supplement pays only on what Medicare covers
(its 271 usually shows no coinsurance: it pays the 20%; the Part B deductible stays with the
patient unless its 271 says otherwise, as plans C and F are closed to new enrollees). Medicaid
pays last and accepts its payment in full, so it leaves the patient at most its nominal copays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from intake.eligibility.benefits.parts import CostShareRule, reported_rule
from intake.estimate.accumulators import ZERO, Pool, start_pool
from intake.estimate.claim import ServiceDay
from intake.estimate.explain import Notes
from intake.estimate.model import Confidence
from intake.estimate.plan_years import PlanYear, reset, split
from intake.estimate.walk import DayResult, PartKind, walk
from intake.models.benefits import BenefitsSummary
from intake.models.billing import Component

MEDIGAP_TYPES = frozenset({"MH", "MI"})
MEDICAID_TYPES = frozenset({"MC"})


@dataclass(frozen=True, slots=True)
class SecondaryCoverage:
    """The coverage that pays second, with why it is second."""

    benefits: BenefitsSummary
    payer_id: str | None = None
    order_reason: str = "named secondary on the referral"


@dataclass(frozen=True, slots=True)
class Applied:
    method: str
    kind: str
    pays: dict[int, Decimal]
    """Per day number: what the secondary pays."""


def _kind(s: BenefitsSummary) -> str:
    types = {b.insurance_type for b in s.benefits if b.insurance_type} | {
        s.plan.insurance_type or ""
    }
    text = f"{s.plan.description or ''} {s.payer.name or ''}".upper()
    if types & MEDIGAP_TYPES or "MEDIGAP" in text or "SUPPLEMENT" in text:
        return "medigap"
    if types & MEDICAID_TYPES:
        return "medicaid"
    return "commercial"


def _default(kind: str, assumed: Decimal) -> CostShareRule:
    if kind == "medigap":
        return CostShareRule(
            ZERO, None, False, "no coinsurance: the supplement pays Medicare's coinsurance", True
        )
    if kind == "medicaid":
        return CostShareRule(ZERO, None, False, "no cost sharing: Medicaid pays in full", True)
    return CostShareRule(
        assumed, None, False, f"coinsurance {assumed * 100:.0f}% assumed (secondary)", True
    )


def apply_secondary(
    coverage: SecondaryCoverage,
    *,
    days: Sequence[ServiceDay],
    primary: Sequence[DayResult],
    years: Sequence[PlanYear],
    assumed: Decimal,
    notes: Notes,
) -> Applied:
    """What the secondary pays on each day, given what the primary left (``primary``)."""
    s = coverage.benefits
    kind = _kind(s)
    rules = {c: reported_rule(s, c, True) or _default(kind, assumed) for c in Component}
    method = {
        "medigap": "medigap: pays the Medicare-approved cost sharing it covers",
        "medicaid": "medicaid: pays last, in full (nominal copays aside)",
    }.get(kind, "standard coordination of benefits: its own benefit, up to what the primary left")
    if any(r.assumed for r in rules.values()) and kind == "commercial":
        notes.doubt(Confidence.MEDIUM, "the secondary's 271 reported no cost sharing")
    notes.assume(
        f"secondary coverage ({s.payer.name or coverage.payer_id or 'unnamed'}, "
        f"{coverage.order_reason}): {method}; its deductible and out-of-pocket maximum count "
        "its own share of each claim (plans credit them differently)"
    )
    by_number = {r.number: r for r in primary}
    keeps_deductible = kind == "medigap" and not _reports_deductible(s)
    if keeps_deductible:
        notes.assume(
            "the supplement's 271 reports no deductible: the Part B deductible is assumed to stay "
            "with the patient (plans C and F, which pay it, are closed to new enrollees)"
        )
    pays: dict[int, Decimal] = {}
    for year, year_days in zip(years, split(days, years), strict=True):
        if not year_days:
            continue
        ded, oop = _pools(s, year)
        result = walk(year_days, rules, ded, oop)
        for day, own in zip(year_days, result.days, strict=True):
            first = by_number[day.number]
            left = first.patient
            kept = {PartKind.NOT_COVERED} if kind == "medigap" else set()  # Medicare-covered only
            if keeps_deductible:
                kept.add(PartKind.DEDUCTIBLE)
            left -= sum((p.amount for p in first.parts if p.kind in kept), ZERO)
            normal = max(day.allowed - own.patient, ZERO)
            pays[day.number] = max(min(normal, left), ZERO)
    return Applied(method, kind, pays)


def _reports_deductible(s: BenefitsSummary) -> bool:
    d = s.summary.deductible.in_network
    return any(v is not None for a in (d.individual, d.family) for v in (a.total, a.remaining))


def _pools(s: BenefitsSummary, year: PlanYear) -> tuple[Pool, Pool]:
    levels = s.summary.deductible.in_network
    pocket = s.summary.out_of_pocket.in_network
    if not year.from_271:
        levels, pocket = reset(levels), reset(pocket)
    return (
        start_pool("deductible", True, levels).pool,
        start_pool("out-of-pocket maximum", True, pocket).pool,
    )


QMB_COST_SHARE = frozenset({PartKind.DEDUCTIBLE, PartKind.COINSURANCE, PartKind.COPAY})


def qmb_protection(
    kind: str,
    benefits: BenefitsSummary,
    secondary: SecondaryCoverage | None,
    primary: Sequence[DayResult],
    notes: Notes,
) -> Applied | None:
    """A Qualified Medicare Beneficiary owes nothing of Medicare's deductible, coinsurance or
    copays on Medicare-covered items (SSA §1902(n)(3)(B), MLN Matters SE1128): that cost share
    is billed to the state Medicaid program. Items Medicare does not cover are outside it.
    None unless the patient is on Original Medicare and a 271 reports QMB (EB04 QM)."""
    from intake.reference.medicare import qmb, rule

    if kind != "original_medicare_part_b":
        return None
    if not (qmb(benefits) or (secondary is not None and qmb(secondary.benefits))):
        return None
    protection = rule("qmb")
    pays = {
        day.number: sum((p.amount for p in day.parts if p.kind in QMB_COST_SHARE), ZERO)
        for day in primary
    }
    notes.assume(
        f"QMB: Medicare's deductible and coinsurance are billed to the state Medicaid program, "
        f"never to the patient ({protection.cite}); items Medicare does not cover are not "
        "protected"
    )
    return Applied(
        "qmb: Medicare's cost sharing billed to the state Medicaid program, never to the "
        f"patient ({protection.cite})",
        "qmb",
        pays,
    )


def merge_qmb(applied: Applied | None, protected: Applied) -> Applied:
    """The QMB protection with any secondary: per day the larger of what each takes off."""
    if applied is None:
        return protected
    days = set(applied.pays) | set(protected.pays)
    pays = {n: max(applied.pays.get(n, ZERO), protected.pays.get(n, ZERO)) for n in sorted(days)}
    return Applied(f"{applied.method}; {protected.method}", applied.kind, pays)
