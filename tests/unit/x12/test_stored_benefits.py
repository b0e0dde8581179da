"""The referral's stored ``benefits`` section: typed, and still reading what was stored before
it was typed (the rendered 271 with the check's fields beside it, all in one flat object)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from intake.api.views import benefits_view
from intake.eligibility.benefits.interpret import interpret_271
from intake.eligibility.benefits.render import summary_json
from intake.models.benefits import StoredBenefits

CHECKED = datetime(2026, 12, 1, 14, 30, tzinfo=UTC)


def _flat(local_x12: Callable[[str], str]) -> dict[str, Any]:
    """A ``benefits`` section as the check wrote it before the section was typed."""
    [summary] = interpret_271(local_x12("medicare-part-a-b.271"))
    rendered = summary_json(summary)
    flat: dict[str, Any] = json.loads(
        json.dumps(
            {
                **rendered,
                "outcome": "verified",
                "headline": "Medicare Part B",
                "reasons": [],
                "checked_at": CHECKED.isoformat(),
                "round": 2,
                "payload_id": "p-1",
                "attempts": 1,
                "secondary": {
                    **rendered,
                    "outcome": "verified",
                    "payer_id": "SBX02",
                    "headline": "Medicare Part B",
                    "payload_id": "p-2",
                },
                "coordination": {"primary": "secondary", "reason": "the 271 says so"},
            }
        )
    )
    return flat


def test_given_a_section_stored_flat_when_read_then_the_answer_is_the_271_read(
    local_x12: Callable[[str], str],
) -> None:
    # Given a section stored before it was typed
    flat = _flat(local_x12)
    [summary] = interpret_271(local_x12("medicare-part-a-b.271"))
    # When it is read
    stored = StoredBenefits.model_validate(flat)
    # Then the payer's answer is the 271 as read (so an estimate or a policy decision from an
    # old record is the one it was), for the primary and the secondary alike
    assert stored.answer.summary == summary.summary
    assert stored.answer.infusion_coverage == summary.infusion_coverage
    assert stored.answer.is_dependent is summary.is_dependent
    assert stored.secondary is not None and stored.secondary.answer == stored.answer
    assert stored.coordination is not None and stored.coordination.primary == "secondary"
    assert (stored.checked_at, stored.round, stored.attempts) == (CHECKED, 2, 1)


def test_given_a_section_stored_flat_when_viewed_then_the_view_shows_what_it_always_showed(
    local_x12: Callable[[str], str],
) -> None:
    # Given a section stored flat, and the same section stored typed
    flat = _flat(local_x12)
    typed = json.loads(json.dumps(StoredBenefits.model_validate(flat).model_dump(mode="json")))
    # When either is shown on the referral view
    # Then the view is the flat JSON clients (the workspace, the CLI) already read
    assert benefits_view(StoredBenefits.model_validate(flat)) == flat
    assert benefits_view(StoredBenefits.model_validate(typed)) == flat


def test_given_an_unchecked_secondary_when_read_then_it_is_unverified_with_its_reason(
    local_x12: Callable[[str], str],
) -> None:
    flat = {
        **_flat(local_x12),
        "secondary": {"outcome": "unverified", "payer_id": "SBX02", "reason": "AAA 42"},
    }
    flat.pop("coordination")
    stored = StoredBenefits.model_validate(flat)
    assert stored.secondary is not None and not stored.secondary.verified
    assert stored.secondary.reason == "AAA 42" and stored.coordination is None
    assert benefits_view(stored) == flat
