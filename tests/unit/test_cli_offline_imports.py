"""Commands that need no AWS import none of the AWS stack, so they start at once.

Importing boto3 and the SAM translator cost every ``intake`` command about a second before the
CLI imported command groups lazily. These tests run each offline command in a fresh interpreter
and look at ``sys.modules`` when it has finished: a behaviour, not a timing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
REFERRALS = PROJECT_ROOT / "events" / "referrals"
A_271 = PROJECT_ROOT / "tests" / "fixtures" / "x12" / "ppo-accumulators.271"
AWS_PACKAGES = ("boto3", "botocore", "samtranslator", "moto")

PROBE = """
import json, sys
from intake_local.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:  # --help
    code = exc.code
sys.stdout.flush()
loaded = sorted({name.split(".")[0] for name in sys.modules})
sys.stderr.write("\\nPROBE " + json.dumps({"code": code, "loaded": loaded}) + "\\n")
"""


def run_and_list_imports(*argv: str) -> tuple[int, set[str]]:
    """Run ``intake ARGV`` in a fresh interpreter: its exit code and the top-level packages
    it imported."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=PROJECT_ROOT,
    )
    probe = done.stderr.rsplit("PROBE ", 1)
    assert len(probe) == 2, f"the command did not finish: {done.stderr[-2000:]}"
    report = json.loads(probe[1])
    return int(report["code"]), set(report["loaded"])


def offline_commands(out: Path) -> dict[str, list[str]]:
    return {
        "x12 read-271": ["x12", "read-271", str(A_271)],
        "referral parse": [
            "referral",
            "parse",
            str(REFERRALS / "01-ppo-deductible-coinsurance.json"),
        ],
        "estimate": [
            "estimate",
            "--benefits",
            str(A_271),
            "--therapy",
            str(REFERRALS / "01-ppo-deductible-coinsurance.json"),
        ],
        "pa packet": [
            "pa",
            "packet",
            "--referral",
            str(REFERRALS / "03-auth-required-chinese.json"),
            "--benefits",
            str(A_271),
            "--out",
            str(out),
        ],
        "help": ["--help"],
    }


@pytest.mark.parametrize(
    "command", ["x12 read-271", "referral parse", "estimate", "pa packet", "help"]
)
def test_an_offline_command_imports_no_aws_package(command: str, tmp_path: Path) -> None:
    """Reading a 271, a referral, an estimate and a PA packet work on files alone: paying a
    second of boto3 and SAM translator imports for them made every one slow to start."""
    # Given an offline command with real inputs
    argv = offline_commands(tmp_path)[command]
    # When it runs to the end in a fresh interpreter
    code, loaded = run_and_list_imports(*argv)
    # Then it succeeded, and none of the AWS packages was imported
    assert code == 0
    assert loaded.isdisjoint(AWS_PACKAGES), sorted(loaded & set(AWS_PACKAGES))


def test_the_probe_sees_an_aws_import() -> None:
    """The check above is only worth something if it can see an import: the ``ops`` group
    works SQS through boto3, so its help alone loads it."""
    # When the ops group's help is printed
    code, loaded = run_and_list_imports("ops", "--help")
    # Then boto3 shows in the modules the probe reports
    assert code == 0
    assert {"boto3", "botocore"} <= loaded
