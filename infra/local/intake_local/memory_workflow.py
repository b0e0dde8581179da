"""The ``Workflow`` port in memory: an execution name starts once, and every start is recorded.

For runs that measure or test what calls Step Functions (the dose sweep's bench and unit tests),
not Step Functions itself.
"""

from __future__ import annotations

from typing import Any


class MemoryWorkflow:
    """Step Functions as its callers see it: a name starts once; resuming always succeeds."""

    def __init__(self) -> None:
        self.started: list[str] = []
        """The names started, in order."""

    def start(self, name: str, payload: dict[str, Any]) -> bool:
        if name in self.started:
            return False
        self.started.append(name)
        return True

    def resume(self, task_token: str, output: dict[str, Any]) -> bool:
        return True
