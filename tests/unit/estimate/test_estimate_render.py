"""The estimate's JSON: the keys consumers rely on, decimal strings, and a lossless round trip."""

from __future__ import annotations

import json
from collections.abc import Callable

from intake.eligibility.benefits.interpret import interpret_271
from intake.eligibility.benefits.render import summary_json
from intake.estimate import (
    Contracts,
    estimate_from_json,
    estimate_json,
    summary_from_json,
)
from intake.estimate.model import Estimate
from tests.unit.estimate.builders import acc, benefits, line, priced


def _estimate(contracts: Contracts) -> Estimate:
    summary = benefits(
        lines=(line("A", percent="0.2"),), deductible=acc("1500", "500"), oop=acc("8000", "6000")
    )
    return priced(summary, contracts)


def test_given_estimate_when_rendered_then_contract_keys_and_decimal_strings(
    contracts: Contracts,
) -> None:
    data = json.loads(json.dumps(estimate_json(_estimate(contracts))))
    assert data["per_infusion"] == {"allowed": "2300.00", "patient": "860.00", "plan": "1440.00"}
    assert {"infusions", "allowed", "patient", "plan"} <= data["course"].keys()
    assert data["course"]["patient"] == "3620.00"
    assert all({"description", "amount", "rule"} <= item.keys() for item in data["line_items"])
    assert all(isinstance(item["amount"], str) for item in data["line_items"])
    for key in (
        "in_network",
        "assistance_recommended",
        "confidence",
        "assumptions",
        "assistance_programs",
        "contract_version",
        "inputs",
        "call_script",
    ):
        assert key in data
    assert data["inputs"]["contract"]["rates"]["J1745"] == "50.00"
    assert data["inputs"]["benefits"]["deductible"]["individual"]["remaining"] == "500"
    assert data["call_script"]["language"] == "en"


def test_given_stored_estimate_when_read_back_then_equal(contracts: Contracts) -> None:
    original = _estimate(contracts)
    stored = json.loads(json.dumps(estimate_json(original)))
    assert estimate_from_json(stored) == original


def test_given_read_271_json_when_read_back_then_same_summary(
    sandbox_271: Callable[[str, str], str],
) -> None:
    summary = interpret_271(sandbox_271("SBX01", "SBP000000101"))[0]
    again = summary_from_json(json.loads(json.dumps(summary_json(summary))))
    assert again.summary == summary.summary
    assert again.benefits == tuple(
        b.model_copy(update={"procedure": None}) for b in summary.benefits
    )
    assert again.plan == summary.plan and again.coinsurance == summary.coinsurance
