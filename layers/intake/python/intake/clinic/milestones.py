"""Timeline events → clinic milestones, by the data table (``data/clinic_milestones.json``).

A new milestone is a row in that table: an event kind another capability records (with the
detail values it must carry, ``when``) and the wording the clinic reads. Pure: no AWS, loaded on
first use (a few KB of JSON).
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from importlib import resources

from intake.clinic.model import ClinicStatusRecord, MilestoneRow
from intake.models.records import Scalar

TABLE_FILE = "clinic_milestones.json"


@cache
def _table() -> tuple[dict[str, tuple[MilestoneRow, ...]], frozenset[str], str]:
    raw = json.loads(resources.files("intake.data").joinpath(TABLE_FILE).read_text("utf-8"))
    by_event: dict[str, list[MilestoneRow]] = {}
    for row in raw["rows"]:
        parsed = MilestoneRow.model_validate(row)
        by_event.setdefault(parsed.event, []).append(parsed)
    return (
        {event: tuple(rows) for event, rows in by_event.items()},
        frozenset(raw["one_per_referral"]),
        str(raw["business_status_system"]),
    )


def rows() -> list[MilestoneRow]:
    """Every row of the table, in file order per event."""
    return [row for rows_ in _table()[0].values() for row in rows_]


def business_status_system() -> str:
    return _table()[2]


def row_for(event: str, detail: dict[str, Scalar]) -> MilestoneRow | None:
    """The row an event maps to: the first of its kind whose ``when`` values the detail holds;
    None for an event the clinic does not hear about."""
    for row in _table()[0].get(event, ()):
        if all(detail.get(k) == v for k, v in row.when.items()):
            return row
    return None


def status_key(row: MilestoneRow, detail: dict[str, Scalar]) -> str:
    """The idempotency key: one status per referral for a ``one_per_referral`` milestone (a
    closing notice and the workflow's own close are one status), else milestone, event and the
    keyed detail (two authorizations, two visits: two statuses; the same one twice: one)."""
    if row.milestone in _table()[1]:
        return row.milestone
    parts = [row.milestone, row.event]
    for field in row.key:
        value = detail.get(field)
        parts.append("-".join(value) if isinstance(value, list) else str(value))
    return ".".join(parts)


def status_for(
    referral_id: str, event: str, at: datetime, detail: dict[str, Scalar]
) -> ClinicStatusRecord | None:
    """The status a timeline event gives the clinic, or None."""
    row = row_for(event, detail)
    if row is None:
        return None
    shown = {k: detail[k] for k in row.show if detail.get(k) is not None}
    status = ClinicStatusRecord(
        referral_id=referral_id,
        key=status_key(row, detail),
        milestone=row.milestone,
        event=event,
        wording=row.wording,
        task_status=row.task_status,
        at=at,
        detail=shown,
        visit_note=row.visit_note,
    )
    if row.sent_as is not None and detail.get(row.sent_as):
        status.state = status.state.SENT
        status.channel = "notice"
        status.document = str(detail[row.sent_as])
        status.sent_at = at
    return status
