"""Pydantic validation errors → sentences a liaison (or a clinic) can act on.

Pydantic's own messages ("String should match pattern '^[A-Z]{2}$'") are written for
developers; intake shows problems to people, so each becomes "path: plain words".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

_PATTERN_HINTS = {
    "state": "must be a 2-letter USPS state code (e.g. IL)",
    "postal_code": "must be a 5-digit ZIP code (or ZIP+4)",
    "payer_id": "may hold letters, digits and '-' only",
    "member_id": "may hold letters, digits and '-' only",
}
_NOT_DATETIME = "is not a date and time (use ISO 8601, e.g. 2025-03-02T10:15:00Z)"
_WHAT = {
    "string_type": "should be text",
    "int_type": "should be a whole number",
    "int_parsing": "should be a whole number",
    "float_type": "should be a number",
    "float_parsing": "should be a number",
    "bool_type": "should be yes or no (true/false)",
    "bool_parsing": "should be yes or no (true/false)",
    "dict_type": "should be a group of fields (a JSON object)",
    "model_type": "should be a group of fields (a JSON object)",
    "model_attributes_type": "should be a group of fields (a JSON object)",
    "list_type": "should be a list",
    "date_type": "is not a date (use YYYY-MM-DD)",
    "date_parsing": "is not a date (use YYYY-MM-DD)",
    "date_from_datetime_parsing": "is not a date (use YYYY-MM-DD)",
    "date_from_datetime_inexact": "should be a date without a time",
    "datetime_type": _NOT_DATETIME,
    "datetime_parsing": _NOT_DATETIME,
    "datetime_from_date_parsing": _NOT_DATETIME,
    "extra_forbidden": "is not a field of a referral",
    "missing": "is missing",
    "finite_number": "should be a finite number",
}


def error_path(loc: Sequence[int | str]) -> str:
    """Dotted field path as used in ``fields_missing`` ("diagnoses.0.code"); "referral" at top."""
    return ".".join(str(part) for part in loc) or "referral"


def _plain(error: Any) -> str:
    kind: str = error["type"]
    ctx: dict[str, Any] = error.get("ctx") or {}
    loc = error["loc"]
    field = str(loc[-1]) if loc else ""
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind in _WHAT:
        return _WHAT[kind]
    if kind == "string_pattern_mismatch":
        return _PATTERN_HINTS.get(field, "has characters or a shape that is not allowed here")
    if kind == "string_too_short":
        minimum = ctx.get("min_length", 1)
        return "is empty" if minimum == 1 else f"must be at least {minimum} characters"
    if kind == "string_too_long":
        return f"is too long (at most {ctx.get('max_length')} characters)"
    if kind == "too_short" and isinstance(error.get("input"), str):
        minimum = ctx.get("min_length", 1)
        return "is empty" if minimum == 1 else f"must be at least {minimum} characters"
    if kind == "too_short":
        minimum = ctx.get("min_length", 1)
        return "needs at least one entry" if minimum == 1 else f"needs at least {minimum} entries"
    if kind == "too_long":
        return f"has too many entries (at most {ctx.get('max_length')})"
    if kind == "enum":
        return f"must be one of {ctx.get('expected')}"
    if kind in {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}:
        words = {
            "greater_than": "more than",
            "greater_than_equal": "at least",
            "less_than": "less than",
            "less_than_equal": "at most",
        }[kind]
        limit = next((v for k, v in ctx.items() if k in {"gt", "ge", "lt", "le"}), "")
        return f"must be {words} {limit}"
    msg = str(error["msg"])
    return msg[:1].lower() + msg[1:]


def explain(error: ValidationError) -> list[str]:
    """One plain sentence per problem.

    e.g. "patient.date_of_birth: date of birth is in the future".
    """
    seen: list[str] = []
    for item in error.errors(include_url=False):
        line = f"{error_path(item['loc'])}: {_plain(item)}"
        if line not in seen:
            seen.append(line)
    return seen
