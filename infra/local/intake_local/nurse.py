"""The auto-nurse of ``intake run``: the visit record it documents on a ``first_visit`` task (or
a dose's visit under ``--follow-course``), from the sample's script in ``_liaison.json``.

A script's ``visit`` gives the visit's length and what the nurse found; times are minutes from
the visit's start (``offset_min``), which is the booked window's start on the booked day (10:00
UTC when the booking has none). Nothing is made up beyond the script: a vital the script does
not give is not documented.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

DEFAULT_START = time(10, 0)


def visit_start(details: dict[str, Any], today: date) -> datetime:
    day = date.fromisoformat(details["day"]) if details.get("day") else today
    window = details.get("window") or ""
    start = time.fromisoformat(window.split("-")[0]) if window else DEFAULT_START
    return datetime.combine(day, start, tzinfo=UTC)


def visit_body(script: dict[str, Any], start: datetime) -> dict[str, Any]:
    """The body of ``POST /tasks/{id}/visit`` (or a dose's visit) the script describes."""

    def at(offset: Any) -> str:
        return (start + timedelta(minutes=int(offset or 0))).isoformat()

    body: dict[str, Any] = {
        "started_at": start.isoformat(),
        "ended_at": at(script["minutes"]),
        "vitals": [
            {**{k: v for k, v in v.items() if k != "offset_min"}, "at": at(v.get("offset_min"))}
            for v in script["vitals"]
        ],
        "given": list(script.get("given", [])),
        "reactions": [
            {**{k: v for k, v in r.items() if k != "offset_min"}, "at": at(r.get("offset_min"))}
            for r in script.get("reactions", [])
        ],
        "teaching": script["teaching"],
        "home": script.get("home", {}),
        "note": script.get("note"),
    }
    if script.get("next_visit_in_days"):
        body["next_visit"] = (
            start.date() + timedelta(days=int(script["next_visit_in_days"]))
        ).isoformat()
    return body
