"""Diagnosis codes at the door: each must be a billable code of the current ICD-10-CM release.

A category or subcategory with codes below it (``D80``, ``D81.8``, and since FY2026 ``G35``)
is a header: it cannot be sent in a 278's HI segment, priced or argued in a letter. It goes
back to the clinic (review) with the billable codes to choose from. A code that is not in the
release at all (``D83.90``) is refused as such; it is never shortened to a code that exists.

Problems name the field and the release; the codes to choose from are offered to the liaison
(problems are logged as counts only, never as text).
"""

from __future__ import annotations

from intake.models.referral import Referral
from intake.reference import codesets

MAX_OFFERED = 12
"""A header with many codes below it (a whole category) offers the first ones and says so."""


def diagnosis_problem(code: str) -> str | None:
    """Why ``code`` cannot be used on a claim or a request, or None when it is billable."""
    release = codesets.icd10_release()
    entry = codesets.icd10(code)
    if entry is None:
        return f"is not a code of {release}; write the billable code from the clinic's records"
    if entry.billable:
        return None
    offered = codesets.billable_codes(code)
    more = f" (and {len(offered) - MAX_OFFERED} more)" if len(offered) > MAX_OFFERED else ""
    return (
        f"{entry.code} is a header in {release}, not billable: choose one of its billable "
        f"codes: {', '.join(offered[:MAX_OFFERED])}{more}"
    )


def diagnosis_problems(referral: Referral) -> list[str]:
    """One "path: reason" per diagnosis that is not a billable code of the release."""
    out = []
    for i, diagnosis in enumerate(referral.diagnoses):
        problem = diagnosis_problem(diagnosis.code)
        if problem:
            out.append(f"diagnoses.{i}.code: {problem}")
    return out
