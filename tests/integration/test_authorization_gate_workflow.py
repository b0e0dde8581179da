"""The authorization gate with the state machine executing in moto: no cost or scheduling call
until a certification covers the doses, and each liaison decision on a denial, a partial or a
modified answer leads where it should (the sandbox payer answers per member)."""

from __future__ import annotations

from typing import Any

import pytest

from intake.core.ids import task_id_for
from intake.models.records import TaskType
from intake_local.pipeline import LiaisonClient
from tests.integration.test_state_machine import (
    events_of,
    execution,
    finish,
    open_task,
    s3_keys,
    sample_json,
    upload,
    wait_for,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def api(local_stack: Any) -> LiaisonClient:
    return LiaisonClient(local_stack.outputs.api_url, "gate-test@local")


def start(stack: Any, api: LiaisonClient, sample: str, reference: str) -> str:
    """Upload a sample under a new reference and reach its welcome call."""
    referral_id = upload(
        stack, sample_json(sample, clinic_reference=reference), f"referrals/gate/{reference}.json"
    )
    welcome = wait_for(lambda: open_task(api, task_id_for(referral_id, TaskType.WELCOME_CALL)))
    assert api.complete(welcome["task_id"], "reached").status_code == 200
    return referral_id


def later_calls(api: LiaisonClient, referral_id: str) -> set[str]:
    kinds = {t["task_type"] for t in api.referral(referral_id)["tasks"]}
    return kinds & {"cost_and_options_call", "scheduling_call"}


def test_denied_then_certified_on_appeal_reaches_scheduling(
    local_stack: Any, api: LiaisonClient
) -> None:
    # Given a payer that denies (medical necessity), then certifies on appeal after a pend
    referral_id = start(
        local_stack, api, "18-prior-auth-denied-then-appeal-approved.json", "GATE-APPEAL-1"
    )
    task = wait_for(
        lambda: open_task(api, task_id_for(referral_id, TaskType.APPEAL_OR_ALTERNATIVES))
    )
    # Then nothing is scheduled while the denial stands, and the appeal letter is ready
    assert task["details"]["decision"] == "denied" and task["details"]["appeal"]
    assert not later_calls(api, referral_id)
    assert sorted(task["outcomes"]) == [
        "alternative_therapy",
        "appeal_submitted",
        "declined",
        "self_pay",
    ]
    # When the liaison sends the appeal
    assert api.complete(task["task_id"], "appeal_submitted", note="appeal faxed").status_code == 200
    # Then the appeal 278 goes to the payer, the workflow waits with the same polling, and
    # the certification on appeal opens the gate
    wait_for(lambda: "prior_auth_certified" in events_of(api, referral_id), timeout=60)
    events = events_of(api, referral_id)
    assert "appeal_submitted" in events and events.count("prior_auth_waiting") >= 1
    assert any(
        k.endswith("/appeal.278") for k in s3_keys(local_stack, f"prior-auth/{referral_id}/")
    )
    finish(local_stack, api, referral_id)
    view = api.referral(referral_id)
    assert view["status"] == "scheduled" and view["prior_auth"]["kind"] == "appeal"
    assert view["prior_auth"]["gate"] == "passed"


def test_partial_certification_waits_for_the_liaison_to_accept_the_terms(
    local_stack: Any, api: LiaisonClient
) -> None:
    # Given a payer that certifies the drug and per diem but not nursing (A2)
    referral_id = start(local_stack, api, "16-prior-auth-partial.json", "GATE-PARTIAL-1")
    task = wait_for(lambda: open_task(api, task_id_for(referral_id, TaskType.ACCEPT_OR_APPEAL)))
    # Then the task shows each line's answer, and nothing is scheduled yet
    lines = {line["code"]: line["status"] for line in task["details"]["lines"]}
    assert lines["99601"] != "certified" and "certified" in lines.values()
    assert task["details"]["decision"] == "partial" and not later_calls(api, referral_id)
    # When the prescriber accepts the payer's terms
    assert (
        api.complete(task["task_id"], "accept_terms", note="prescriber agrees").status_code == 200
    )
    # Then the gate passes and intake finishes
    finish(local_stack, api, referral_id)
    assert api.referral(referral_id)["status"] == "scheduled"


def test_modified_certification_is_a_decision_not_a_certification(
    local_stack: Any, api: LiaisonClient
) -> None:
    referral_id = start(local_stack, api, "17-prior-auth-modified.json", "GATE-MODIFIED-1")
    task = wait_for(lambda: open_task(api, task_id_for(referral_id, TaskType.ACCEPT_OR_APPEAL)))
    drug = next(line for line in task["details"]["lines"] if line["code"] == "J1569")
    assert task["details"]["decision"] == "modified"
    assert drug["approved_units"] < drug["requested_units"]
    assert not later_calls(api, referral_id)
    # When the liaison closes it as declined, Then the referral closes without any later call
    assert (
        api.complete(task["task_id"], "declined", note="prescriber will not accept").status_code
        == 200
    )
    wait_for(lambda: execution(local_stack, referral_id)["status"] == "SUCCEEDED", timeout=60)
    assert api.referral(referral_id)["status"] == "closed_declined"
    assert not later_calls(api, referral_id)


def test_alternative_therapy_is_a_new_request_for_the_new_drug(
    local_stack: Any, api: LiaisonClient
) -> None:
    # Given the HMO denies ocrelizumab out of network
    referral_id = start(local_stack, api, "02-hmo-copay-spanish.json", "GATE-ALT-1")
    task = wait_for(
        lambda: open_task(api, task_id_for(referral_id, TaskType.APPEAL_OR_ALTERNATIVES)),
        timeout=60,
    )
    # When the liaison records an alternative without the drug, Then it is refused
    bad = api.complete(
        task["task_id"], "alternative_therapy", corrections={"patient.phone": "312-555-0100"}
    )
    assert bad.status_code == 400 and "therapy" in bad.json()["message"]
    # When the prescriber switches to natalizumab
    new_drug = {
        "therapy.drug_name": "Natalizumab",
        "therapy.hcpcs": "J2323",
        "therapy.ndc": None,
        "therapy.dose": "300 mg",
        "therapy.frequency": "every 4 weeks",
    }
    assert (
        api.complete(task["task_id"], "alternative_therapy", corrections=new_drug).status_code
        == 200
    )
    # Then the referral carries the new drug, a new request is filed for it, and once
    # certified intake goes on
    wait_for(lambda: "therapy_changed" in events_of(api, referral_id))
    # And natalizumab's own criteria are checked before its request: the JCV antibody status
    # and the TOUCH (REMS) enrollment the label requires (TYSABRI PI 5.1) are not in the
    # referral, so the clinic is asked; the liaison files without them, saying why
    records = wait_for(
        lambda: open_task(api, task_id_for(referral_id, TaskType.RECORDS_FROM_CLINIC)),
        timeout=60,
    )
    assert [i["id"] for i in records["details"]["missing"]] == ["jcv_antibody", "rems_touch"]
    reason = "JCV antibody drawn today; result follows"
    assert api.complete(records["task_id"], "file_without", note=reason).status_code == 200
    finish(local_stack, api, referral_id, timeout=90)
    view = api.referral(referral_id)
    assert view["referral"]["therapy"]["hcpcs"] == "J2323"
    assert view["status"] == "scheduled" and view["prior_auth"]["status"] == "certified"
    assert events_of(api, referral_id).count("prior_auth_submitted") == 2
