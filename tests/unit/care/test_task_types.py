"""The two task types of the assessment are complete task types: a reason the board shows,
the outcomes a pharmacist may record, and a call's retries for the assessment call."""

from __future__ import annotations

from intake.models.records import TaskType
from intake.tasks.queue import REASONS
from intake.tasks.service import CALL_TASKS, allowed_outcomes


def test_every_task_type_has_the_reason_its_task_is_opened_with() -> None:
    """Why: a task type without a reason cannot be opened (the dispatcher fails on it)."""
    assert set(REASONS) == set(TaskType)


def test_the_assessment_is_a_call_and_the_review_is_proceed_or_stop() -> None:
    """Given the two types, then the assessment takes a call's outcomes (voicemail and no
    answer retried; unreachable only once every attempt is used) and the review only
    proceed or stop."""
    assert TaskType.PHARMACIST_ASSESSMENT in CALL_TASKS
    assert allowed_outcomes(TaskType.PHARMACIST_ASSESSMENT) == {
        "reached",
        "voicemail",
        "no_answer",
        "wrong_number",
        "declined",
    }
    assert allowed_outcomes(TaskType.CLINICAL_REVIEW) == {"proceed", "stop"}
