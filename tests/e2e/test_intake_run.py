"""End to end through the local stack: the main job as the README runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from intake_local import pipeline
from tests.conftest import EVENTS, PROJECT_ROOT

pytestmark = pytest.mark.e2e


def test_intake_run_completes_every_welcome_call_and_quarantines_the_invalid(
    local_stack: Any,
) -> None:
    # Given the sample referrals, and a liaison working the call tasks
    files = pipeline.sample_files(EVENTS / "referrals")
    # When the pipeline runs
    result = pipeline.run(local_stack, files, timeout_s=180)
    by_file = {r["file"]: r for r in result.referrals}
    # Then the invalid one is quarantined with its reasons and a review task
    invalid = by_file["09-invalid.json"]
    assert invalid["status"] == "quarantined" and invalid["problems"]
    assert [t["type"] for t in invalid["tasks"]] == ["needs_review"]
    # And every valid referral's welcome call was completed and recorded on its timeline
    valid = [r for r in result.referrals if r["status"] not in {"quarantined", "in_review"}]
    assert len(valid) >= 15
    for referral in valid:
        calls = [t for t in referral["tasks"] if t["type"] == "welcome_call"]
        assert calls and calls[0]["status"] == "completed" and calls[0]["outcome"] == "reached"
        assert "welcome_call_completed" in [e["event"] for e in referral["timeline"]]
        assert referral["upload_to_welcome_call_queued_s"] is not None
    assert result.figures["median_upload_to_welcome_call_queued_s"] is not None
    # And each format reached a verified, estimated, authorized and scheduled referral
    for name in (
        "01-ppo-deductible-coinsurance.json",
        "21-fax-scanned.pdf",
        "22-hl7-ref-i12.hl7",
        "23-hl7-rde-o11.hl7",
        "24-fhir-bundle.json",
        "20-fax-efax-text.pdf",
    ):
        done = by_file[name]
        assert done["status"] == "completed", name
        assert done["benefits"]["outcome"] == "verified" and done["estimate"]["version"] >= 1
        assert {t["type"] for t in done["tasks"]} >= {
            "welcome_call",
            "cost_and_options_call",
            "scheduling_call",
        }
    # And the insurance and authorization paths each ended where they should
    assert by_file["04-coverage-inactive.json"]["status"] == "insurance_unverified"
    assert by_file["11-member-not-found.json"]["status"] == "insurance_unverified"
    assert by_file["06-name-dob-mismatch.json"]["benefits"]["round"] == 2
    assert by_file["03-auth-required-chinese.json"]["prior_auth"]["status"] == "certified"
    assert by_file["14-prior-auth-denied.json"]["prior_auth"]["appeal"]
    assert by_file["25-hl7-ref-i12-public-incomplete.hl7"]["status"] == "in_review"


def test_cli_without_auto_liaison_leaves_calls_open_and_writes_json(tmp_path: Path) -> None:
    # Given two samples, one valid and one invalid
    out = tmp_path / "summary.json"
    files = [
        str(EVENTS / "referrals" / "03-auth-required-chinese.json"),
        str(EVENTS / "referrals" / "09-invalid.json"),
    ]
    # When the console script runs them with no liaison
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "intake_local.cli",
            "run",
            "--no-auto-liaison",
            "--json",
            str(out),
            *files,
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    # Then the summary lists each referral with the stable keys, the welcome call left open
    summary = json.loads(out.read_text("utf-8"))
    assert {r["file"] for r in summary} == {"03-auth-required-chinese.json", "09-invalid.json"}
    for referral in summary:
        assert {"referral_id", "status", "tasks", "timeline"} <= referral.keys()
        assert all({"type", "status", "outcome"} <= t.keys() for t in referral["tasks"])
        assert all({"at", "event"} <= e.keys() for e in referral["timeline"])
    chinese = next(r for r in summary if r["file"].startswith("03"))
    assert [(t["type"], t["status"]) for t in chinese["tasks"]][:1] == [("welcome_call", "open")]
    assert "median upload → welcome call queued" in proc.stdout
