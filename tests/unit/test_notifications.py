"""The e-mail a liaison gets for a task: what is due, when, a link, and no PHI."""

from __future__ import annotations

from datetime import UTC, datetime

from intake.tasks.notifications import email_text


def test_a_new_task_mail_says_what_is_due_and_links_to_the_task() -> None:
    # Given a queued welcome call due 2026-12-02 19:10 UTC
    message = {
        "kind": "task_queued",
        "task_id": "ref-0123456789abcdef0123.welcome_call.1",
        "referral_id": "ref-0123456789abcdef0123",
        "task_type": "welcome_call",
        "due_at": datetime(2026, 12, 2, 19, 10, tzinfo=UTC),
        "language": "es",
    }
    # When written for the web app at https://d1.cloudfront.net/
    text = email_text(message, "https://d1.cloudfront.net/")
    # Then it names the task and its due time and links to it
    assert text.splitlines()[:4] == [
        "A new welcome call task is waiting",
        "Due: 2026-12-02 19:10 UTC",
        "Task: ref-0123456789abcdef0123.welcome_call.1",
        "Open it: https://d1.cloudfront.net/#/task/ref-0123456789abcdef0123.welcome_call.1",
    ]


def test_an_escalation_says_why_and_how_often_and_without_a_web_app_has_no_link() -> None:
    message = {
        "kind": "task_escalated",
        "why": "overdue",
        "task_id": "ref-1.cost_and_options_call.1",
        "task_type": "cost_and_options_call",
        "due_at": "2026-12-01T08:00:00+00:00",
        "escalations": 2,
    }
    text = email_text(message, None)
    assert text.startswith("A cost and options call task is past due and was escalated (overdue)")
    assert "Escalations so far: 2" in text and "Open it" not in text
