"""Task details are typed per task type, and stored and shown exactly as before.

Each task type's details were a free dictionary; now each has a model. These tests pin down
that (1) every task type has one, (2) a writer's misspelt key is refused when the task is
planned, (3) tasks stored before the models read back, and (4) the liaison API's JSON and the
stored item are byte for byte what they were with dictionaries.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from intake.adapters.dynamodb_store import _from_item, _to_item
from intake.api.views import TaskView
from intake.models.records import TaskRecord, TaskType
from intake.models.task_details import (
    DETAILS_BY_TYPE,
    CompleteReferralDetails,
    DoseDeliveryDetails,
    DoseReauthorizationDetails,
    PriorAuthFollowupDetails,
    VerifyContactDetails,
)
from intake.tasks.service import CallRequest, TaskPlan

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
PACKET = {"pdf": "s3://b/p.pdf", "x12": "s3://b/r.278", "fhir": "s3://b/pas.json"}

# What the writers give, one or more shapes per task type (the order of keys included).
WRITTEN: list[tuple[TaskType, dict[str, Any]]] = [
    (
        TaskType.PHARMACIST_ASSESSMENT,
        {
            "language": "es",
            "call_script": {"language": "es", "text": "Hola"},
            "drug": "Ocrelizumab",
            "ask": ["height"],
        },
    ),
    (
        TaskType.CLINICAL_REVIEW,
        {
            "assessment_version": 1,
            "conflicts": [
                {
                    "rule": "ertapenem-valproate",
                    "kind": "interaction",
                    "what": "current medicine: valproate",
                    "why": "carbapenems lower valproic acid levels",
                    "source": "INVANZ label, 7 DRUG INTERACTIONS",
                }
            ],
            "ask": "proceed or stop",
        },
    ),
    (
        TaskType.WELCOME_CALL,
        {"planned_start": "2026-03-09", "as_soon_as_possible": True, "confirm": ["weight"]},
    ),
    (TaskType.WELCOME_CALL, {}),
    (
        TaskType.COST_AND_OPTIONS_CALL,
        {
            "estimate": None,
            "reason": "no rate",
            "needs_review": {"field": "therapy.dose", "problem": "unreadable"},
        },
    ),
    (
        TaskType.COST_AND_OPTIONS_CALL,
        {
            "estimate": {
                "version": 2,
                "coverage": "insurance",
                "per_infusion_patient": "120.50",
                "typical_infusion_patient": None,
                "course_patient": "1446.00",
                "course_infusions": 12,
                "plan_years": [
                    {
                        "start": "2026-01-01",
                        "end": "2026-12-31",
                        "infusions": 12,
                        "patient": "1446.00",
                    }
                ],
                "payer_type": "commercial",
                "secondary_pays": None,
                "in_network": True,
                "assistance_recommended": False,
                "confidence": "high",
            },
            "call_script": {"language": "es", "text": "Hola"},
            "assistance_programs": [
                {"name": "Copay card", "kind": "manufacturer", "eligibility": "commercial"}
            ],
        },
    ),
    (TaskType.SCHEDULING_CALL, {}),
    (TaskType.NEEDS_REVIEW, {"problems": ["not a referral"], "document": "s3://b/q/k.pdf"}),
    (
        TaskType.COMPLETE_REFERRAL,
        {
            "fields_missing": ["patient.dob"],
            "problems": [],
            "format": "pdf",
            "document": "s3://b/referrals/k.pdf",
        },
    ),
    (
        TaskType.VERIFY_INSURANCE,
        {
            "reasons": ["the payer has a different member id for this member"],
            "coverage_status": "active",
            "payer_echo": {"member_id": "W123", "last_name": "Doe"},
        },
    ),
    (
        TaskType.COVERAGE_INACTIVE,
        {"reasons": ["inactive"], "coverage_status": "inactive", "payer_echo": None},
    ),
    (
        TaskType.WORKFLOW_ERROR,
        {
            "what_failed": "the benefits check",
            "error_type": "KeyError",
            "what_to_do": "restart",
            "cancelled_tasks": ["t1"],
        },
    ),
    (
        TaskType.APPEAL_OR_ALTERNATIVES,
        {
            "auth_id": "A1",
            "decision": "denied",
            "reason": "not necessary",
            "reason_code": "MN",
            "appeal": "s3://b/appeal.pdf",
            "packet": PACKET,
            "lines": [{"code": "J1745", "status": "denied", "requested_units": 40}],
            "suggest": "offer financial assistance and therapy alternatives",
        },
    ),
    (
        TaskType.ACCEPT_OR_APPEAL,
        {
            "auth_id": "A1",
            "decision": "partial",
            "reason": None,
            "reason_code": None,
            "appeal": None,
            "packet": PACKET,
            "lines": [
                {
                    "code": "J1745",
                    "modifiers": ["JB"],
                    "status": "partial",
                    "requested_units": 40,
                    "approved_units": 20.5,
                    "effective_from": "2026-03-01",
                    "effective_to": "2026-08-31",
                }
            ],
            "suggest": "consult the prescriber: accept the payer's terms or appeal",
        },
    ),
    (
        TaskType.PRIOR_AUTH_FOLLOWUP,
        {
            "auth_id": "A1",
            "reason": "pended past the payer's decision window",
            "deadline": "2026-03-16T09:30:00+00:00",
            "packet": PACKET,
        },
    ),
    (TaskType.PRIOR_AUTH_FOLLOWUP, {"reason": "fax it", "packet_folder": "prior-auth/r/"}),
    (
        TaskType.PRIOR_AUTH_FOLLOWUP,
        {"auth_id": "A1", "reason": "status inquiries keep failing", "error": "Timeout"},
    ),
    (
        TaskType.PRIOR_AUTH_FOLLOWUP,
        {
            "auth_id": "A1",
            "reason": "the payer decided after the window: certified",
            "certification_number": None,
            "decision_reason": None,
        },
    ),
    (
        TaskType.NETWORK_EXCEPTION,
        {
            "reason": "out of network",
            "ask": "a single-case agreement",
            "authorization_required": True,
        },
    ),
    (  # appealed after its denial: the denial task's fields, its reason replaced
        TaskType.NETWORK_EXCEPTION,
        {
            "auth_id": None,
            "decision": "denied",
            "reason": "network exception appealed: record the payer's answer",
            "packet": None,
            "suggest": "offer financial assistance and therapy alternatives",
        },
    ),
    (
        TaskType.VERIFY_CONTACT,
        {"call_task_id": "r.welcome_call.1", "field": "patient.phone", "ask": "the number"},
    ),
    (TaskType.CONFIRM_ORDER, {"order_date": "2025-10-01", "age_days": 152, "reason": "old"}),
    (TaskType.LINKED_UPDATE, {"linked_to": "ref-1", "document": "s3://b/k", "format": "json"}),
    (
        TaskType.DOSE_CHECKIN_CALL,
        {
            "dose": 2,
            "day": "2026-03-16",
            "kind": "maintenance",
            "ship_by": "2026-03-13",
            "language": "en",
            "questions": ["Any side effects since the last infusion?"],
            "cost": {
                "estimate_version": 2,
                "plan_year_start": "2026-01-01",
                "plan_year_patient": "1446.00",
                "plan_year_infusions": 12,
                "per_infusion_patient": "120.50",
            },
        },
    ),
    (TaskType.DOSE_DELIVERY, {"dose": 2, "day": "2026-03-16", "ship_by": "2026-03-13"}),
    (TaskType.DOSE_HOLD, {"dose": 2, "day": "2026-03-16", "why": "w", "checkin": None}),
    (TaskType.DOSE_HOLD, {"why": "no calendar", "action": "set the first infusion date"}),
    (
        TaskType.DOSE_REAUTHORIZATION,
        {
            "dose": 3,
            "day": "2026-03-30",
            "why": "no certification covers 2026-03-30 (re-authorization: pended)",
            "authorization": "not_covered",
            "certified_to": "2026-03-20",
            "units_approved": 40,
            "units_used": 40,
            "units_left": 0,
            "units_needed": 20,
            "reauthorization": {
                "status": "records_requested",
                "auth_id": None,
                "route": "task",
                "task": {
                    "reason": "r",
                    "missing": [],
                    "records_request": "s3://b/r.pdf",
                    "ask": "a",
                },
            },
        },
    ),
    (  # the dose check's re-authorization went to a network exception
        TaskType.DOSE_REAUTHORIZATION,
        {
            "dose": 3,
            "day": "2026-03-30",
            "why": "re-authorization: network_exception_needed",
            "authorization": "not_covered",
            "certified_to": None,
            "units_approved": None,
            "units_used": 0,
            "units_left": None,
            "units_needed": 20,
            "reauthorization": {
                "status": "network_exception_needed",
                "auth_id": None,
                "route": "task",
                "task": {"reason": "out of network", "ask": "a", "authorization_required": True},
            },
        },
    ),
    (
        TaskType.RECORDS_FROM_CLINIC,
        {
            "reason": "the payer needs records",
            "missing": [{"id": "labs", "label": "Recent labs", "status": "missing", "note": "n"}],
            "records_request": "s3://b/records-request-1.pdf",
            "clinic_fax": "5551234567",
            "ask": "upload or record",
            "auth_id": "A1",
        },
    ),
    (
        TaskType.PRESCRIBER_SIGNATURE,
        {
            "reason": "signed letter needed",
            "signature_request": "s3://b/signature-request-1.pdf",
            "prescriber_fax": None,
            "ask": "record signed",
        },
    ),
    (
        TaskType.SEND_TO_PBM,
        {
            "reason": "the payer's contract carves J1569 out to its pharmacy benefit",
            "packet": {"pdf": "s3://b/prior-auth/r/pbm-1/packet.pdf"},
            "pbm_name": "SANDBOX RX PBM",
            "pbm_id": "SBXRX",
            "pbm_fax": "800-555-0188",
            "pbm_portal": None,
            "drug": "J1569",
            "ask": "send the packet to SANDBOX RX PBM (fax 800-555-0188); record its answer",
        },
    ),
    (
        TaskType.FIRST_VISIT,
        {
            "visit_id": "r.visit.1.1",
            "dose": 1,
            "day": "2027-01-11",
            "window": "08:00-16:00",
            "nurse_id": "rn-okafor",
            "nurse": "Grace Okafor, RN",
            "nurse_phone": "312-555-0141",
            "ship_by": "2027-01-08",
            "booked": True,
            "teach": ["basics", "drug_and_supplies", "storage_and_handling", "side_effects"],
        },
    ),
    (
        TaskType.FIRST_VISIT,
        {"visit_id": "r.visit.1.2", "booked": False, "not_booked": "no roster nurse"},
    ),
    (
        TaskType.ASSISTANCE_ENROLLMENT,
        {
            "estimate_version": 1,
            "offered": [
                {
                    "program_id": "pan-foundation",
                    "name": "PAN Foundation",
                    "kind": "foundation",
                    "status": "income_needed",
                    "reasons": ["the primary immunodeficiency fund is open"],
                    "fund_id": "pan-immunodeficiency",
                    "requires": ["household size and annual household income"],
                }
            ],
            "refused": [],
            "ask": ["the household's size and yearly income (not stated)"],
        },
    ),
    (
        TaskType.CLINIC_STATUS_UNSENT,
        {
            "status_key": "authorization_decided.prior_auth_certified.T1",
            "milestone": "authorization_decided",
            "error_type": "ConnectionError",
            "document": None,
            "what_to_do": "fax the status by hand (or correct the clinic's fax number) and "
            "record it resolved",
        },
    ),
    (
        TaskType.CONFIRM_COVERAGE,
        {
            "confirm": "confirm coverage found: SBX01, PPO GOLD",
            "payer_id": "SBX01",
            "payer_name": "SBX01",
            "plan": "PPO GOLD",
            "found_by": "demographic 270: last_name, first_name, date_of_birth, gender, address",
            "welcome_call_task_id": "ref-1.welcome_call.1",
        },
    ),
    (
        TaskType.COVERAGE_NOT_FOUND,
        {
            "reason": "the referral names no insurance",
            "reasons": ["the referral names no insurance; insurance discovery found no coverage"],
            "tried": [
                {
                    "payer_id": "SBX01",
                    "payer_name": "SBX01",
                    "search": ["last_name", "first_name", "date_of_birth"],
                    "answer": "not_found",
                    "aaa": ["75"],
                    "paid": True,
                    "note": None,
                }
            ],
            "budget": 3,
            "spent": 1,
            "budget_exhausted": False,
            "state_searched": "IL",
        },
    ),
]


def stored(task_type: TaskType, details: dict[str, Any]) -> dict[str, Any]:
    """A task item as the table holds it (details as a plain map)."""
    return {
        "task_id": f"ref-1.{task_type.value}.1",
        "referral_id": "ref-1",
        "task_type": task_type.value,
        "status": "open",
        "reason": "r",
        "due_at": NOW.isoformat(),
        "created_at": NOW.isoformat(),
        "details": details,
    }


def test_every_task_type_has_a_details_model() -> None:
    """A new task type without a model would store details nobody checks."""
    assert set(DETAILS_BY_TYPE) == set(TaskType)
    assert {t for t, _ in WRITTEN} == set(TaskType)


@pytest.mark.parametrize(("task_type", "details"), WRITTEN)
def test_the_view_and_the_stored_item_are_what_they_were(
    task_type: TaskType, details: dict[str, Any]
) -> None:
    """Given details as a writer gives them, when the task is stored, read back and shown,
    then the liaison's JSON and the table item are byte for byte those of the dictionary."""
    task = TaskRecord.model_validate(stored(task_type, details))
    assert isinstance(task.details, DETAILS_BY_TYPE[task_type])

    item = _to_item(task.model_dump(mode="json"))
    assert json.dumps(item["details"], default=str) == json.dumps(
        _to_item({"details": details})["details"], default=str
    )
    again = TaskRecord.model_validate(_from_item(item))

    view = TaskView.of(again, NOW)
    as_before = TaskView.model_validate({**view.model_dump(), "details": details})
    assert view.model_dump_json() == as_before.model_dump_json()


def test_a_task_stored_before_drafts_moved_reads_with_its_draft() -> None:
    """Given a complete-referral task stored when the draft was kept in the task, when it
    is read, then the draft is there for the completion to start from."""
    old = stored(
        TaskType.COMPLETE_REFERRAL,
        {
            "draft": {"patient": {"first_name": "Ana"}, "insurance": None},
            "fields_missing": ["patient.dob"],
            "confidence": {"patient.first_name": 0.93},
            "problems": [],
            "format": "pdf",
            "document": "s3://b/k.pdf",
        },
    )
    task = TaskRecord.model_validate(_from_item(_to_item(old)))
    assert task.details_as(CompleteReferralDetails).draft == {
        "patient": {"first_name": "Ana"},
        "insurance": None,
    }


def test_a_delivery_task_stored_with_no_ship_by_date_reads() -> None:
    """Given a delivery task whose missing ship-by date was stored as the text "None", when
    it is read, then it has no ship-by date (rather than failing the whole task list)."""
    old = stored(TaskType.DOSE_DELIVERY, {"dose": 1, "day": "2026-03-02", "ship_by": "None"})
    assert TaskRecord.model_validate(old).details_as(DoseDeliveryDetails).ship_by is None


def test_details_read_typed() -> None:
    """Readers get dates and numbers, not text to parse."""
    (_, written) = next(w for w in WRITTEN if w[0] is TaskType.DOSE_REAUTHORIZATION)
    task = TaskRecord.model_validate(stored(TaskType.DOSE_REAUTHORIZATION, written))
    details = task.details_as(DoseReauthorizationDetails)
    assert details.certified_to == date(2026, 3, 20)
    assert details.units_left == 0
    with pytest.raises(TypeError):
        task.details_as(VerifyContactDetails)


def test_a_writer_with_an_unknown_key_is_refused() -> None:
    """Given a writer that misspells a key, when it plans the task, then it fails there
    (not later, when a liaison finds the field empty)."""
    with pytest.raises(ValidationError, match="call_task"):
        TaskPlan.due_in(
            TaskType.VERIFY_CONTACT,
            timedelta(hours=4),
            NOW,
            {"call_task": "r.welcome_call.1", "field": "patient.phone", "ask": "a"},
        )
    with pytest.raises(ValidationError, match="reason"):
        TaskRecord.model_validate(stored(TaskType.CONFIRM_ORDER, {"order_date": "2026-01-01"}))


def test_a_plan_reaches_the_task_through_the_state_machine_unchanged() -> None:
    """Given a planned follow-up, when the state machine passes it on as JSON and the
    dispatcher opens the task, then the task has the same typed details."""
    plan = TaskPlan.due_in(
        TaskType.PRIOR_AUTH_FOLLOWUP,
        timedelta(hours=24),
        NOW,
        {"reason": "fax it", "packet_folder": "prior-auth/r/"},
    )
    message = json.loads(plan.model_dump_json())
    assert message["details"] == {"reason": "fax it", "packet_folder": "prior-auth/r/"}
    request = CallRequest.model_validate(
        {
            "task_token": "tok",
            "referral_id": "ref-1",
            "task_type": message["task_type"],
            "round": message["round"],
            "due_at": message["due_at"],
            "details": message["details"],
        }
    )
    assert request.details == plan.details
    assert isinstance(request.details, PriorAuthFollowupDetails)
    assert request.details.packet_folder == "prior-auth/r/"
