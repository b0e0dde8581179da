"""Whether a plan counts manufacturer assistance toward the deductible and out-of-pocket
maximum: ``accumulator`` | ``maximizer`` | ``standard`` | ``unknown``.

No X12 005010X279A1 element carries it: the 271 has no EB code or qualifier for accumulator
or maximizer programs, so the only place a payer can say it in a 271 is free text (MSG, 2110C
loop). This module relies on MSG text naming "accumulator" or "maximizer" (or "does not count
toward"/"not applied to" with "manufacturer" or "coupon"), and otherwise on the payer
directory's ``copay_assistance_policy`` column (plans.csv, read by the plan's group number or
description). Neither
says → ``unknown``: the estimate names its assumption and lowers its confidence.

The rule behind "accumulator": 45 CFR 156.130(h) (2020 NBPP) let plans leave manufacturer
support out of the annual limitation on cost sharing only for a brand drug with an available
generic equivalent; the 2021 NBPP's broader permission was vacated (HIV & Hepatitis Policy
Institute v. HHS, D.D.C. No. 22-2604, Sept. 29, 2023; clarified Dec. 22, 2023). Plans still
run accumulators (self-funded plans, enforcement), so the estimate models what the plan says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import cast

from intake.estimate.assistance_model import CopayPolicy
from intake.models.benefits import BenefitsSummary

REGULATION = (
    "45 CFR 156.130(h); 2021 NBPP permission vacated, HIV & Hepatitis Policy Institute v. HHS "
    "(D.D.C. No. 22-2604, 2023)"
)
POLICIES: frozenset[str] = frozenset({"accumulator", "maximizer", "standard", "unknown"})
_MAXIMIZER = re.compile(r"\bMAXIMI[ZS]ER\b", re.IGNORECASE)
_ACCUMULATOR = re.compile(
    r"\bACCUMULATOR\b|(?:MANUFACTURER|COUPON|COPAY CARD).{0,60}(?:NOT COUNT|NOT APPL|EXCLUDED)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class PolicyReading:
    policy: CopayPolicy
    source: str


def _messages(benefits: BenefitsSummary) -> list[str]:
    return [*benefits.messages, *(m for b in benefits.benefits for m in b.messages)]


def _from_directory(payer_id: str | None, benefits: BenefitsSummary) -> PolicyReading | None:
    """The plan's ``copay_assistance_policy`` row in the payer directory, found by the 271's
    group number, else its plan description (the directory's ``plan_key``: docs/directory.md);
    a plan the directory does not list, or a row that says ``unknown``, is not an answer."""
    if not payer_id:
        return None
    from intake.directory.runtime import payer_directory

    directory = payer_directory()
    for key in (benefits.plan.group_number, benefits.plan.description):
        if not key:
            continue
        value = directory.copay_assistance_policy(payer_id, key)
        if value in POLICIES and value != "unknown":
            return PolicyReading(cast(CopayPolicy, value), f"payer directory: {payer_id} {key}")
    return None


def copay_assistance_policy(benefits: BenefitsSummary, payer_id: str | None) -> PolicyReading:
    """The 271's MSG text first (the payer's own answer), then the directory, else unknown."""
    for text in _messages(benefits):
        if _MAXIMIZER.search(text):
            return PolicyReading("maximizer", f"271 MSG: {text[:80]}")
        if _ACCUMULATOR.search(text):
            return PolicyReading("accumulator", f"271 MSG: {text[:80]}")
    found = _from_directory(payer_id or benefits.payer.id, benefits)
    if found is not None:
        return found
    return PolicyReading("unknown", "neither the 271 nor the payer directory says")
