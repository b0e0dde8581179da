"""The estimate's JSON, for the CLI, DynamoDB and the API.

Keys are a contract: add keys, never rename or drop them. Money is a decimal string with cents
("1343.40"), dates are ISO 8601, and absent values are null. ``estimate_from_json`` reads a
stored estimate back unchanged.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from intake.core.estimate_errors import EstimateError
from intake.estimate.call_script import render_call_script
from intake.estimate.model import Estimate
from intake.models.referral import Language

JsonObject = dict[str, Any]


def estimate_json(
    estimate: Estimate, *, script_language: Language | None = None, with_script: bool = True
) -> JsonObject:
    """The estimate as JSON-ready data; with the liaison's call script (in the estimate's
    language unless another is asked) under ``call_script``."""
    data: JsonObject = estimate.model_dump(mode="json")
    if with_script:
        language = script_language or estimate.language
        data["call_script"] = {
            "language": language.value,
            "text": render_call_script(estimate, language),
        }
    return data


def dumps_estimate(
    estimate: Estimate, *, script_language: Language | None = None, indent: int | None = 2
) -> str:
    return json.dumps(
        estimate_json(estimate, script_language=script_language), indent=indent, ensure_ascii=False
    )


def estimate_from_json(data: JsonObject) -> Estimate:
    """A stored estimate (``estimate_json`` output; ``call_script`` is ignored)."""
    try:
        return Estimate.model_validate({k: v for k, v in data.items() if k != "call_script"})
    except ValidationError as exc:
        raise EstimateError(f"not a stored estimate: {exc.error_count()} problems") from exc
