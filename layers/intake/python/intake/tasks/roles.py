"""Each role's queue: the task types it shows (``intake/data/role_queues.json``).

The liaison and the supervisor see every task (as before roles had queues); the pharmacist and
the nurse see their own work. A caller with several roles sees the union. Roles are named as
the Cognito groups are (``intake.api.identity.Role``); this module sits below the API and takes
them as text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from importlib import resources

ALL = None
"""A queue without a filter: every task type."""


@cache
def _queues() -> dict[str, frozenset[str] | None]:
    raw = json.loads(
        resources.files("intake.data").joinpath("role_queues.json").read_text(encoding="utf-8")
    )
    return {
        role: ALL if spec.get("all") else frozenset(spec.get("task_types", []))
        for role, spec in raw["queues"].items()
    }


def queue_roles() -> list[str]:
    """The roles that have a queue, in the file's order."""
    return list(_queues())


def task_types_for(roles: Iterable[str]) -> frozenset[str] | None:
    """The task types the roles together see (None: all); a role without a queue sees none."""
    seen: set[str] = set()
    for role in roles:
        types = _queues().get(str(role), frozenset())
        if types is ALL:
            return ALL
        seen |= types
    return frozenset(seen)
