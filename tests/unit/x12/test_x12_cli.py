"""``intake x12 read-271`` / ``build-270`` as the lead wires them into argparse."""

from __future__ import annotations

import json
from pathlib import Path

from tests.unit.x12.conftest import LOCAL_X12, SHARED_X12, Run


def test_given_271_file_when_read_then_json_and_exit_0(run: Run) -> None:
    path = SHARED_X12 / "lfh-subscriber-health-benefit-check.271"
    code, out, _ = run("x12", "read-271", str(path))
    assert code == 0
    data = json.loads(out)
    assert data["status"] == "active" and data["copay"]["in_network"] == "10.00"


def test_given_several_patients_when_read_then_a_list(run: Run) -> None:
    code, out, _ = run("x12", "read-271", str(LOCAL_X12 / "multi-patient.271"))
    assert code == 0 and len(json.loads(out)) == 3


def test_given_expected_names_when_read_then_mismatch_reported(run: Run) -> None:
    code, out, _ = run(
        "x12",
        "read-271",
        str(LOCAL_X12 / "ppo-accumulators.271"),
        "--expect-first",
        "Jane",
        "--expect-last",
        "Dough",
        "--expect-dob",
        "1980-02-14",
    )
    assert code == 0 and json.loads(out)["mismatches"] == ["last_name"]


def test_given_miscounted_271_when_read_strict_then_exit_2_plain_error(
    run: Run, tmp_path: Path
) -> None:
    """A wrong SE01 is refused with --strict (and read with a warning without it, below)."""
    bad = tmp_path / "bad.271"
    text = (SHARED_X12 / "lfh-subscriber-health-benefit-check.271").read_text()
    bad.write_text(text.replace("SE*22*", "SE*21*"))
    code, out, err = run("x12", "read-271", "--strict", str(bad))
    assert code == 2 and out == ""
    assert "segment 24 (SE): SE01 says 21 segments but the transaction has 22" in err
    code, out, _ = run("x12", "read-271", str(bad))
    assert code == 0
    assert any("SE01 says 21 segments" in w for w in json.loads(out)["warnings"])


def test_given_truncated_271_when_read_then_exit_2_with_the_reason(
    run: Run, tmp_path: Path
) -> None:
    """A 271 cut short is not whole: refused (strict or not), saying what is missing."""
    bad = tmp_path / "cut.271"
    text = (SHARED_X12 / "lfh-subscriber-health-benefit-check.271").read_text()
    bad.write_text(text[: text.index("SE*")])
    code, out, err = run("x12", "read-271", str(bad))
    assert code == 2 and out == ""
    assert "has no SE (truncated?)" in err


def test_given_missing_file_when_read_then_exit_2(run: Run, tmp_path: Path) -> None:
    code, _, err = run("x12", "read-271", str(tmp_path / "nope.271"))
    assert code == 2 and "cannot read" in err


def test_given_inquiry_json_when_build_270_then_x12(run: Run, tmp_path: Path) -> None:
    inquiry = tmp_path / "inquiry.json"
    inquiry.write_text(
        json.dumps(
            {
                "payer_name": "Sandbox HMO Care",
                "payer_id": "SBX02",
                "provider_name": "Sample Home Infusion",
                "provider_npi": "1234567893",
                "subscriber": {
                    "first_name": "Sofia",
                    "last_name": "Nguyen",
                    "dob": "1990-05-17",
                    "member_id": "SBH000000201",
                },
                "service_date": "2026-02-01",
                "trace_number": "T1",
                "service_types": ["30", "42"],
            }
        )
    )
    code, out, _ = run("x12", "build-270", str(inquiry), "--control-number", "5")
    assert code == 0
    assert out.startswith("ISA*") and "*000000005*" in out and "EQ*30^42~" in out
    inquiry.write_text("{}")
    code, _, err = run("x12", "build-270", str(inquiry))
    assert code == 2 and "payer_id" in err


def test_given_ppo_271_when_read_by_parts_then_each_part_names_its_eb_segment(run: Run) -> None:
    """Given the hand-written PPO (plan level 20%, home health 42^44 10%), when read with
    --parts, then the drug shows the plan-level line and the per diem, nursing and supplies
    (billed in the per diem) the 42^44 line, each with the EB segment it came from."""
    code, out, _ = run("x12", "read-271", "--parts", str(LOCAL_X12 / "ppo-accumulators.271"))
    assert code == 0
    lines = out.splitlines()
    assert lines[1:3] == [
        "drug      coinsurance 20% (plan level)",
        "          from EB*A*IND*30*****.2****Y",
    ]
    assert lines[3] == "per diem  coinsurance 10%"
    assert lines[7] == "supplies  coinsurance 10% (billed in the per diem)"
    assert lines[8] == "          from EB*A*IND*42^44*****0.1***Y*Y"
