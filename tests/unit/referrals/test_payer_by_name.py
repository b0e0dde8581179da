"""A referral that names its payer without the payer's id: the payer directory supplies the id
when the name names one payer, asks a person when several fit, and leaves an unknown name to
the door's usual question (issue 26: "a referral resolves its payer by id, by name or alias")."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from intake.referrals.parse import parse_referral_document
from tests.conftest import EVENTS

RECEIVED = datetime(2026, 12, 6, 15, 0, tzinfo=UTC)


def _without_payer_id(payer_name: str) -> bytes:
    referral = json.loads((EVENTS / "referrals" / "01-ppo-deductible-coinsurance.json").read_text())
    del referral["insurance"]["payer_id"]
    referral["insurance"]["payer_name"] = payer_name
    return json.dumps(referral).encode()


def test_a_payer_named_by_its_alias_gets_the_directorys_id() -> None:
    """Given sample 01 with no payer id and the payer written as its alias "Sandbox Health PPO"
    When it is read at the door
    Then it is accepted with payer id SBX01, and the note says the id came from the directory
    (a fax rarely carries a payer id; the name alone must not send it to review)."""
    outcome = parse_referral_document(_without_payer_id("Sandbox Health PPO"), received_at=RECEIVED)

    assert outcome.referral is not None and outcome.referral.insurance is not None
    assert outcome.referral.insurance.payer_id == "SBX01"
    assert any("SBX01 from the payer directory by its alias" in p for p in outcome.problems)


def test_a_name_that_fits_several_payers_is_a_question_for_a_person() -> None:
    """Given the payer written as "Sandbox Medicare" (the Medicare Advantage plan and Original
    Medicare both fit)
    When it is read
    Then it is held for review, naming both candidates, and no id is chosen for the person."""
    outcome = parse_referral_document(_without_payer_id("Sandbox Medicare"), received_at=RECEIVED)

    assert outcome.referral is None
    (doubt,) = [p for p in outcome.problems if "fits several payers" in p]
    assert "SBX03" in doubt and "SBX06" in doubt
    assert "payer_id" not in (outcome.draft.get("insurance") or {})


def test_a_name_the_directory_does_not_know_still_needs_the_id() -> None:
    """Given a payer name no directory entry has, then the referral is held with the payer id
    missing, as before: the door never invents an id."""
    outcome = parse_referral_document(_without_payer_id("Nobody Health"), received_at=RECEIVED)

    assert outcome.referral is None
    assert "insurance.payer_id" in outcome.fields_missing
