"""Read a ``BenefitsSummary`` back from the JSON of ``intake x12 read-271`` (``summary_json``).

Verifications are stored and passed around as that JSON, so an estimate must be computable from
it as well as from the 271 itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from intake.core.estimate_errors import EstimateError
from intake.models.benefits import BenefitsSummary, summary_from_rendered


def summary_from_json(data: Mapping[str, Any]) -> BenefitsSummary:
    if not isinstance(data, Mapping) or "status" not in data:
        raise EstimateError(
            "the benefits JSON is not one patient's verification "
            "(the output of 'intake x12 read-271')"
        )
    try:
        return BenefitsSummary.model_validate(summary_from_rendered(data))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5]
        )
        raise EstimateError(f"the benefits JSON is not a valid verification: {problems}") from exc
