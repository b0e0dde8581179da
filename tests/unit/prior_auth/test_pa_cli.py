"""``intake pa packet``: three files from a referral and a 271 (X12 or read-271 JSON)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from intake.eligibility.benefits.interpret import interpret_271
from intake.eligibility.benefits.render import dumps_benefits
from intake.x12.control_numbers import SequentialControlNumbers
from intake.x12.t270 import EligibilityInquiry, SubscriberInfo, build_270
from intake.x12.t278 import parse_278
from intake_local.commands.pa import register
from intake_local.sandbox.payer import SandboxPayer
from tests.conftest import cli_runner
from tests.unit.prior_auth.conftest import EVENTS, NOW

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    return cli_runner(register, capsys)


@pytest.fixture
def noah_271(tmp_path: Path) -> Path:
    """The sandbox payer's 271 for NOAH CHEN (ppo_silver_auth: EB11=Y on home infusion)."""
    inquiry = EligibilityInquiry(
        payer_name="Sandbox",
        payer_id="SBX01",
        provider_name="Sample Home Infusion",
        provider_npi="1881000008",
        service_date=NOW.date(),
        trace_number="T1",
        subscriber=SubscriberInfo(
            first_name="Noah", last_name="Chen", dob=date(1965, 11, 2), member_id="SBP000000102"
        ),
    )
    payer = SandboxPayer(control_numbers=SequentialControlNumbers(), clock=lambda: NOW)
    reply = payer.respond_270(build_270(inquiry, now=NOW))
    path = tmp_path / "noah.271"
    path.write_text(reply.x12, encoding="ascii")
    return path


def test_given_referral_and_271_when_packet_then_three_files(
    run: Run,
    noah_271: Path,
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    code, stdout, _ = run(
        "pa",
        "packet",
        "--referral",
        str(EVENTS / "03-auth-required-chinese.json"),
        "--benefits",
        str(noah_271),
        "--out",
        str(out),
        "--date",
        "2026-02-02",
    )
    assert code == 0
    paths = [Path(line) for line in stdout.splitlines()[:3]]
    assert [p.name for p in paths] == ["packet.pdf", "request.278", "pas-bundle.json"]
    assert "prior authorization required" in stdout and "EB11=Y" in stdout
    assert "Noah Chen" in PdfReader(paths[0]).pages[1].extract_text()
    assert parse_278(paths[1].read_text(encoding="ascii")).transactions[0].events
    assert json.loads(paths[2].read_text(encoding="utf-8"))["resourceType"] == "Bundle"


def test_given_read_271_json_when_packet_then_same_decision(
    run: Run,
    noah_271: Path,
    tmp_path: Path,
) -> None:
    as_json = tmp_path / "benefits.json"
    as_json.write_text(dumps_benefits(interpret_271(noah_271.read_text())), encoding="utf-8")
    code, stdout, _ = run(
        "pa",
        "packet",
        "--referral",
        str(EVENTS / "20-fax-efax-text.pdf"),
        "--benefits",
        str(as_json),
        "--out",
        str(tmp_path / "o"),
    )
    assert code == 0 and "EB11=Y" in stdout


@pytest.mark.parametrize(
    ("referral", "benefits", "message"),
    [
        ("09-invalid.json", "ok", "is not a complete referral"),
        ("missing.json", "ok", "cannot read"),
        ("03-auth-required-chinese.json", "{not json", "is neither a 271 nor JSON"),
        ("03-auth-required-chinese.json", '{"plan": 1}', "not 'intake x12 read-271' output"),
        ("03-auth-required-chinese.json", "ISA*broken", "is not a valid 271"),
    ],
)
def test_given_bad_input_when_packet_then_exit_2_in_plain_words(
    run: Run,
    noah_271: Path,
    tmp_path: Path,
    referral: str,
    benefits: str,
    message: str,
) -> None:
    benefits_path = noah_271
    if benefits != "ok":
        benefits_path = tmp_path / "benefits.txt"
        benefits_path.write_text(benefits, encoding="utf-8")
    code, stdout, err = run(
        "pa",
        "packet",
        "--referral",
        str(EVENTS / referral),
        "--benefits",
        str(benefits_path),
        "--out",
        str(tmp_path / "x"),
    )
    assert code == 2 and stdout == ""
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "x").exists()
