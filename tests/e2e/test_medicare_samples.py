"""End to end on the local stack, only the Medicare and pharmacy-benefit samples (07, 31, 42-45):
each ends in its documented status, no Original Medicare sample files a 278, and the
pharmacy-benefit drugs go to a PBM with the packet addressed to it."""

from __future__ import annotations

from typing import Any

import pytest

from intake_local import pipeline
from tests.conftest import EVENTS
from tests.e2e.test_intake_run import EXPECTED

pytestmark = pytest.mark.e2e

SAMPLES = (
    "07-medicare-advantage.json",
    "31-medicare-medigap-ivig.json",
    "42-medicare-iv-antibiotic-part-d.json",
    "43-medicare-pump-drug-part-b-dme.json",
    "44-dual-eligible.json",
    "45-pbm-carve-out.json",
)
ORIGINAL_MEDICARE = SAMPLES[1:5]
"""The samples whose primary is Original Medicare (sandbox SBX06)."""
TO_A_PBM = ("42-medicare-iv-antibiotic-part-d.json", "45-pbm-carve-out.json")


@pytest.fixture(scope="module")
def run(local_stack: Any) -> dict[str, dict[str, Any]]:
    files = [EVENTS / "referrals" / name for name in SAMPLES]
    result = pipeline.run(local_stack, files, timeout_s=2 * pipeline.default_timeout(len(files)))
    return {r["file"]: r for r in result.referrals}


def _events(referral: dict[str, Any]) -> list[str]:
    return [e["event"] for e in referral["timeline"]]


def test_medicare_samples_end_in_their_documented_status(run: dict[str, dict[str, Any]]) -> None:
    # Given the samples' documented statuses (README table, EXPECTED in test_intake_run)
    # Then each Medicare and pharmacy-benefit sample ends where the README says
    assert {f: r["status"] for f, r in run.items()} == {f: EXPECTED[f] for f in SAMPLES}


def test_no_original_medicare_sample_files_a_278(
    local_stack: Any, run: dict[str, dict[str, Any]]
) -> None:
    """Original Medicare has no prior authorization program for these drugs: a 278 to a MAC
    would wait on nothing. The benefit is decided and cited instead."""
    s3 = local_stack.client("s3")
    bucket = local_stack.outputs.documents_bucket
    for name in ORIGINAL_MEDICARE:
        referral = run[name]
        events = _events(referral)
        # Then no request went out, and the decided benefit is on the timeline with its rules
        assert "prior_auth_submitted" not in events, name
        decided = next(e for e in referral["timeline"] if e["event"] == "medicare_benefit_decided")
        assert decided["detail"]["send_278_to_mac"] is False and decided["detail"]["cites"]
        listed = s3.list_objects_v2(Bucket=bucket, Prefix=f"prior-auth/{referral['referral_id']}/")
        assert not [o["Key"] for o in listed.get("Contents", []) if o["Key"].endswith(".278")]
    # And the Part B samples passed the gate on documentation kept on file
    for name in ("31-medicare-medigap-ivig.json", "43-medicare-pump-drug-part-b-dme.json"):
        assert run[name]["prior_auth"]["status"] == "documentation_on_file", name
        assert "documentation_on_file" in _events(run[name]), name


def test_pharmacy_benefit_drugs_go_to_the_pbm(run: dict[str, dict[str, Any]]) -> None:
    """A drug on the pharmacy benefit (a carve-out, or Original Medicare's Part D) is sent to
    the PBM the 271 names, with its fax, never as a 278 to the medical payer."""
    for name in TO_A_PBM:
        referral = run[name]
        (task,) = [t for t in referral["tasks"] if t["type"] == "send_to_pbm"]
        assert task["outcome"] == "approved", name
        assert "pbm_packet_ready" in _events(referral) and "pbm_approved" in _events(referral)
        assert "prior_auth_submitted" not in _events(referral), name


def test_the_estimates_split_the_benefits_as_the_rules_say(run: dict[str, dict[str, Any]]) -> None:
    """The dual-eligible QMB owes nothing of Medicare's cost sharing for home IVIG (Medicaid
    pays it); the Part D sample owes the per diem and nursing Medicare does not cover."""
    dual = run["44-dual-eligible.json"]["estimate"]
    assert dual["payer_type"] == "original_medicare_part_b"
    assert float(dual["course_patient"]) == 0 and float(dual["secondary_pays"]) > 0
    part_d = run["42-medicare-iv-antibiotic-part-d.json"]["estimate"]
    assert part_d["payer_type"] == "original_medicare_part_b"
    assert float(part_d["course_patient"]) > 0  # per diem and nursing: not covered by Medicare
