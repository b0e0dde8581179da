"""What the builders and the sandbox payer write keeps to the grammars' element usage and code
lists (the reader stays lenient, so the writers are held to the guide here)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from intake.x12.envelope import parse_interchange
from intake.x12.grammar import TransactionSet
from intake.x12.t270.grammar import T270
from intake.x12.t271.grammar import T271
from intake.x12.t278.grammar import T278
from intake.x12.tree import check_transaction
from tests.unit.x12.golden import GOLDEN

GRAMMARS: dict[str, TransactionSet] = {"270": T270, "271": T271, "278": T278}


def _written(golden: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for stem, sample in golden["samples"].items():
        if "discovery" in sample:  # issue 26: a referral without insurance, its demographic 270s
            for payer, asked in sample["discovery"].items():
                yield f"{stem} 270 to {payer}", asked["270"]
                yield f"{stem} 271 from {payer}", asked["271"]
            continue
        yield f"{stem} 270", sample["eligibility"]["270"]
        yield f"{stem} 271", sample["eligibility"]["271"]
    for member, exchange in golden["prior_auth"].items():
        yield f"{member} request", exchange["request"]
        yield f"{member} response", exchange["response"]
        for n, asked in enumerate(exchange["inquiries"]):
            yield f"{member} inquiry {n}", asked["inquiry"]
            yield f"{member} inquiry answer {n}", asked["response"]
        if "appeal" in exchange:
            yield f"{member} appeal", exchange["appeal"]["request"]
            yield f"{member} appeal answer", exchange["appeal"]["response"]


def _problems(text: str) -> list[str]:
    interchange = parse_interchange(text)
    return [
        problem
        for tx in interchange.transactions()
        for problem in check_transaction(tx, GRAMMARS[tx.set_id])
    ]


def test_given_everything_the_builders_and_sandbox_write_when_checked_then_no_problems() -> None:
    """Given every 270, 271 and 278 the samples drive through the builders and the sandbox
    payer, when each is checked against its grammar, then none leaves a required element
    empty or sends a code outside the guide's list: what we send, payers can read."""
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    written = dict(_written(golden))
    assert len(written) > 100
    assert {name: _problems(text) for name, text in written.items() if _problems(text)} == {}


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("EB*1*FAM*30", "EB*ZZ*FAM*30", "2110C EB01 holds a code outside the guide's list"),
        ("AAA*N**72*C", "AAA*N**72", "2100C AAA04 is required"),
        ("BHT*0022*11", "BHT*0022*99", "header BHT02 holds a code outside the guide's list"),
    ],
)
def test_given_a_271_breaking_the_guide_when_checked_then_problem_named(
    old: str, new: str, problem: str
) -> None:
    """Given a 271 with a bad EB01 code, an AAA without its follow-up action, or a wrong BHT
    purpose, when checked, then the problem names loop, segment and element (never a value)."""
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    texts = [s["eligibility"]["271"] for s in golden["samples"].values() if "eligibility" in s]
    text = next(t for t in texts if old in t)
    assert not _problems(text)
    assert any(p.startswith(problem) for p in _problems(text.replace(old, new, 1)))
