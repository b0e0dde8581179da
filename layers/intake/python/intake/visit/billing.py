"""What a documented visit bills (pure): CPT 99601/+99602 units for the payers that use them,
and Original Medicare's home infusion therapy (HIT) G-codes per infusion drug administration
calendar day.

CPT: the minutes are the documented start to the documented stop, whatever happened in between
(a pause for a reaction is still nurse time in the home), across midnight as one visit; the
date of service is the start's date. No stop time, no units: the nurse completes the record
first (BCBSM, The Record, May 2013: payment "only when the RN documents the visit start and stop
time"). The unit rule is ``intake/data/nursing_time.json``.

HIT (Original Medicare): only for a drug paid under the DME external infusion pump benefit
(LCD L33794; its HIT category from ``medicare_rules.json``), one payment per category per
calendar day with a professional visit in the home (MBPM Ch.15 §320.8.2), the initial-visit
code on the first visit and again only after a gap of more than 60 days (§320.8.3):
``intake.reference.medicare.hit_visit_codes``. Original Medicare is never billed 99601/99602.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class VisitUnits:
    minutes: int | None
    cpt: dict[str, int] | None
    date_of_service: date | None
    review: tuple[str, ...] = ()


def visit_units(start: datetime | None, end: datetime | None) -> VisitUnits:
    """CPT units of one documented visit (None: the record lacks a time; the review says so)."""
    from intake.therapy.nursing import nursing_units_for_minutes

    if start is None or end is None:
        missing = "start" if start is None else "stop"
        return VisitUnits(
            None,
            None,
            start.date() if start else None,
            (
                f"visit {missing} time missing - nurse to complete documentation before "
                "nursing units are billed",
            ),
        )
    if end <= start:
        raise ValueError("the visit ends before it starts")
    minutes = int((end - start).total_seconds() // 60)
    return VisitUnits(minutes, dict(nursing_units_for_minutes(minutes)), start.date())


@dataclass(frozen=True)
class HitClaim:
    day: date
    code: str
    category: int


@dataclass(frozen=True)
class HitClaims:
    claims: tuple[HitClaim, ...]
    no_claim_days: tuple[date, ...]
    review: tuple[str, ...] = field(default=())


def hit_claims(
    hcpcs: str | None,
    names: Iterable[str],
    days: Sequence[tuple[date, bool]],
    *,
    last_visit_before: date | None = None,
) -> HitClaims:
    """The HIT G-code per calendar day of ``days`` (each: the day, and whether a skilled
    professional was in the home that day). A drug not paid under the DME pump benefit has no
    HIT claims: the review says why."""
    from intake.reference.medicare import hit_visit_codes, pump_drug

    drug = pump_drug(hcpcs, names)
    visited = sorted({day for day, professional in days if professional})
    idle = tuple(sorted({day for day, professional in days if not professional} - set(visited)))
    if drug is None:
        return HitClaims(
            (),
            tuple(sorted({day for day, _ in days})),
            (
                f"{hcpcs or 'the drug'} is not an external infusion pump drug (LCD L33794): "
                "Original Medicare pays no home infusion therapy services for it; route to the "
                "infusion suite or physician office, or other coverage",
            ),
        )
    coded = hit_visit_codes(drug.hit_category, visited, last_visit_before=last_visit_before)
    return HitClaims(tuple(HitClaim(day, code, drug.hit_category) for day, code in coded), idle)
