"""``intake estimate`` and ``intake pa packet`` plan from the receipt date, as the workflow does.

The reviewers found both commands pricing and requesting from a therapy start a month before
the referral arrived. The workflow's rule (``intake.models.dates``): every clock starts from
receipt, and a start before it means "as soon as possible", from receipt. The commands take
the receipt from ``--received``, else the referral's own send/receipt time, else today.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from intake_local.commands import estimate, pa
from tests.conftest import EVENTS, cli_runner
from tests.unit.estimate.conftest import Sandbox271

Run = Callable[..., tuple[int, str, str]]
SAMPLE = EVENTS / "referrals" / "01-ppo-deductible-coinsurance.json"


@pytest.fixture
def late_referral(tmp_path: Path) -> Path:
    """Sample 01 with a start of 2026-01-05 written by the clinic, sent on 2026-02-02."""
    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    data["therapy"]["start_date"] = "2026-01-05"
    data["received_at"] = "2026-02-02T09:00:00-06:00"
    path = tmp_path / "late.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture
def ppo_271(tmp_path: Path, sandbox_271: Sandbox271) -> Path:
    path = tmp_path / "ppo.271"
    path.write_text(sandbox_271("SBX01", "SBP000000101"))
    return path


def _first_infusion(out: str) -> str:
    return str(json.loads(out)["course"]["first"])


def test_given_start_before_the_referral_was_sent_when_estimated_then_priced_from_receipt(
    capsys: pytest.CaptureFixture[str], late_referral: Path, ppo_271: Path
) -> None:
    """Given a start of 2026-01-05 in a referral sent 2026-02-02, when estimated without
    --received, then the first infusion priced is 2026-02-02 (the referral's own time), and
    stderr says the start moved and must be confirmed."""
    run = cli_runner(estimate.register, capsys, "estimate")
    argv = ("--benefits", str(ppo_271), "--therapy", str(late_referral), "--as-of", "2026-02-02")
    code, out, err = run(*argv)
    assert code == 0, err
    assert _first_infusion(out) == "2026-02-02"
    assert "received 2026-02-02" in err and "confirm the start date" in err
    # When --received says it arrived later still, then nothing is priced before that day
    code, out, _ = run(*argv, "--received", "2026-02-16")
    assert code == 0 and _first_infusion(out) == "2026-02-16"
    # When --start is after receipt, then it stands
    code, out, _ = run(*argv, "--start", "2026-03-02")
    assert code == 0 and _first_infusion(out) == "2026-03-02"


def test_given_start_before_receipt_when_packet_built_then_278_requests_from_receipt(
    capsys: pytest.CaptureFixture[str], late_referral: Path, ppo_271: Path, tmp_path: Path
) -> None:
    """Given the same referral, when its packet is built on 2026-02-03, then the 278's
    requested period (DTP*AAH) begins 2026-02-02, not 2026-01-05."""
    run = cli_runner(pa.register, capsys)
    out_dir = tmp_path / "out"
    code, _, err = run(
        "pa",
        "packet",
        "--referral",
        str(late_referral),
        "--benefits",
        str(ppo_271),
        "--out",
        str(out_dir),
        "--date",
        "2026-02-03",
    )
    assert code == 0, err
    x12 = (out_dir / "request.278").read_text(encoding="ascii")
    assert re.findall(r"DTP\*AAH\*RD8\*(\d{8})-", x12) == ["20260202"]
    assert "20260105" not in x12
