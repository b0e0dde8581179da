"""Public HL7 v2 and FHIR messages, written by other projects, read by our readers.

Why: samples we write ourselves share our blind spots. Each message here was published by
another project (``SOURCES.yaml`` beside it) and its expected fields were written by hand from
the message before the reader ran (``<file>.yaml``, schema in ``README.md``). A message that is
not a referral must be refused naming what is missing; that counts as reading it right.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from intake.models.draft import get_path
from intake.referrals import ParseOutcome, parse_referral_document

HERE = Path(__file__).parent
MESSAGES = sorted(
    p for folder in ("hl7v2", "fhir") for p in (HERE / folder).iterdir() if p.suffix != ".yaml"
)


def _expected(message: Path) -> dict[str, Any]:
    data = yaml.safe_load(message.with_name(message.name + ".yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _orders_named(outcome: ParseOutcome) -> int | None:
    """The count a problem states for a message holding several orders, if any."""
    for problem in outcome.problems:
        if m := re.search(r"\b(\d+) (?:medication )?orders\b", problem):
            return int(m[1])
    return None


def _matches(fact: dict[str, Any], want: dict[str, Any]) -> bool:
    return all(str(fact.get(key)) == str(value) for key, value in want.items())


def test_every_message_has_its_source_and_expectations() -> None:
    """Given the corpus / Then each message is recorded in SOURCES.yaml with a licence and has
    hand-written expectations (a file without either is not evidence)."""
    assert len([m for m in MESSAGES if m.parent.name == "hl7v2"]) >= 10
    assert len([m for m in MESSAGES if m.parent.name == "fhir"]) >= 10
    for message in MESSAGES:
        sources = yaml.safe_load((message.parent / "SOURCES.yaml").read_text(encoding="utf-8"))
        entry = sources[message.name]
        assert entry["repository"] and entry["path"] and entry["licence"], message.name
        assert re.fullmatch(r"[0-9a-f]{40}", entry["commit"]), message.name
        assert _expected(message)["outcome"] in {"referral", "review", "refused"}


@pytest.mark.parametrize("message", MESSAGES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_message_reads_as_a_person_reads_it(message: Path) -> None:
    """Given a public message and what a person reads in it
    When intake parses it
    Then the outcome, every expected field, the orders named and the clinical facts agree."""
    want = _expected(message)
    outcome = parse_referral_document(message.read_bytes())
    said = " | ".join(outcome.problems)

    if want["outcome"] == "refused":
        assert not outcome.readable, f"read, not refused: {outcome.draft}"
        for words in want.get("refused_because", []):
            assert words in said, f"refusal does not name {words!r}: {said}"
        return

    assert outcome.readable, said
    assert (outcome.referral is not None) is (want["outcome"] == "referral"), said
    draft = outcome.draft
    for path, value in (want.get("fields") or {}).items():
        assert str(get_path(draft, path)) == str(value), f"{path}: {get_path(draft, path)!r}"
    for path in want.get("absent", []):
        assert get_path(draft, path) in (None, "", []), (
            f"{path} should be empty: {get_path(draft, path)!r}"
        )
    for words in want.get("problems", []):
        assert words in said, f"no problem names {words!r}: {said}"
    if "orders" in want:
        orders = want["orders"]
        if orders >= 2:
            assert _orders_named(outcome) == orders, said
        else:
            assert _orders_named(outcome) is None, said
            assert (get_path(draft, "therapy.drug_name") is not None) is (orders == 1)
    facts = draft.get("clinical_facts", [])
    for fact in want.get("facts", []):
        assert any(_matches(f, fact) for f in facts), f"no fact {fact} in {facts}"
