"""Byte-for-byte guard: every X12 fixture and every sandbox exchange of the sample referrals
reads and writes exactly as recorded in ``golden/x12_golden.json`` (see ``golden.py``)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.unit.x12.golden import GOLDEN, record


@pytest.fixture(scope="module")
def recorded() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(GOLDEN.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def current() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(json.dumps(record(), sort_keys=True))
    return data


@pytest.mark.parametrize("part", ["fixtures", "samples", "prior_auth"])
def test_given_recorded_x12_behaviour_when_run_again_then_identical(
    part: str, recorded: dict[str, Any], current: dict[str, Any]
) -> None:
    """Given what each fixture parsed to, wrote back as, and what the sandbox answered the
    samples, when the same inputs run through today's code, then every parse result and every
    written byte is the same: the X12 engine may change shape, never output."""
    assert current[part].keys() == recorded[part].keys()
    for key in recorded[part]:
        assert current[part][key] == recorded[part][key], key
