"""``intake referral parse FILE``: JSON out, exit 0; unreadable files exit 2 with reasons."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from intake_local.commands.referral import register


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="intake")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


def test_parse_prints_the_referral(events_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Given the HL7 sample / When parsed on the command line
    code = _run(["referral", "parse", str(events_dir / "22-hl7-ref-i12.hl7")])
    out = json.loads(capsys.readouterr().out)
    # Then exit 0 with format, referral, fields_missing and confidence
    assert code == 0
    assert out["format"] == "hl7v2"
    assert out["referral"]["insurance"]["member_id"] == "SBXPPO1234"
    assert out["fields_missing"] == []
    assert out["confidence"]["patient.last_name"] == 1.0


def test_parse_prints_a_draft_for_review(
    shared_fixtures: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _run(["referral", "parse", str(shared_fixtures / "hl7v2" / "REF-I12-01.hl7")])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert "referral" not in out and out["draft"]["patient"]["last_name"] == "EVERYMAN"
    assert "therapy.drug_name" in out["fields_missing"]


def test_unreadable_file_exits_2_with_plain_reasons(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "referral.pdf"
    junk.write_bytes(b"PK\x03\x04 not really a pdf")
    code = _run(["referral", "parse", str(junk)])
    captured = capsys.readouterr()
    assert code == 2
    assert "ZIP archive" in captured.err
    assert json.loads(captured.out)["readable"] is False


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["referral", "parse", str(tmp_path / "nope.hl7")]) == 2
    assert "cannot read" in capsys.readouterr().err
