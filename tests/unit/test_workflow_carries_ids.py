"""Step Functions' history is outside the data key: what a liaison typed never goes there.

The workflow is told which task was completed and how (outcome, who, when); the step that
needs the task's corrections reads them from the task by id (issue 24, "no PHI outside the
data key").
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from intake.core.ids import task_id_for
from intake.models.records import TaskRecord
from intake.models.task_types import TaskType
from intake.tasks.queue import TaskQueue

ROOT = Path(__file__).resolve().parents[2]


def _paths(node: Any) -> list[str]:
    """Every JSONPath a state machine definition reads."""
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in ([v] if k.endswith(".$") else _paths(v))]
    if isinstance(node, list):
        return [p for v in node for p in _paths(v)]
    return []


def test_no_state_machine_reads_a_tasks_corrections() -> None:
    # Given every state machine definition in the template
    definitions = sorted((ROOT / "infra" / "statemachine").glob("*.asl.json"))
    assert definitions
    for path in definitions:
        # the one numeric substitution the template makes; the rest are quoted strings
        text = path.read_text(encoding="utf-8").replace("${PayerRetryIntervalSeconds}", "1")
        # When its JSONPaths are listed, Then none reads corrections (values) from a task result
        paths = [p for p in _paths(json.loads(text)) if isinstance(p, str)]
        assert not [p for p in paths if "corrections" in p], path.name


class _Recording:
    def __init__(self) -> None:
        self.outputs: list[dict[str, Any]] = []

    def start(self, name: str, payload: dict[str, Any]) -> bool:
        raise AssertionError("not started here")

    def resume(self, task_token: str, output: dict[str, Any]) -> bool:
        self.outputs.append(output)
        return True


def test_a_completed_task_resumes_the_workflow_with_ids_not_values() -> None:
    # Given a verify-insurance task completed with a corrected date of birth
    now = datetime(2027, 1, 4, 15, 0, tzinfo=UTC)
    referral_id = "ref-" + "a" * 20
    task = TaskRecord.model_validate(
        {
            "task_id": task_id_for(referral_id, TaskType.VERIFY_INSURANCE),
            "referral_id": referral_id,
            "task_type": "verify_insurance",
            "status": "completed",
            "reason": "the payer knows the member by other details",
            "due_at": now,
            "created_at": now,
            "details": {"reasons": ["first name differs"], "coverage_status": "active"},
            "outcome": "corrected",
            "completed_by": "liaison-sub-1",
            "completed_at": now,
            "corrections": {"patient.date_of_birth": "1949-04-05"},
        }
    )
    workflow = _Recording()
    queue = TaskQueue(store=None, notifier=None, workflow=workflow)  # type: ignore[arg-type]
    # When the workflow waiting on it is resumed
    queue._resume(task, "token-1")
    # Then it is told which task and how it ended, and no value the liaison typed
    (output,) = workflow.outputs
    assert output["task_id"] == task.task_id and output["has_corrections"] is True
    assert "1949-04-05" not in json.dumps(output, default=str)
