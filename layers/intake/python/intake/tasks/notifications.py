"""What a liaison's e-mail says about a task: what is due, when, and a link to it; no PHI
(ids, task types and times only: e-mail leaves the PHI boundary)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

_WHAT = {
    "task_queued": "A new {kind} task is waiting",
    "task_escalated": "A {kind} task is past due and was escalated ({why})",
    "task_cancelled": "A {kind} task was cancelled",
}


def _due(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return str(value) if value else "not set"


def email_text(message: dict[str, Any], web_url: str | None) -> str:
    kind = str(message.get("task_type") or "liaison").replace("_", " ")
    template = _WHAT.get(str(message.get("kind")), "Liaison work changed ({why})")
    lines = [template.format(kind=kind, why=message.get("why") or message.get("kind") or "")]
    if message.get("due_at"):
        lines.append(f"Due: {_due(message['due_at'])}")
    if message.get("escalations"):
        lines.append(f"Escalations so far: {message['escalations']}")
    task_id = message.get("task_id")
    if task_id:
        lines.append(f"Task: {task_id}")
        if web_url:
            lines.append(f"Open it: {web_url.rstrip('/')}/#/task/{task_id}")
    lines.append("")
    lines.append("Patient details are in the workspace only, after you sign in.")
    return "\n".join(lines)
