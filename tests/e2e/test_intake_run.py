"""End to end through the local stack: the main job as the README runs it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from intake.models.records import FINAL_STATUSES
from intake_local import pipeline
from tests.conftest import EVENTS, PROJECT_ROOT

pytestmark = pytest.mark.e2e


EXPECTED = {
    "01-ppo-deductible-coinsurance.json": "scheduled",
    "02-hmo-copay-spanish.json": "scheduled",  # denied, then an alternative drug certified
    "03-auth-required-chinese.json": "scheduled",  # pended, then certified
    "04-coverage-inactive.json": "insurance_unverified",
    "11-member-not-found.json": "insurance_unverified",
    "14-prior-auth-denied.json": "closed_declined",  # appeal denied too, then closed
    "15-prior-auth-certified.json": "scheduled",
    "16-prior-auth-partial.json": "scheduled",  # partial, terms accepted
    "17-prior-auth-modified.json": "scheduled",  # modified, terms accepted
    "18-prior-auth-denied-then-appeal-approved.json": "scheduled",
    "19-prior-auth-denied-self-pay.json": "self_pay",
    "26-prior-auth-denied-declined.json": "closed_declined",
    "27-voicemail-twice-then-reached.json": "scheduled",
    "28-wrong-number.json": "scheduled",
    "29-stale-order.json": "scheduled",
    "35-ivig-records-from-clinic.json": "scheduled",  # IgG asked of the clinic, uploaded, certified
    "36-infliximab-filed-without-tb.json": "scheduled",  # filed without TB, pended A4, sent, certified
    "40-mid-year-enrolment.json": "scheduled",  # enrolled mid-year: the payer's remaining amounts kept
    "41-hmo-per-day-copay.json": "scheduled",  # per-day per diem copay, per-visit nurse copay
    "07-medicare-advantage.json": "scheduled",  # the MA plan's own 278, never a MAC
    "31-medicare-medigap-ivig.json": "scheduled",  # Part B home IVIG: no 278, documentation on file
    "42-medicare-iv-antibiotic-part-d.json": "scheduled",  # Part D drug: packet to its PBM
    "43-medicare-pump-drug-part-b-dme.json": "scheduled",  # Part B DME pump drug + HIT days
    "44-dual-eligible.json": "scheduled",  # QMB: Medicare first, Medicaid after, owes nothing
    "45-pbm-carve-out.json": "scheduled",  # pharmacy benefit: packet to the PBM, no 278
    "37-ocrelizumab-loading-order.json": "scheduled",  # label fills the loading days and anchor
    "09-invalid.json": "quarantined",
    "25-hl7-ref-i12-public-incomplete.hl7": "in_review",
}
_DOCUMENTED = re.compile(r"^\| (\S+) \|.*end status: `([a-z_]+)`", re.MULTILINE)


def documented_statuses() -> dict[str, str]:
    """The end status the samples' README documents for a sample ("end status: `scheduled`"
    in its row): a sample added with its row is checked without editing this file."""
    text = (EVENTS / "referrals" / "README.md").read_text(encoding="utf-8")
    return dict(_DOCUMENTED.findall(text))


EXPECTED |= documented_statuses()
SAME_PATIENT = (
    "20-fax-efax-text.pdf",
    "21-fax-scanned.pdf",
    "22-hl7-ref-i12.hl7",
    "23-hl7-rde-o11.hl7",
    "24-fhir-bundle.json",
)
"""Daniel Ortega's infliximab from one prescriber, five times: one referral goes through the
workflow, the other four are linked to it (which is first depends on the upload order)."""
FINAL = {status.value for status in FINAL_STATUSES}
"""The documented final statuses: every referral ends in one, or waits where a liaison acts."""


@pytest.fixture(scope="module")
def run(local_stack: Any) -> dict[str, dict[str, Any]]:
    """The main job over every sample, with the auto-liaison following each sample's script."""
    files = pipeline.sample_files(EVENTS / "referrals")
    # Twice the CLI's default bound: the stack tier may share the machine with a second suite.
    result = pipeline.run(local_stack, files, timeout_s=2 * pipeline.default_timeout(len(files)))
    assert result.figures["median_upload_to_welcome_call_queued_s"] is not None
    return {r["file"]: r for r in result.referrals}


def test_every_sample_ends_in_its_documented_status(run: dict[str, dict[str, Any]]) -> None:
    # Then each sample ends where its path leads, and every final status is a documented one
    assert {f: r["status"] for f, r in run.items() if f in EXPECTED} == {
        f: s for f, s in EXPECTED.items() if f in run
    }
    for r in run.values():
        assert r["status"] in FINAL | {"quarantined", "in_review", "linked"}, r["file"]
    invalid = run["09-invalid.json"]
    assert invalid["problems"] and [t["type"] for t in invalid["tasks"]] == ["needs_review"]


def test_the_same_patient_and_therapy_is_one_referral_with_linked_updates(
    run: dict[str, dict[str, Any]],
) -> None:
    # Then of the five documents for one patient and therapy one is scheduled, four linked
    same = [run[name] for name in SAME_PATIENT]
    assert sorted(r["status"] for r in same) == ["linked"] * 4 + ["scheduled"]
    (opened,) = [r for r in same if r["status"] == "scheduled"]
    linked = [r for r in same if r["status"] == "linked"]
    # And one welcome call was made, on the open referral only
    welcome = [t for r in same for t in r["tasks"] if t["type"] == "welcome_call"]
    assert [t["task_id"].split(".")[0] for t in welcome] == [opened["referral_id"]]
    # And each linked one has its linked_update task, kept linked by the liaison
    for r in linked:
        assert [(t["type"], t["outcome"]) for t in r["tasks"]] == [("linked_update", "resolved")]
        assert "linked" in [e["event"] for e in r["timeline"]]
    # And the open referral's timeline lists each update with its document
    updates = {
        e["detail"]["linked_referral_id"]
        for e in opened["timeline"]
        if e["event"] == "update_linked"
    }
    assert updates == {r["referral_id"] for r in linked}


def test_no_scheduling_call_without_a_covering_authorization(
    run: dict[str, dict[str, Any]],
) -> None:
    # A referral reaches a scheduling call only after the authorization gate passed: no
    # authorization needed, certifications covering the doses, accepted terms, or self-pay
    for r in run.values():
        kinds = [t["type"] for t in r["tasks"]]
        if "scheduling_call" not in kinds:
            continue
        gate = (r.get("prior_auth") or {}).get("gate")
        assert gate in {"passed", "self_pay"}, (r["file"], r.get("prior_auth"))
        events = [e["event"] for e in r["timeline"]]
        gate_at = max(i for i, e in enumerate(events) if e == "authorization_gate")
        queued = [
            i
            for i, e in enumerate(r["timeline"])
            if e["event"] == "task_queued"
            and e["detail"].get("task_type") in {"cost_and_options_call", "scheduling_call"}
        ]
        assert queued and min(queued) > gate_at, r["file"]
    # And the denied, partial and pended paths went through their tasks first
    for name, kind in (
        ("14-prior-auth-denied.json", "appeal_or_alternatives"),
        ("16-prior-auth-partial.json", "accept_or_appeal"),
        ("17-prior-auth-modified.json", "accept_or_appeal"),
        ("19-prior-auth-denied-self-pay.json", "appeal_or_alternatives"),
    ):
        assert kind in [t["type"] for t in run[name]["tasks"]], name
    assert "scheduling_call" not in [t["type"] for t in run["14-prior-auth-denied.json"]["tasks"]]
    appeal = run["18-prior-auth-denied-then-appeal-approved.json"]
    assert "appeal_submitted" in [e["event"] for e in appeal["timeline"]]
    assert appeal["prior_auth"]["status"] == "certified"


def test_each_call_lists_its_attempts(run: dict[str, dict[str, Any]]) -> None:
    welcome = next(
        t
        for t in run["27-voicemail-twice-then-reached.json"]["tasks"]
        if t["type"] == "welcome_call"
    )
    assert [a["outcome"] for a in welcome["attempts"]] == ["voicemail", "no_answer", "reached"]
    assert all(a["at"] for a in welcome["attempts"])
    wrong = run["28-wrong-number.json"]
    assert "verify_contact" in [t["type"] for t in wrong["tasks"]]
    call = next(t for t in wrong["tasks"] if t["type"] == "welcome_call")
    assert [a["outcome"] for a in call["attempts"]] == ["wrong_number", "reached"]


def test_every_milestone_a_sample_reaches_is_a_stored_clinic_status(
    local_stack: Any, run: dict[str, dict[str, Any]]
) -> None:
    """Why: the referring clinic hears of each milestone (issue 25). Each timeline event the
    milestones table maps gives one stored status under its idempotency key, and nothing else
    is stored (one Query per referral, after the run: the run itself pays the writes only)."""
    from intake.clinic.milestones import status_for

    assert local_stack.outputs is not None
    ddb = local_stack.client("dynamodb")
    reached: set[str] = set()
    for r in run.values():
        if not r.get("referral_id"):
            continue
        expected = set()
        for e in r["timeline"]:
            made = status_for(r["referral_id"], e["event"], datetime.now(), e["detail"])
            if made is not None:
                expected.add(made.key)
        items = ddb.query(
            TableName=local_stack.outputs.table_name,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :c)",
            ExpressionAttributeValues={
                ":pk": {"S": f"REFERRAL#{r['referral_id']}"},
                ":c": {"S": "CLINIC#"},
            },
            ProjectionExpression="sk",
        )["Items"]
        assert {i["sk"]["S"].removeprefix("CLINIC#") for i in items} == expected, r["file"]
        reached |= {k.split(".")[0] for k in expected}
    # And the samples between them reach the milestones (worked: 15 certified → filed,
    # decided, scheduled; 14 denied → appealed, closed; 35 records → more information)
    assert {
        "received",
        "more_information",
        "insurance_verified",
        "authorization_filed",
        "authorization_decided",
        "authorization_appealed",
        "scheduled",
        "closed",
    } <= reached


def test_no_date_before_receipt(local_stack: Any, run: dict[str, dict[str, Any]]) -> None:
    """Task due times, the estimate's first infusion and the 278's requested period all start
    on or after the day we received the referral (the fax, HL7 and FHIR samples ask for
    2025-04-01)."""
    s3 = local_stack.client("s3")
    for r in run.values():
        if not r.get("uploaded_at"):
            continue
        received = datetime.fromisoformat(r["uploaded_at"])
        for t in r["tasks"]:
            assert datetime.fromisoformat(t["due_at"]) >= received - timedelta(seconds=1), r["file"]
        pa = r.get("prior_auth") or {}
        if pa.get("requested_from"):
            assert date.fromisoformat(pa["requested_from"]) >= received.date(), r["file"]
        if (pa.get("packet") or {}).get("x12"):
            bucket, key = pa["packet"]["x12"].removeprefix("s3://").split("/", 1)
            x12 = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
            for segment in x12.split("~"):
                if segment.startswith("DTP*472*RD8*"):
                    first = datetime.strptime(segment.split("*")[3][:8], "%Y%m%d").date()
                    assert first >= received.date(), r["file"]
    (opened,) = [run[n] for n in SAME_PATIENT if run[n]["status"] == "scheduled"]
    dated = ("22-hl7-ref-i12.hl7", "24-fhir-bundle.json")  # a 2025 message date: an old order
    for r in [run["29-stale-order.json"], *([opened] if opened["file"] in dated else [])]:
        assert "confirm_order" in [t["type"] for t in r["tasks"]], r["file"]


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
        timeout=900,  # a bound, not an expectation: it starts a stack of its own
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
    # (the pharmacist's assessment call is queued beside the welcome call: both left open)
    calls = [(t["type"], t["status"]) for t in chinese["tasks"]]
    assert ("welcome_call", "open") in calls and all(status == "open" for _, status in calls)
    assert "median upload → welcome call queued" in proc.stdout


def test_no_request_goes_out_with_a_criterion_silently_unmet(
    run: dict[str, dict[str, Any]],
) -> None:
    # For every sample whose 278 went out: each criterion of its drug was met (a coded fact or
    # a document), or found in the clinic's own words and quoted for the reviewer to confirm
    # ("to_confirm": issue 22, never counted as a result or an attachment), or the clinic was
    # asked first and a liaison filed without it, with the reason recorded
    filed = [
        r for r in run.values() if "prior_auth_submitted" in [e["event"] for e in r["timeline"]]
    ]
    assert filed
    for r in filed:
        pa = r["prior_auth"]
        unmet = [
            i["id"] for i in pa["evidence"]["items"] if i["status"] not in ("met", "to_confirm")
        ]
        if not unmet:
            continue
        events = [e["event"] for e in r["timeline"]]
        assert "records_requested" in events and "filed_without_evidence" in events, r["file"]
        assert set(unmet) <= set(pa["evidence_waiver"]["items"]), r["file"]
        assert pa["evidence_waiver"]["reason"], r["file"]
    # And the two evidence samples took their paths: the clinic's upload, then the payer's ask
    ivig = [e["event"] for e in run["35-ivig-records-from-clinic.json"]["timeline"]]
    assert ivig.index("records_requested") < ivig.index("prior_auth_submitted")
    assert "filed_without_evidence" not in ivig
    ifx = [e["event"] for e in run["36-infliximab-filed-without-tb.json"]["timeline"]]
    assert "filed_without_evidence" in ifx and "additional_information_sent" in ifx


# The Medicare and pharmacy-benefit samples (07, 31, 42-45), the weight and evidence samples (38,
# 39) and the 271 samples (40, 41) are checked on the whole run's results: one run of every
# sample, not a second run of a few (the stack tier is the CI's critical path).
ORIGINAL_MEDICARE = (
    "31-medicare-medigap-ivig.json",
    "42-medicare-iv-antibiotic-part-d.json",
    "43-medicare-pump-drug-part-b-dme.json",
    "44-dual-eligible.json",
)
"""The samples whose primary is Original Medicare (sandbox SBX06)."""
TO_A_PBM = ("42-medicare-iv-antibiotic-part-d.json", "45-pbm-carve-out.json")


def _events(referral: dict[str, Any]) -> list[str]:
    return [e["event"] for e in referral["timeline"]]


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


def test_assistance_ends_in_enrollment_with_the_program_on_the_estimate(
    run: dict[str, dict[str, Any]],
) -> None:
    """Given 52 (a commercial HDHP with a copay accumulator, Janssen CarePath) and 53 (Original
    Medicare, a PAN disease fund), when the auto-liaison records each enrollment, then the
    referral's estimate is the new version with the program applied and its id, and 52's
    $20,000 runs out on 2027-10-18 (the course's arithmetic is in
    tests/integration/test_assistance_enrollment.py)."""
    for name, program in (
        ("52-copay-program-max-mid-year.json", "Janssen CarePath Savings Program (Remicade)"),
        ("53-medicare-foundation.json", "PAN Foundation"),
    ):
        referral = run[name]
        [task] = [t for t in referral["tasks"] if t["type"] == "assistance_enrollment"]
        assert (task["status"], task["outcome"]) == ("completed", "enrolled"), name
        estimate = referral["estimate"]
        assert estimate["version"] >= 2, name
        assert (estimate["assistance_program"], estimate["assistance_status"]) == (
            program,
            "enrolled",
        )
        assert estimate["assistance_enrollment_id"], name
    assert run["52-copay-program-max-mid-year.json"]["estimate"]["assistance_runs_out_on"] == (
        "2027-10-18"
    )


def test_negated_labs_are_asked_of_the_clinic_and_a_weight_in_the_notes_is_used(
    run: dict[str, dict[str, Any]],
) -> None:
    """Given 38 (the weight only in the notes) and 39 (labs the notes negate), then 39's
    missing TB and hepatitis B results were asked of the clinic first, and 38 asked nothing
    of the clinic (its weight was read from the notes, so nothing waits for one)."""
    tasks = [t["type"] for t in run["39-labs-negated-in-notes.json"]["tasks"]]
    assert "records_from_clinic" in tasks
    assert "records_from_clinic" not in [
        t["type"] for t in run["38-weight-only-in-notes.json"]["tasks"]
    ]


def test_the_per_day_copay_is_charged_per_per_diem_day(run: dict[str, dict[str, Any]]) -> None:
    """Given the HMO's $15 per day (EB06 7) and $25 per visit (EB06 27), when the 14-day
    ertapenem course is estimated, then 14 x 15 + 2 x 25 = 260 (a first and a weekly visit),
    at high confidence: never the visit copay on each of the 14 days (14 x 25 = 350)."""
    estimate = run["41-hmo-per-day-copay.json"]["estimate"]
    assert Decimal(str(estimate["course_patient"])) == Decimal(14 * 15 + 2 * 25)
    assert estimate["confidence"] == "high"


def test_every_scheduled_sample_has_its_first_visit_documented(
    run: dict[str, dict[str, Any]],
) -> None:
    """Given every sample run with the auto-liaison playing the nurse (issue 25), then each
    referral ending ``scheduled`` or ``self_pay`` had its first visit booked and documented under
    one visit id (the nurse's call, the booking, the record), and its first_visit task is closed."""
    for r in run.values():
        if r["status"] not in ("scheduled", "self_pay"):
            continue
        events = {e["event"]: e["detail"] for e in r["timeline"]}
        assert "first_visit_scheduled" in events and "visit_documented" in events, r["file"]
        assert events["first_visit_scheduled"]["visit_id"] == events["visit_documented"]["visit_id"]
        visits = [t for t in r["tasks"] if t["type"] == "first_visit"]
        assert visits and all(t["outcome"] == "documented" for t in visits[-1:]), r["file"]


def test_the_first_visit_of_sample_49_records_the_infusion_reaction(
    local_stack: Any, run: dict[str, dict[str, Any]]
) -> None:
    """Given sample 49 (ocrelizumab 300 mg at home), then its first visit record keeps the
    moderate reaction (paused, restarted at half the rate, OCREVUS PI 2.4) and the units of
    4 h 30 min: 270 - 120 = 150 = 60 + 60 + 30 -> 99601 x1, 99602 x2 (30 does not pass the
    mid-point)."""
    sample = run["49-first-visit-infusion-reaction.json"]
    api = pipeline.LiaisonClient(local_stack.outputs.api_url)
    reply = api.http.get(f"{api.base_url}/referrals/{sample['referral_id']}/visits", timeout=30)
    record = reply.json()["visits"][-1]["record"]
    assert (record["visit_minutes"], record["nursing_units"]) == (270, {"99601": 1, "99602": 2})
    reaction = record["reactions"][0]
    assert (reaction["severity"], reaction["rate_action"], reaction["resolved"]) == (
        "moderate",
        "slowed",
        True,
    )
    assert "2.4" in reaction["guidance"]


def test_discovery_finds_confirms_or_lists_what_it_tried(run: dict[str, dict[str, Any]]) -> None:
    """Issue 26 on the shared run (no extra stack time). Sample 50 has no insurance: SBX01
    answers AAA 75, SBX02 finds her (two paid inquiries), the confirm_coverage task is
    confirmed and the check then verifies the found coverage. Sample 51 is on no roster: three
    paid inquiries (the budget), a coverage_not_found task the auto-liaison rejects."""
    found, nowhere = run["50-no-insurance-discovered.json"], run["51-no-insurance-not-found.json"]
    events = [e["event"] for e in found["timeline"]]
    assert events.count("discovery_inquiry") == 2 and "coverage_confirmed" in events
    assert ("confirm_coverage", "confirmed") in [(t["type"], t["outcome"]) for t in found["tasks"]]
    assert found["benefits"] and "SANDBOX HMO HOME CARE" in str(found["benefits"])
    events = [e["event"] for e in nowhere["timeline"]]
    assert events.count("discovery_inquiry") == 3 and "coverage_confirmed" not in events
    assert ("coverage_not_found", "rejected") in [
        (t["type"], t["outcome"]) for t in nowhere["tasks"]
    ]
