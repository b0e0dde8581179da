"""The state machine definition itself, executing in moto with the real handlers behind it.

Runs on the session's local stack (moto server): the ASL from infra/statemachine, deployed
from template.yaml, each Lambda task running its real handler process.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from intake.core.ids import task_id_for
from intake.models.records import TaskType
from intake_local.pipeline import LiaisonClient
from tests.conftest import EVENTS, INFLIXIMAB
from tests.integration.steps import (
    events_of,
    execution,
    finish,
    open_task,
    past_welcome_call,
    referral_json,
    referral_view,
    s3_keys,
    sample_json,
    task_opened,
    upload,
    wait_for,
    welcome_call_queued,
)

pytestmark = pytest.mark.integration


LIAISON = "sm-test@local"  # the conftest's ``api`` client acts as this liaison


def test_upload_runs_to_the_welcome_call_and_completion_finishes_the_workflow(
    local_stack: Any, api: LiaisonClient
) -> None:
    # Given a valid referral uploaded (with a unique reference so the content is new)
    body = json.dumps(referral_json(clinic_reference="SM-COMPLETE-1")).encode()
    # When the welcome call is queued, and a liaison completes it as reached
    referral_id, task_id = welcome_call_queued(local_stack, api, body, "referrals/sm/complete.json")
    assert api.claim(task_id).status_code == 200
    assert api.complete(task_id, "reached").status_code == 200
    # Then the execution succeeds and the timeline records the outcome
    finish(local_stack, api, referral_id)
    view = api.referral(referral_id)
    assert view["status"] == "scheduled"
    completed = [e for e in view["timeline"] if e["event"] == "welcome_call_completed"]
    assert completed and completed[0]["detail"]["outcome"] == "reached"


def test_declined_welcome_call_ends_the_referral_as_declined(
    local_stack: Any, api: LiaisonClient
) -> None:
    body = json.dumps(referral_json(clinic_reference="SM-DECLINED-1")).encode()
    referral_id, task_id = welcome_call_queued(local_stack, api, body, "referrals/sm/declined.json")
    assert api.complete(task_id, "declined", note="Chose another pharmacy").status_code == 200
    finish(local_stack, api, referral_id)
    assert api.referral(referral_id)["status"] == "closed_declined"


def test_duplicate_upload_starts_one_execution_and_queues_one_call(
    local_stack: Any, api: LiaisonClient
) -> None:
    # Given the same referral uploaded twice under two names
    body = json.dumps(referral_json(clinic_reference="SM-DUP-1")).encode()
    referral_id = upload(local_stack, body, "referrals/sm/dup-a.json")
    upload(local_stack, body, "referrals/sm/dup-b.json")
    task_id = task_id_for(referral_id, TaskType.WELCOME_CALL)
    wait_for(lambda: open_task(api, task_id))
    time.sleep(1.0)  # give a duplicate the chance to (wrongly) queue a second call
    # Then one execution exists, and one welcome call task
    sfn = local_stack.client("stepfunctions")
    names = [
        e["name"]
        for e in sfn.list_executions(stateMachineArn=local_stack.outputs.state_machine_arn)[
            "executions"
        ]
    ]
    assert names.count(referral_id) == 1
    tasks = [t for t in api.referral(referral_id)["tasks"] if t["task_type"] == "welcome_call"]
    assert len(tasks) == 1
    queued = [e for e in api.referral(referral_id)["timeline"] if e["event"] == "task_queued"]
    assert len(queued) == 1
    api.complete(task_id, "reached")


def test_two_uploads_of_one_patient_and_therapy_make_one_welcome_call(
    local_stack: Any, api: LiaisonClient
) -> None:
    # Given the same patient, drug and prescriber sent twice as different documents
    first = referral_json(clinic_reference="SM-LINK-1")
    second = {**first, "clinic_reference": "SM-LINK-2"}
    second["patient"] = {**first["patient"], "last_name": first["patient"]["last_name"].upper()}
    ids = [
        upload(local_stack, json.dumps(doc).encode(), f"referrals/sm/link-{i}.json")
        for i, doc in enumerate((first, second))
    ]

    # When both are ingested
    def decided() -> list[dict[str, Any]] | None:
        views = [referral_view(api, i) for i in ids]
        found = [v for v in views if v is not None]
        statuses = sorted(v["status"] for v in found)
        return found if statuses == ["in_progress", "linked"] else None

    # Then one runs the workflow and the other is linked to it
    views = wait_for(decided)
    (opened,) = [v["referral_id"] for v in views if v["status"] == "in_progress"]
    (linked,) = [v["referral_id"] for v in views if v["status"] == "linked"]
    link_task = task_opened(api, linked, TaskType.LINKED_UPDATE)
    assert link_task["details"]["linked_to"] == opened
    # And only the open one has an execution and a welcome call
    welcome = task_opened(api, opened, TaskType.WELCOME_CALL)
    with pytest.raises(local_stack.client("stepfunctions").exceptions.ExecutionDoesNotExist):
        execution(local_stack, linked)
    assert api.complete(link_task["task_id"], "resolved").status_code == 200
    assert api.complete(welcome["task_id"], "reached").status_code == 200
    finish(local_stack, api, opened)
    view = api.referral(linked)
    assert view["status"] == "linked" and view["linked_to"] == opened
    assert [t["task_type"] for t in view["tasks"]] == ["linked_update"]
    assert [d["referral_id"] for d in api.referral(opened)["documents"]] == [linked]


def test_invalid_upload_is_quarantined_and_starts_no_workflow(
    local_stack: Any, api: LiaisonClient
) -> None:
    body = (EVENTS / "referrals" / "09-invalid.json").read_bytes()
    referral_id = upload(local_stack, body, "referrals/sm/invalid.json")
    # (the referral is recorded before its review task: wait for both)
    view = wait_for(lambda: (v := referral_view(api, referral_id)) and v["tasks"] and v)
    assert view["status"] == "quarantined" and len(view["problems"]) >= 8
    assert [t["task_type"] for t in view["tasks"]] == ["needs_review"]
    keys = [
        o["Key"]
        for o in local_stack.client("s3")
        .list_objects_v2(Bucket=local_stack.outputs.intake_bucket, Prefix="quarantine/")
        .get("Contents", [])
    ]
    assert f"quarantine/{referral_id}/invalid.json" in keys
    with pytest.raises(Exception, match="ExecutionDoesNotExist"):
        execution(local_stack, referral_id)


def test_overdue_welcome_call_is_escalated_then_still_completes(
    local_stack: Any, api: LiaisonClient
) -> None:
    # Given a referral whose document is dated three days ago (the session's welcome-call SLA
    # is 36 s after receipt)
    written = (datetime.now(UTC) - timedelta(days=3)).isoformat()
    body = json.dumps(referral_json(clinic_reference="SM-LATE-1", received_at=written)).encode()
    referral_id = upload(local_stack, body, "referrals/sm/late.json")
    task_id = task_id_for(referral_id, TaskType.WELCOME_CALL)
    # Then its due time runs from when we received it, not from the document's date
    task = wait_for(lambda: open_task(api, task_id))
    uploaded = datetime.fromisoformat(api.referral(referral_id)["uploaded_at"])
    assert datetime.fromisoformat(task["due_at"]) >= uploaded
    # When nobody completes it, Then it is escalated at its due time (recorded), and again
    task = wait_for(
        lambda: (t := open_task(api, task_id)) and t["escalations"] >= 2 and t, timeout=90
    )
    assert task["overdue"] is True and task["status"] == "open"
    events = [e["event"] for e in api.referral(referral_id)["timeline"]]
    assert events.count("task_escalated") >= 2
    # And the task is not lost: completing it still finishes the workflow
    wait_for(lambda: api.complete(task_id, "reached").status_code == 200, timeout=15)
    finish(local_stack, api, referral_id)
    outcome = [
        e for e in api.referral(referral_id)["timeline"] if e["event"] == "welcome_call_completed"
    ]
    assert outcome[0]["detail"]["outcome"] == "reached"


def test_mismatch_goes_to_a_liaison_and_their_corrections_verify_the_insurance(
    local_stack: Any, api: LiaisonClient
) -> None:
    # Given a referral the payer knows under another first name and birth date
    body = sample_json("06-name-dob-mismatch.json", clinic_reference="SM-MISMATCH-1")
    referral_id = upload(local_stack, body, "referrals/sm/mismatch.json")
    verify = task_id_for(referral_id, TaskType.VERIFY_INSURANCE)
    task = wait_for(lambda: open_task(api, verify))
    assert task["details"]["payer_echo"]["first_name"] == "ROBERT"
    # When the liaison confirms the payer's details with the patient, and the welcome call is done
    corrections = {"patient.first_name": "Robert", "patient.date_of_birth": "1949-04-05"}
    assert (
        api.complete(verify, "resolved", "confirmed with patient", corrections).status_code == 200
    )
    welcome = task_id_for(referral_id, TaskType.WELCOME_CALL)
    wait_for(lambda: open_task(api, welcome))
    assert api.complete(welcome, "reached").status_code == 200
    # Then the check re-runs with the corrected referral, verifies, and intake completes
    finish(local_stack, api, referral_id)
    view = api.referral(referral_id)
    assert view["status"] == "scheduled" and view["benefits"]["outcome"] == "verified"
    assert view["benefits"]["round"] == 2 and view["referral"]["patient"]["first_name"] == "Robert"


def test_insurance_a_liaison_cannot_verify_ends_as_insurance_unverified(
    local_stack: Any, api: LiaisonClient
) -> None:
    # An invalid member id (AAA 72: a person fixes the card; since issue 26 sample 11's AAA 75
    # goes to insurance discovery first, tests/integration/test_discovery_workflow.py)
    body = sample_json("12-invalid-member-id.json", clinic_reference="SM-NOTFOUND-1")
    referral_id = upload(local_stack, body, "referrals/sm/not-found.json")
    verify = task_id_for(referral_id, TaskType.VERIFY_INSURANCE)
    wait_for(lambda: open_task(api, verify))
    assert (
        api.complete(verify, "rejected", "clinic has no other insurance on file").status_code == 200
    )
    welcome = task_id_for(referral_id, TaskType.WELCOME_CALL)
    wait_for(lambda: open_task(api, welcome))
    api.complete(welcome, "reached")
    finish(local_stack, api, referral_id)
    assert api.referral(referral_id)["status"] == "insurance_unverified"


def test_a_payer_down_through_every_retry_becomes_a_verify_task(
    local_stack: Any, api: LiaisonClient
) -> None:
    # Given the clearinghouse failing every request for a while
    local_stack.clearinghouse.fail_next(1000)
    try:
        body = sample_json("01-ppo-deductible-coinsurance.json", clinic_reference="SM-DOWN-1")
        referral_id = upload(local_stack, body, "referrals/sm/down.json")
        verify = task_id_for(referral_id, TaskType.VERIFY_INSURANCE)
        # When the workflow's retries (1 s, 2 s, 4 s locally) run out, Then a person is asked
        task = wait_for(lambda: open_task(api, verify), timeout=60)
    finally:
        local_stack.clearinghouse.fail_next(0)
    assert "did not answer" in " ".join(task["details"]["reasons"])
    events = [e["event"] for e in api.referral(referral_id)["timeline"]]
    assert events.count("benefits_check_deferred") == 4  # first try + 3 retries
    # And once the payer is back, resolving the task re-runs the check, which verifies
    assert api.complete(verify, "resolved", "payer portal is back").status_code == 200
    welcome = task_id_for(referral_id, TaskType.WELCOME_CALL)
    api.complete(welcome, "reached")
    finish(local_stack, api, referral_id)
    assert api.referral(referral_id)["benefits"]["outcome"] == "verified"


def test_a_draft_completed_by_a_liaison_starts_its_workflow(
    local_stack: Any, api: LiaisonClient
) -> None:
    # Given the public REF^I12, readable but missing the prescriber NPI and the therapy
    body = (EVENTS / "referrals" / "25-hl7-ref-i12-public-incomplete.hl7").read_bytes()
    referral_id = upload(local_stack, body, "referrals/sm/ref-i12.hl7")
    review = task_id_for(referral_id, TaskType.COMPLETE_REFERRAL)
    task = wait_for(lambda: open_task(api, review))
    assert "prescriber.npi" in task["details"]["fields_missing"]
    assert api.referral(referral_id)["status"] == "in_review"
    # When completed with fields that are still invalid, Then it is refused and stays open
    bad = api.complete(review, "resolved", corrections={"prescriber.npi": "1234567890"})
    assert bad.status_code == 400 and "still incomplete" in bad.json()["message"]
    # When completed with the missing fields
    fields = {
        "prescriber.npi": "1234567893",
        "therapy": {**INFLIXIMAB, "site_of_care": "home"},
    }
    assert api.complete(review, "resolved", corrections=fields).status_code == 200
    # Then the referral is validated and its workflow queues the welcome call
    task_opened(api, referral_id, TaskType.WELCOME_CALL)
    view = api.referral(referral_id)
    assert view["status"] == "in_progress" and view["referral"]["therapy"]["hcpcs"] == "J1745"
    assert "referral_completed" in [e["event"] for e in view["timeline"]]


def test_the_cost_call_carries_the_estimate_in_the_patients_language(
    local_stack: Any, api: LiaisonClient
) -> None:
    # Given a Spanish-speaking patient on an HMO with copays
    body = sample_json("02-hmo-copay-spanish.json", clinic_reference="SM-COST-1")
    referral_id = past_welcome_call(local_stack, api, body, "referrals/sm/cost.json")
    # (this plan pends, then denies, ocrelizumab: no cost call while the denial stands)
    appeal = task_opened(api, referral_id, TaskType.APPEAL_OR_ALTERNATIVES)
    assert "cost_and_options_call" not in [
        t["task_type"] for t in api.referral(referral_id)["tasks"]
    ]
    # When the patient chooses to pay for the therapy themselves
    assert (
        api.complete(appeal["task_id"], "self_pay", note="patient will self-pay").status_code == 200
    )
    # Then the estimate is made as not covered, and the cost call shows it with a Spanish script
    cost = task_opened(api, referral_id, TaskType.COST_AND_OPTIONS_CALL)
    assert cost["patient"]["preferred_language"] == "es"
    estimate = cost["details"]["estimate"]
    assert estimate["version"] == 1 and estimate["coverage"] == "self_pay"
    assert cost["details"]["call_script"]["language"] == "es"
    # And a patient who declines on the cost call closes the referral, with no scheduling call
    api.complete(cost["task_id"], "declined", note="cannot afford the therapy")
    wait_for(lambda: execution(local_stack, referral_id)["status"] == "SUCCEEDED")
    view = api.referral(referral_id)
    assert view["status"] == "closed_declined" and view["estimate"]["version"] == 1
    assert "scheduling_call" not in [t["task_type"] for t in view["tasks"]]


def test_pended_authorization_is_resolved_by_the_scheduled_poller(
    local_stack: Any, api: LiaisonClient
) -> None:
    # Given a plan that requires authorization and a payer that pends, then certifies on inquiry
    body = sample_json("03-auth-required-chinese.json", clinic_reference="SM-PA-PENDED-1")
    referral_id = past_welcome_call(local_stack, api, body, "referrals/sm/pa-pended.json")
    # When the workflow waits on its token and the poller's 278 inquiries get the decision
    wait_for(lambda: "prior_auth_waiting" in events_of(api, referral_id))
    wait_for(lambda: "prior_auth_certified" in events_of(api, referral_id), timeout=30)
    finish(local_stack, api, referral_id)
    # Then the authorization is recorded with its number and dates, and the packet is stored
    pa = api.referral(referral_id)["prior_auth"]
    assert pa["status"] == "certified" and pa["certification_number"] and pa["effective_from"]
    keys = s3_keys(local_stack, f"prior-auth/{referral_id}/")
    assert [k.rsplit("/", 1)[-1] for k in keys] == ["packet.pdf", "pas-bundle.json", "request.278"]
    assert api.referral(referral_id)["status"] == "scheduled"


def test_denied_authorization_prepares_an_appeal_for_a_liaison(
    local_stack: Any, api: LiaisonClient
) -> None:
    body = sample_json("14-prior-auth-denied.json", clinic_reference="SM-PA-DENIED-1")
    referral_id = past_welcome_call(local_stack, api, body, "referrals/sm/pa-denied.json")
    appeal = task_opened(api, referral_id, TaskType.APPEAL_OR_ALTERNATIVES)
    assert appeal["details"]["decision"] == "denied" and appeal["details"]["reason"]
    assert appeal["details"]["appeal"].endswith("/appeal.pdf")
    assert "financial assistance" in appeal["details"]["suggest"]
    assert any(
        k.endswith("/appeal.pdf") for k in s3_keys(local_stack, f"prior-auth/{referral_id}/")
    )
    # When the liaison closes it (no appeal, no alternative)
    assert api.complete(appeal["task_id"], "declined", note="prescriber agrees").status_code == 200
    wait_for(lambda: execution(local_stack, referral_id)["status"] == "SUCCEEDED")
    # Then the referral closes as declined, the clinic is told, and no later call was queued
    view = api.referral(referral_id)
    assert view["status"] == "closed_declined" and view["prior_auth"]["status"] == "denied"
    assert "clinic_notified" in events_of(api, referral_id)
    assert any(
        k.endswith("/clinic-notice.txt") for k in s3_keys(local_stack, f"prior-auth/{referral_id}/")
    )
    kinds = {t["task_type"] for t in view["tasks"]}
    assert not kinds & {"cost_and_options_call", "scheduling_call"}


def test_payer_errors_while_polling_then_a_decision_after_the_window_is_kept(
    local_stack: Any, api: LiaisonClient
) -> None:
    # Given a pended authorization whose workflow is waiting on its token
    body = sample_json("03-auth-required-chinese.json", clinic_reference="SM-PA-LATE-1")
    referral_id = past_welcome_call(local_stack, api, body, "referrals/sm/pa-late.json")
    wait_for(lambda: "prior_auth_waiting" in events_of(api, referral_id))
    # When the payer errors on every status inquiry until the 120 s decision window has passed
    local_stack.clearinghouse.fail_next(10_000)
    try:
        followup = wait_for(
            lambda: followup_about(api, referral_id, "decision window"), timeout=180
        )
    finally:
        local_stack.clearinghouse.fail_next(0)
    # Then a person is asked to follow up, and the authorization was not lost
    assert "decision window" in followup["details"]["reason"]
    assert "prior_auth_overdue" in events_of(api, referral_id)
    # And when the payer answers again, the late decision (its token expired) is recorded
    # and handed to a person as its own task
    late = wait_for(lambda: followup_about(api, referral_id, "after the window"), timeout=180)
    assert "prior_auth_decided_late" in events_of(api, referral_id)
    assert api.referral(referral_id)["prior_auth"]["status"] == "certified"
    # And the workflow goes on once the follow-up records what the payer said
    number = {"certification_number": late["details"]["certification_number"]}
    assert (
        api.complete(followup["task_id"], "certified", "payer confirmed", number).status_code == 200
    )
    api.complete(late["task_id"], "certified", corrections=number)
    finish(local_stack, api, referral_id)
    assert api.referral(referral_id)["status"] == "scheduled"


def followup_about(api: LiaisonClient, referral_id: str, words: str) -> dict[str, Any] | None:
    return next(
        (
            t
            for t in api.tasks()
            if t["referral_id"] == referral_id
            and t["task_type"] == "prior_auth_followup"
            and words in str(t["details"].get("reason"))
        ),
        None,
    )
