"""Size bounds on what intake stores about one document, under DynamoDB's 400 KB item limit.

A draft (what was read, valid or not) is stored on the referral record for the reviewer. It
holds whatever the document said, so a 900 000-character note would make the record too big
to write and leave the referral stuck. Validation has already named every over-long value
as a problem; the stored copy keeps the start of each long text, the first entries of each
long list, and the first problems. Worst case: about 60 fields x 2 000 characters, one note
of 20 000 and 20 list entries: well under 200 KB.
"""

from __future__ import annotations

from typing import Any

MAX_TEXT = 2_000
MAX_NOTE_TEXT = 20_000
MAX_LIST = 20
MAX_KEYS = 80
MAX_PROBLEMS = 40
MAX_PROBLEM_CHARS = 400
_LONG_FIELDS = frozenset({"clinical_notes"})


def bound_value(value: Any, key: str = "", depth: int = 0) -> Any:
    """A copy of ``value`` trimmed to the stored bounds (never deeper than 8 levels)."""
    if isinstance(value, str):
        limit = MAX_NOTE_TEXT if key in _LONG_FIELDS else MAX_TEXT
        return value[:limit]
    if depth >= 8:
        return None
    if isinstance(value, dict):
        items = list(value.items())[:MAX_KEYS]
        return {str(k)[:MAX_TEXT]: bound_value(v, str(k), depth + 1) for k, v in items}
    if isinstance(value, list):
        return [bound_value(v, key, depth + 1) for v in value[:MAX_LIST]]
    return value


def bound_problems(problems: list[str]) -> list[str]:
    kept = [
        p if len(p) <= MAX_PROBLEM_CHARS else p[: MAX_PROBLEM_CHARS - 3] + "..." for p in problems
    ]
    if len(kept) > MAX_PROBLEMS:
        extra = len(kept) - MAX_PROBLEMS + 1
        kept = [*kept[: MAX_PROBLEMS - 1], f"... and {extra} more problems"]
    return kept


def bound_paths(paths: list[str]) -> list[str]:
    return [p[:200] for p in paths[:MAX_PROBLEMS]]
