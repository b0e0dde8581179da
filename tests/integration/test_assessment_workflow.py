"""The pharmacist's initial assessment (issue 25) as the state machine runs it: a branch of the
intake checks beside the welcome call and the benefits check, with the real handlers behind it
on the session's local stack. Each test works the assessment call itself (``pharmacist=False``)
as the pharmacist would, through the API."""

from __future__ import annotations

import re
from typing import Any

import pytest

from intake.models.records import TaskType
from intake_local.pharmacist import assessment_for
from intake_local.pipeline import LiaisonClient
from tests.integration import steps

pytestmark = pytest.mark.integration

LIAISON = "assess-test@local"  # the conftest's ``api`` client acts as this (staff roles locally)


def went_on(api: LiaisonClient, referral_id: str) -> dict[str, Any]:
    """The referral once its intake checks are done and it goes on to the authorization (the
    rest of its workflow is other tests' subject: not waited for, to keep the stack tier short)."""

    def checked() -> dict[str, Any] | None:
        view = api.referral(referral_id)
        done = [e for e in view["timeline"] if e["event"] == "intake_checks_done"]
        return view if done and done[0]["detail"]["proceed"] else None

    result: dict[str, Any] = steps.wait_for(checked, timeout=60)
    return result


def assessed(
    stack: Any, api: LiaisonClient, sample: str, reference: str, answers: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    """Given ``sample`` uploaded as its own referral (``reference``), its welcome call reached
    and its assessment call answered with the default facts and ``answers`` laid over: the
    referral id and the recorded assessment version."""
    body = steps.sample_json(sample, clinic_reference=reference)
    referral_id = steps.upload(stack, body, f"referrals/assess/{reference}.json", pharmacist=False)
    steps.welcome_call_reached(api, referral_id)
    call = steps.task_opened(api, referral_id, TaskType.PHARMACIST_ASSESSMENT)
    view = api.referral(referral_id)
    reply = api.assess(call["task_id"], assessment_for(view["referral"], answers), "assessed")
    assert reply.status_code == 200, reply.text
    return referral_id, reply.json()


def test_an_assessment_with_nothing_of_note_keeps_home_and_goes_on(
    local_stack: Any, api: LiaisonClient
) -> None:
    """Why: the assessment must not hold up a referral it finds nothing in, and each
    submission is a version kept beside the earlier ones."""
    # Given the infliximab sample, its assessment call queued in the patient's language
    body = steps.sample_json("01-ppo-deductible-coinsurance.json", clinic_reference="AS-HOME-1")
    referral_id = steps.upload(local_stack, body, "referrals/assess/home.json", pharmacist=False)
    call = steps.task_opened(api, referral_id, TaskType.PHARMACIST_ASSESSMENT)
    assert call["details"]["call_script"]["language"] == "en"
    assert "Infliximab" in call["details"]["call_script"]["text"]
    # When the pharmacist leaves a voicemail, then records the assessment on the next attempt
    steps.welcome_call_reached(api, referral_id)
    first = api.complete(call["task_id"], "voicemail", note="left message").json()
    assert first["status"] == "open" and [a["outcome"] for a in first["attempts"]] == ["voicemail"]
    view = api.referral(referral_id)
    record = steps.wait_for(
        lambda: (
            (r := api.assess(call["task_id"], assessment_for(view["referral"], None))).status_code
            == 200
            and r.json()
        )
    )
    # Then version 1 is recorded: no conflict, home, TB and hepatitis B labs to order
    assert record["version"] == 1 and record["decisions"]["conflicts"] == []
    assert record["decisions"]["site"]["site"] == "home"
    assert [lab["status"] for lab in record["decisions"]["labs"]] == ["order", "order"]
    # And the workflow goes on to the authorization; the referral stays at home
    done = went_on(api, referral_id)
    assert done["referral"]["therapy"]["site_of_care"] == "home"
    events = [e["event"] for e in done["timeline"]]
    assert "assessment_recorded" in events and "pharmacist_assessment_completed" in events
    # And a second submission after the call is version 2, version 1 kept
    again = api.assess(call["task_id"], assessment_for(view["referral"], {"weight_kg": 71}))
    assert again.status_code == 200 and again.json()["version"] == 2
    versions = api.http.get(f"{api.base_url}/referrals/{referral_id}/assessments", timeout=30)
    assert [v["version"] for v in versions.json()["assessments"]] == [1, 2]


def test_a_prior_severe_reaction_moves_ocrelizumab_to_the_suite_and_the_278_requests_it(
    local_stack: Any, api: LiaisonClient
) -> None:
    """Why: the site the assessment decides is the site the authorization requests (SBX01's
    suite place of service is 11, payer_profiles.json)."""
    # Given ocrelizumab ordered for home, and a patient who had anaphylaxis to rituximab
    referral_id, record = assessed(
        local_stack,
        api,
        "37-ocrelizumab-loading-order.json",
        "AS-SUITE-1",
        {
            "prior_infusions": [
                {"drug": "rituximab", "reaction": "anaphylaxis", "reaction_severity": "anaphylaxis"}
            ]
        },
    )
    # Then the assessment moves the care to the infusion suite, naming the label section
    assert record["decisions"]["site"]["site"] == "infusion_suite"
    assert any("ADM1001.034" in s for s in record["decisions"]["site"]["sources"])

    # When the workflow goes on to the authorization (records the payer needs that the clinic
    # has not sent are filed without, as the auto-liaison does), until the 278 is filed
    def filed() -> list[str]:
        for task in api.tasks():
            if task["referral_id"] == referral_id and task["task_type"] == "records_from_clinic":
                api.complete(task["task_id"], "file_without", note="filing with what we have")
        prefix = f"prior-auth/{referral_id}/"
        return [k for k in steps.s3_keys(local_stack, prefix) if k.endswith("request.278")]

    keys = steps.wait_for(filed, timeout=120, every=1.0)
    view = api.referral(referral_id)
    # Then the referral is at the suite and the 278 asks for place of service 11 (UM04)
    assert view["referral"]["therapy"]["site_of_care"] == "infusion_suite"
    assert "site_of_care_changed" in [e["event"] for e in view["timeline"]]
    x12 = (
        local_stack.client("s3")
        .get_object(Bucket=local_stack.outputs.documents_bucket, Key=keys[0])["Body"]
        .read()
        .decode()
    )
    assert re.search(r"UM\*HS\*I\*[^*~]*\*11.B", x12), x12[:400]


def _conflict(stack: Any, api: LiaisonClient, reference: str) -> tuple[str, dict[str, Any]]:
    """Given the ertapenem sample and a patient with anaphylaxis to penicillin: the referral
    and its clinical_review task, once queued."""
    referral_id, record = assessed(
        stack,
        api,
        "41-hmo-per-day-copay.json",
        reference,
        {
            "allergies": [
                {"substance": "penicillin", "reaction": "anaphylaxis", "severity": "anaphylaxis"}
            ]
        },
    )
    # (led by the label's section 4 contraindication; the 5.1 cross-sensitivity is listed too)
    assert (
        record["decisions"]["conflicts"][0]["rule"] == "ertapenem-allergy-beta-lactam-anaphylaxis"
    )
    review = steps.task_opened(api, referral_id, TaskType.CLINICAL_REVIEW)
    assert review["details"]["conflicts"][0]["source"].startswith("INVANZ")
    return referral_id, review


def test_a_conflict_the_pharmacist_stops_closes_the_referral_and_tells_the_clinic(
    local_stack: Any, api: LiaisonClient
) -> None:
    """Why: a contraindicated drug must not go on to the payer and the patient."""
    referral_id, review = _conflict(local_stack, api, "AS-STOP-1")
    # When the pharmacist stops it
    assert api.complete(review["task_id"], "stop", note="contraindicated").status_code == 200
    # Then the referral closes as closed_clinical, with clinical_stop on the timeline
    steps.wait_for(lambda: steps.execution(local_stack, referral_id)["status"] == "SUCCEEDED")
    view = api.referral(referral_id)
    assert view["status"] == "closed_clinical"
    stop = [e for e in view["timeline"] if e["event"] == "clinical_stop"]
    assert stop and stop[0]["detail"]["clinic_told"] is True
    assert "authorization_gate" not in [e["event"] for e in view["timeline"]]


def test_a_conflict_the_pharmacist_proceeds_past_needs_a_reason_then_goes_on(
    local_stack: Any, api: LiaisonClient
) -> None:
    """Why: proceeding past a label contraindication is a recorded clinical judgement."""
    referral_id, review = _conflict(local_stack, api, "AS-PROCEED-1")
    # When the pharmacist proceeds without a reason, then it is refused
    refused = api.complete(review["task_id"], "proceed")
    assert refused.status_code == 400 and "reason" in refused.json()["message"]
    # When they proceed with one, then the workflow goes on to the authorization
    ok = api.complete(review["task_id"], "proceed", note="allergist cleared a graded challenge")
    assert ok.status_code == 200
    view = went_on(api, referral_id)
    assert view["status"] == "in_progress"
    assert "clinical_review_proceed" in [e["event"] for e in view["timeline"]]
