"""Timeline events → clinic milestones, by the data table (``data/clinic_milestones.json``)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from intake.clinic.milestones import row_for, rows, status_for, status_key
from intake.clinic.model import ClinicStatusState

AT = datetime(2026, 12, 1, 14, 30, tzinfo=UTC)
REF = "ref-0123456789abcdef0123"


@pytest.mark.parametrize(
    ("event", "detail", "milestone"),
    [
        ("validated", {}, "received"),
        ("referral_completed", {"fields": ["patient.date_of_birth"]}, "received"),
        ("held_for_review", {"fields_missing": ["patient.date_of_birth"]}, "more_information"),
        ("records_requested", {"items": ["igg_level"]}, "more_information"),
        ("benefits_checked", {"outcome": "verified", "round": 1}, "insurance_verified"),
        ("prior_auth_submitted", {"auth_id": "T1"}, "authorization_filed"),
        ("prior_auth_certified", {"auth_id": "T1"}, "authorization_decided"),
        ("prior_auth_denied", {"auth_id": "T1"}, "authorization_decided"),
        ("appeal_submitted", {"auth_id": "T2"}, "authorization_appealed"),
        ("first_visit_scheduled", {"visit_id": "v1"}, "first_visit_scheduled"),
        ("visit_documented", {"visit_id": "v1"}, "dose_given"),
        ("assessment_recorded", {}, "assessment_done"),
        ("clinical_stop", {}, "therapy_held"),
        ("course_held", {"reason": "x"}, "therapy_held"),
        ("course_ended", {}, "therapy_ended"),
        ("workflow_scheduled", {}, "scheduled"),
        ("workflow_closed_declined", {}, "closed"),
        ("workflow_insurance_unverified", {}, "closed"),
    ],
)
def test_each_milestone_of_the_issue_has_its_event(
    event: str, detail: dict[str, object], milestone: str
) -> None:
    """Given an event kind the workflow (or issue 25's other capabilities) records
    When it is looked up in the table
    Then it maps to the milestone issue 25 names for it (received; more information needed;
    insurance verified; authorization filed, decided or appealed; first visit scheduled; each
    dose given; therapy held or ended; closed)."""
    row = row_for(event, detail)  # type: ignore[arg-type]
    assert row is not None and row.milestone == milestone


def test_an_event_the_clinic_does_not_hear_about_maps_to_nothing() -> None:
    """Given bookkeeping events (a task queued, benefits that need a liaison)
    When looked up
    Then no status: the clinic hears of milestones, not of our internal steps."""
    assert row_for("task_queued", {}) is None
    assert row_for("benefits_checked", {"outcome": "verify_insurance"}) is None
    assert status_for(REF, "workflow_failed", AT, {}) is None


def test_the_key_tells_two_authorizations_apart_and_one_twice_the_same() -> None:
    """Given a first request and its appeal, and a redelivered step that records the first again
    When keyed
    Then two keys for two requests, one for the same request twice (the idempotent key)."""
    first = status_for(REF, "prior_auth_submitted", AT, {"auth_id": "T1"})
    again = status_for(REF, "prior_auth_submitted", AT, {"auth_id": "T1"})
    appeal = status_for(REF, "appeal_submitted", AT, {"auth_id": "T2"})
    assert first is not None and again is not None and appeal is not None
    assert first.key == again.key == "authorization_filed.prior_auth_submitted.T1"
    assert appeal.key == "authorization_appealed.appeal_submitted.T2"


def test_a_referral_is_closed_once_whichever_event_tells_first() -> None:
    """Given a denial closed by the liaison (``clinic_notified``, the notice resolution.py faxes)
    and the workflow's own close afterwards (``workflow_closed_declined``)
    When keyed
    Then both are the one ``closed`` status: the clinic is not told twice; the notice's status
    is already sent (the event is the notice) and names its document."""
    notice = status_for(REF, "clinic_notified", AT, {"notice": "s3://docs/prior-auth/x.txt"})
    closed = status_for(REF, "workflow_closed_declined", AT, {})
    assert notice is not None and closed is not None
    assert notice.key == closed.key == "closed"
    assert (
        notice.state is ClinicStatusState.SENT and notice.document == "s3://docs/prior-auth/x.txt"
    )
    assert closed.state is ClinicStatusState.PENDING


def test_only_the_named_detail_fields_reach_the_status() -> None:
    """Given a certification event carrying a reason text and a certification number
    When made a status
    Then only the fields the row shows (ids) are kept: free text never travels to the clinic."""
    status = status_for(
        REF,
        "prior_auth_certified",
        AT,
        {"auth_id": "T1", "certification": "AUTH778", "reason": "free text from the payer"},
    )
    assert status is not None
    assert status.detail == {"auth_id": "T1", "certification": "AUTH778"}


def test_every_row_is_well_formed_and_keys_are_unique_per_event() -> None:
    """Given the whole table
    When read
    Then each row names an event, a milestone, a FHIR task status and wording, and no event
    kind has two rows that would match the same detail."""
    seen: set[tuple[str, str]] = set()
    for row in rows():
        marker = (row.event, repr(sorted(row.when.items())))
        assert marker not in seen, row.event
        seen.add(marker)
        assert row.wording.endswith(".")
    visit = row_for("visit_documented", {"visit_id": "v1"})
    assert visit is not None and visit.visit_note
    assert status_key(visit, {"visit_id": "v9"}) == "dose_given.visit_documented.v9"
