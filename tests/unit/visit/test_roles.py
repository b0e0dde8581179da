"""Each role's queue (``role_queues.json``): the liaison and supervisor see every task, the
pharmacist and the nurse their own, several roles the union."""

from __future__ import annotations

from intake.models.records import TaskType
from intake.tasks.roles import task_types_for


def test_given_the_nurse_role_then_the_nurse_sees_the_call_the_visit_and_the_checkin() -> None:
    assert task_types_for(["nurse"]) == {"scheduling_call", "first_visit", "dose_checkin_call"}


def test_given_liaison_among_the_roles_then_every_task_is_shown() -> None:
    """A liaison who is also a nurse sees everything (as liaisons did before queues)."""
    assert task_types_for(["nurse", "liaison"]) is None
    assert task_types_for(["supervisor"]) is None


def test_given_pharmacist_and_nurse_then_the_union() -> None:
    shown = task_types_for(["pharmacist", "nurse"])
    assert shown is not None
    assert {"pharmacist_assessment", "clinical_review", "first_visit"} <= shown
    assert TaskType.WELCOME_CALL.value not in shown


def test_given_every_named_type_that_exists_then_it_is_a_task_type() -> None:
    """A misspelt type would silently show nothing: every name is a TaskType, except those
    another engineer is adding (issue 25: the pharmacist's assessment, clinical review) and
    issue 22's dose review."""
    pending = {"pharmacist_assessment", "clinical_review", "dose_review"}
    known = {t.value for t in TaskType}
    for role in ("pharmacist", "nurse"):
        assert (task_types_for([role]) or set()) - known <= pending
