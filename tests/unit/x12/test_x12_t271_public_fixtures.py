"""read-271 JSON over the public LinuxForHealth 271 samples (values checked against the files)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from intake.eligibility.benefits.interpret import interpret_271
from intake.eligibility.benefits.render import benefits_json

Reader = Callable[[str], str]


def _json(text: str) -> Any:
    return benefits_json(interpret_271(text))


@pytest.fixture
def subscriber(shared_x12: Reader) -> Any:
    return _json(shared_x12("lfh-subscriber-health-benefit-check.271"))


def test_given_subscriber_271_then_status_payer_and_echo(subscriber: Any) -> None:
    assert subscriber["status"] == "active"
    assert subscriber["payer"] == {"name": "ABC COMPANY", "id": "841610001"}
    assert subscriber["subscriber"] == {
        "member_id": "123456789",
        "first_name": "JOHN",
        "last_name": "SMITH",
        "dob": "1963-05-19",
    }
    assert subscriber["plan"]["description"] == "GOLD 123 PLAN"
    assert subscriber["plan"]["begin"] == "2006-01-01"  # DTP*346
    assert subscriber["rejections"] == []


def test_given_subscriber_271_then_every_eb_is_a_line(subscriber: Any) -> None:
    lines = subscriber["benefits"]
    assert [b["code"] for b in lines] == ["1", "L", "1", "B", "B"]
    ten = ["1", "33", "35", "47", "86", "88", "98", "AL", "MH", "UC"]
    assert lines[3]["service_types"] == ten  # EB03 repeated with ^
    assert (lines[3]["amount"], lines[3]["time_period"], lines[3]["in_network"]) == (
        "10.00",
        "27",
        True,
    )
    assert (lines[4]["amount"], lines[4]["in_network"]) == ("30.00", False)
    assert lines[1]["related_entities"] == [
        {
            "entity_code": "P3",
            "name": "MARCUS JONES",
            "id_qualifier": "SV",
            "id": "0202034",
            "contact": None,  # the PCP's 2120C has no PER
        }
    ]


def test_given_subscriber_271_then_copay_summary_in_and_out(subscriber: Any) -> None:
    assert subscriber["copay"] == {"in_network": "10.00", "out_of_network": "30.00"}
    assert subscriber["coinsurance"] == {"in_network": None, "out_of_network": None}
    assert subscriber["auth_required"] is None
    assert subscriber["summary"]["deductible"]["in_network"]["individual"]["total"] is None


def test_given_dependent_271_then_one_object_for_the_dependent(shared_x12: Reader) -> None:
    out = _json(shared_x12("lfh-dependent-health-benefit-check.271"))
    assert isinstance(out, dict)
    assert out["status"] == "active"
    assert out["subscriber"]["member_id"] == "123456789"
    assert out["patient"] == {
        "member_id": None,
        "first_name": "MARY",
        "last_name": "SMITH",
        "dob": "1998-10-14",
        "is_dependent": True,
        "relationship": "19",
    }
    assert out["trace_numbers"] == ["93175-012547"]
    assert len(out["benefits"]) == 5


def test_given_error_271_then_rejected_at_2100b_with_a_warning(shared_x12: Reader) -> None:
    out = _json(shared_x12("lfh-subscriber-health-benefit-check-error.271"))
    assert out["status"] == "rejected"
    assert out["payer"] == {"name": "ABC COMPANY", "id": "842610001"}
    assert out["rejections"] == [
        {
            "code": "50",
            "follow_up": "N",
            "loop": "2100B",
            "description": "Provider Ineligible for Inquiries",
            "follow_up_description": "Resubmission Not Allowed",
        }
    ]
    assert out["subscriber"] == {
        "member_id": None,
        "first_name": None,
        "last_name": None,
        "dob": None,
    }
    assert out["warnings"] == [
        "segment 10 (SE): SE02 control number does not match ST02 of segment 3"
    ]


STABLE_KEYS = {
    "status",
    "payer",
    "subscriber",
    "benefits",
    "rejections",
    "summary",
    "coinsurance",
    "copay",
    "auth_required",
}
LINE_KEYS = {
    "code",
    "coverage_level",
    "service_types",
    "time_period",
    "amount",
    "percent",
    "quantity_qualifier",
    "quantity",
    "auth_required",
    "in_network",
    "messages",
}


@pytest.mark.parametrize(
    "name",
    [
        "lfh-subscriber-health-benefit-check.271",
        "lfh-dependent-health-benefit-check.271",
        "lfh-subscriber-health-benefit-check-error.271",
    ],
)
def test_given_any_public_271_then_the_stable_keys_are_present(
    shared_x12: Reader, name: str
) -> None:
    out = _json(shared_x12(name))
    assert out.keys() >= STABLE_KEYS
    assert all(line.keys() >= LINE_KEYS for line in out["benefits"])
    for kind in ("deductible", "out_of_pocket"):
        for side in ("in_network", "out_of_network"):
            for level in ("individual", "family"):
                assert {"total", "remaining"} <= out["summary"][kind][side][level].keys()
