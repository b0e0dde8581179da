"""The timeline holds facts (ids, counts, codes, dates), never objects.

A timeline event's ``detail`` is read by every liaison who opens a referral and kept for as
long as the referral; an object there is how a referral's values (patient data) or a whole
document would end up copied into it. So its values are scalars or lists of ids and codes.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from intake.models.records import TimelineEvent

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def test_facts_are_kept_as_given() -> None:
    """Given ids, counts, codes, flags, dates as text and lists of ids, they are kept."""
    detail = {
        "task_id": "ref-1.welcome_call.1",
        "attempts": 2,
        "ratio": 0.5,
        "proceed": True,
        "certification": None,
        "first": "2026-03-09",
        "items": ["labs", "notes"],
    }
    assert TimelineEvent(at=AT, event="e", detail=detail).detail == detail


@pytest.mark.parametrize(
    "value",
    [
        {"first_name": "Ana", "dob": "1970-01-01"},
        [{"start": "2026-01-01", "patient": "10.00"}],
        [1, {"nested": True}],
    ],
)
def test_an_object_is_refused(value: object) -> None:
    """Given a writer that puts an object (e.g. the referral's patient) on the timeline,
    when the event is made, then it is refused: nothing nested reaches the timeline."""
    with pytest.raises(ValidationError):
        TimelineEvent(at=AT, event="e", detail={"patient": value})


def test_an_event_stored_with_an_object_before_the_timeline_was_typed_still_reads() -> None:
    """Given events stored when objects were allowed (an estimate's plan years, a dose
    check's re-authorization), when the timeline is read, then each reads, with the
    object's scalar fields flattened and a list of objects as its length."""
    item = {
        "at": AT.isoformat(),
        "event": "estimate_recorded",
        "actor": "system",
        "detail": {
            "version": 2,
            "plan_years": [{"start": "2026-01-01", "patient": "10.00"}],
            "reauthorization": {"status": "pended", "auth_id": "A1", "task": {"x": 1}},
            "items": ["labs"],
        },
    }
    event = TimelineEvent.from_stored(item)
    assert event.detail == {
        "version": 2,
        "plan_years": 1,
        "reauthorization_status": "pended",
        "reauthorization_auth_id": "A1",
        "items": ["labs"],
    }
