"""Time in one place, so tests can pin it and the local stack can move it.

In AWS ``utcnow`` is the real clock. The local stack sets ``INTAKE_CLOCK_FILE`` in every Lambda
worker's environment: a small file holding an offset in seconds that ``intake run
--follow-course`` advances, so pre-dose checks weeks ahead happen in minutes. The file is
re-read only when it changes (one ``stat`` per call), and a missing or unreadable file means
no offset. Nothing in the template sets the variable: production cannot move its clock.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

CLOCK_FILE_ENV = "INTAKE_CLOCK_FILE"
_cache: dict[str, tuple[int, float]] = {}


def offset_seconds(path: str | None = None) -> float:
    """The local stack's clock offset (0 without ``INTAKE_CLOCK_FILE``)."""
    path = path if path is not None else os.environ.get(CLOCK_FILE_ENV)
    if not path:
        return 0.0
    try:
        stamp = os.stat(path).st_mtime_ns
    except OSError:
        return 0.0
    cached = _cache.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    try:
        with open(path, encoding="utf-8") as handle:
            value = float(handle.read().strip() or 0)
    except (OSError, ValueError):
        return 0.0
    _cache[path] = (stamp, value)
    return value


def set_offset(path: str, seconds: float) -> None:
    """Move the local clock (written whole, then renamed: a reader never sees half a number)."""
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(repr(float(seconds)))
    os.replace(tmp, path)
    _cache.pop(path, None)


def utcnow() -> datetime:
    now = datetime.now(UTC)
    offset = offset_seconds()
    return now + timedelta(seconds=offset) if offset else now


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with microseconds: sorts lexically in DynamoDB sort keys."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
