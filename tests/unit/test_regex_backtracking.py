"""No regular expression of the layer backtracks without bound on untrusted text.

A referral's fields, a fax's OCR text, an HL7 message, a payer's 271 are all untrusted: a
pattern that backtracks exponentially (or quadratically over a long run) on some input lets one
upload pin an ingest Lambda until it times out, on every redelivery. Each pattern (found by
``tests/unit/regex_attack.py``: every compiled one and every inline ``re.*`` call) is fed 100 KB
of its worst inputs in a worker process. A linear pattern finishes each input in milliseconds;
the wait per input below is generous (a busy two-core machine), not a speed assertion: a
backtracking one does not finish in minutes, let alone in the wait.
"""

from __future__ import annotations

import select
import subprocess
import sys
import time

import pytest

from tests.unit.regex_attack import Case, attacks, cases, dump

WAIT_PER_ATTACK_S = 15.0
"""How long one attack (one 100 KB input) may go without a word from the worker. A linear
pattern answers in milliseconds even on a loaded machine; a backtracking one never does."""


def _run(found: list[Case]) -> list[Case]:
    """The cases whose worker did not say ``done`` within the wait (it is killed, and a new
    worker goes on from the next case)."""
    stuck: list[Case] = []
    first = 0
    while first < len(found):
        worker = subprocess.Popen(
            [sys.executable, "-m", "tests.unit.regex_attack", str(first)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert worker.stdin is not None and worker.stdout is not None
        worker.stdin.write(dump(found) + "\n")
        worker.stdin.close()
        current, deadline = first, time.monotonic() + WAIT_PER_ATTACK_S * 4  # imports first
        while True:
            ready, _, _ = select.select(
                [worker.stdout], [], [], max(0.0, deadline - time.monotonic())
            )
            if not ready:
                worker.kill()
                worker.wait()
                stuck.append(found[current])
                first = current + 1
                break
            line = worker.stdout.readline()
            if not line:  # the worker finished every case
                assert worker.wait() == 0, "the regex worker failed"
                first = len(found)
                break
            _, index = line.split()
            current = int(index)
            deadline = time.monotonic() + WAIT_PER_ATTACK_S
    return stuck


def test_given_every_pattern_when_fed_100_kb_of_its_worst_input_then_each_finishes() -> None:
    """Given every regular expression of the layer, when each is searched over runs of its own
    characters 100 KB long that end in a character nothing matches, then each finishes within
    the wait (none backtracks without bound)."""
    found = cases()
    assert len(found) > 40, "the finder lost the layer's patterns"
    stuck = _run(found)
    assert not stuck, "patterns that backtrack: " + "; ".join(
        f"{c.where}: {c.pattern!r}" for c in stuck
    )


def test_given_a_known_exponential_pattern_when_attacked_then_it_is_caught() -> None:
    """The check can fail: ``(a+)+$`` (the textbook catastrophic pattern) is reported stuck."""
    catastrophic = Case("example", r"^(a+)+$", 0, False)
    assert any(a.startswith("aaaa") for a in attacks(catastrophic))
    assert _run([catastrophic]) == [catastrophic]


def test_given_the_former_dosing_day_list_when_attacked_then_it_is_caught() -> None:
    """The dosing-day list as it was ("weeks 0, 2 and 6" with a trailing ``\\s*`` after each
    separator): "weeks 0, and  0, and  0 ..." splits each separator's spaces two ways, 2^n ways
    to fail; the hand-written worst input of its name reports it (and its rewrite passes the
    test above)."""
    num = r"(\d+|one|two|three)"
    former = rf"^(?P<unit>weeks?|wks?|days?)\s+(?P<list>{num}(?:\s*(?:,\s*(?:and\s+)?|and\s+|&\s*)\s*{num})*)$"
    case = Case("intake.therapy.prescription._UNIT_FIRST_RE", former, 0, False)
    assert _run([case]) == [case]


@pytest.mark.parametrize("pattern", [r"\d{3}-\d{4}", r"^[A-Z][0-9]{2}$"])
def test_given_a_linear_pattern_when_attacked_then_it_finishes(pattern: str) -> None:
    """And it does not report a linear pattern."""
    assert _run([Case("example", pattern, 0, False)]) == []
