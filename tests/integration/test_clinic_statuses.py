"""The referring clinic kept informed, in-process on moto: a referral's journey stores one
status per milestone (the store's ``record`` path), the scheduled sender faxes each as a one-page
PDF on the documents path, and the clinic reads its own referral by its reference."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from pypdf import PdfReader

from intake.adapters.dynamodb_store import DynamoDbStore
from intake.core.ids import referral_id_for
from tests.conftest import EVENTS, load_event, load_handler
from tests.integration.conftest import REGION, IntakeResources, ingested
from tests.integration.test_tasks_and_api import api

SAMPLE = "15-prior-auth-certified.json"  # Wei Zhang, clinic reference LSC-2026-0015
STAFF = {"sub": "u-1", "cognito:groups": "[liaison]"}
CLINIC = {"sub": "c-1", "cognito:groups": "[clinic]", "custom:clinic_id": "lakeshore-gi"}
OTHER_CLINIC = {"sub": "c-2", "cognito:groups": "[clinic]", "custom:clinic_id": "northside"}


@pytest.fixture
def sender_env(resources: IntakeResources, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {
        "PHARMACY_NAME": "Lakeside Home Infusion",
        "PHARMACY_NPI": "1609876549",
        "PHARMACY_PHONE": "312-555-0199",
        "PHARMACY_FAX": "312-555-0198",
    }.items():
        monkeypatch.setenv(key, value)
    from intake.api import clinic as clinic_api

    clinic_api._deps.cache_clear()  # the API's own cache (wiring's are reset by the fixture)


def journey(referral_id: str) -> None:
    """The milestones after intake, recorded as the services record them (the one hook)."""
    store = DynamoDbStore("intake-table")
    t0 = datetime.now(UTC)
    steps: list[tuple[str, dict[str, Any]]] = [
        ("benefits_checked", {"outcome": "verified", "status": "active", "round": 1}),
        ("task_queued", {"task_id": f"{referral_id}.welcome_call.1"}),  # not a milestone
        ("prior_auth_submitted", {"auth_id": "T0001"}),
        ("prior_auth_certified", {"auth_id": "T0001", "certification": "AUTH-778", "reason": "x"}),
        ("prior_auth_certified", {"auth_id": "T0001", "certification": "AUTH-778"}),  # again
        ("workflow_scheduled", {}),
        ("first_visit_scheduled", {"visit_id": "v1"}),
        ("visit_documented", {"visit_id": "v1"}),
    ]
    for n, (event, detail) in enumerate(steps):
        store.record(referral_id, event, at=t0 + timedelta(seconds=n + 1), **detail)


def pdf_text(uri: str) -> str:
    bucket, key = uri.removeprefix("s3://").split("/", 1)
    body = boto3.client("s3", region_name=REGION).get_object(Bucket=bucket, Key=key)["Body"]
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body.read())).pages)


def test_a_journey_stores_one_status_per_milestone_and_the_sender_faxes_each(
    resources: IntakeResources, sender_env: None, lambda_context: Any
) -> None:
    """Why: the clinic must hear of each milestone once, by fax when it faxed/uploaded, with no
    more about the patient than it sent; a duplicate event must not fax twice."""
    # Given sample 15 ingested (received) and its journey recorded, the certification twice
    referral_id = ingested(resources, SAMPLE, lambda_context)
    journey(referral_id)
    documented_visit(referral_id, "v1")  # the nurse's visit record (issue 25 item 2's)
    liaison_api = load_handler("liaison_api").lambda_handler
    # When the staff read the referral's clinic statuses before the sender ran
    status, listed = api(
        liaison_api,
        lambda_context,
        "GET",
        f"/referrals/{referral_id}/clinic-statuses",
        claims=STAFF,
    )
    # Then one status per milestone, each pending, the duplicate certification stored once
    assert status == 200, listed
    milestones = [s["milestone"] for s in listed["statuses"]]
    assert milestones == [
        "received",
        "insurance_verified",
        "authorization_filed",
        "authorization_decided",
        "scheduled",
        "first_visit_scheduled",
        "dose_given",
    ]
    assert {s["state"] for s in listed["statuses"]} == {"pending"}
    decided = listed["statuses"][3]
    assert decided["detail"] == {"auth_id": "T0001", "certification": "AUTH-778"}

    # When the scheduled sender runs, and runs again
    send = load_handler("send_clinic_statuses").lambda_handler
    assert send({"source": "aws.scheduler"}, lambda_context) == {"sent": 7}
    assert send({"source": "aws.scheduler"}, lambda_context) == {}

    # Then each status was faxed once to the clinic's number from a PDF on the documents path
    _, listed = api(
        liaison_api,
        lambda_context,
        "GET",
        f"/referrals/{referral_id}/clinic-statuses",
        claims=STAFF,
    )
    assert {(s["state"], s["channel"]) for s in listed["statuses"]} == {("sent", "fax")}
    s3 = boto3.client("s3", region_name=REGION)
    outbox = s3.list_objects_v2(Bucket="documents-bucket", Prefix="fax-outbox/")["Contents"]
    entries = [
        json.loads(s3.get_object(Bucket="documents-bucket", Key=o["Key"])["Body"].read())
        for o in outbox
    ]
    assert sorted(e["to"] for e in entries) == ["3125550101"] * 7 + ["3125550143"]
    # And the certification's fax reads back: milestone, the clinic's reference, initials only
    text = pdf_text(listed["statuses"][3]["document"])
    assert "Authorization decided" in text and "LSC-2026-0015" in text and "W.Z." in text
    assert "AUTH-778" in text and "approved the prior authorization" in text
    referral = json.loads((EVENTS / "referrals" / SAMPLE).read_text("utf-8"))
    for phi in (
        referral["patient"]["last_name"],
        referral["patient"]["date_of_birth"],
        referral["insurance"]["member_id"],
        referral["therapy"]["drug_name"],
    ):
        assert phi not in text, phi
    # And the prescriber got the visit note with the fields the visit record holds
    dose = listed["statuses"][-1]
    assert dose["note_state"] == "sent"
    note = pdf_text(dose["note_document"])
    assert "118" in note and "LOT-42" in note and "LSC-2026-0015" in note


def test_a_clinic_reads_its_own_referral_by_its_reference_and_no_other_clinics(
    resources: IntakeResources, sender_env: None, lambda_context: Any
) -> None:
    """Why: a clinic may ask for a referral's status by its own reference, and must never learn
    of another clinic's referrals (the same 404 as a reference that does not exist)."""
    # Given sample 15 (uploaded by lakeshore-gi, reference LSC-2026-0015) with its journey
    referral_id = ingested(resources, SAMPLE, lambda_context)
    journey(referral_id)
    liaison_api = load_handler("liaison_api").lambda_handler
    # When lakeshore-gi asks by its reference
    status, mine = api(
        liaison_api, lambda_context, "GET", "/clinic/referrals/LSC-2026-0015/status", claims=CLINIC
    )
    # Then it reads its milestones, the latest first named
    assert status == 200, mine
    assert mine["referral_id"] == referral_id and mine["milestone"] == "dose_given"
    assert len(mine["statuses"]) == 7
    # And by our id (as the fax prints it) the same referral; its FHIR Task says in progress
    status, task = api(
        liaison_api,
        lambda_context,
        "GET",
        f"/clinic/referrals/{referral_id}/fhir/Task",
        claims=CLINIC,
    )
    assert status == 200 and task["status"] == "in-progress"
    assert task["identifier"][0]["value"] == "LSC-2026-0015"
    # When another clinic asks for the same reference, or a staff route is called by a clinic
    status, _ = api(
        liaison_api,
        lambda_context,
        "GET",
        "/clinic/referrals/LSC-2026-0015/status",
        claims=OTHER_CLINIC,
    )
    assert status == 404
    status, _ = api(liaison_api, lambda_context, "GET", f"/referrals/{referral_id}", claims=CLINIC)
    assert status == 403
    # And a liaison cannot use the clinic's route
    status, _ = api(
        liaison_api, lambda_context, "GET", "/clinic/referrals/LSC-2026-0015/status", claims=STAFF
    )
    assert status == 403
    assert referral_id == referral_id_for((EVENTS / "referrals" / SAMPLE).read_bytes())


def test_locally_a_clinic_names_itself_in_the_sign_in_headers(
    resources: IntakeResources, sender_env: None, lambda_context: Any
) -> None:
    """Why: the local stack has no authorizer; the local sign-in's headers stand in for the
    token (role ``clinic``, the clinic's account), and the same ownership rule applies."""
    # Given sample 15 uploaded by lakeshore-gi and read
    ingested(resources, SAMPLE, lambda_context)
    liaison_api = load_handler("liaison_api").lambda_handler

    def ask(clinic: str) -> tuple[int, Any]:
        event = load_event("liaison_api/get-tasks")
        path = "/clinic/referrals/LSC-2026-0015/status"
        event.update(rawPath=path, queryStringParameters=None, rawQueryString="", body=None)
        event["requestContext"]["http"].update(method="GET", path=path)
        event["requestContext"].pop("authorizer")
        event["headers"].update(
            {
                "x-intake-liaison": "front-desk",
                "x-intake-roles": "clinic",
                "x-intake-clinic": clinic,
            }
        )
        reply = liaison_api(event, lambda_context)
        return reply["statusCode"], json.loads(reply["body"])

    # When lakeshore-gi asks, and another clinic asks
    status, mine = ask("lakeshore-gi")
    # Then the first reads its referral received; the second is told it does not exist
    assert status == 200 and mine["milestone"] == "received", mine
    assert ask("northside")[0] == 404


def documented_visit(referral_id: str, visit_id: str) -> None:
    """A documented visit as the visit capability stores it (intake.visit): booked, then its
    record (blood pressure 118/76, lot LOT-42, no reaction)."""
    from intake.adapters.dynamodb_visits import DynamoDbVisits
    from intake.visit.model import Visit, VisitStatus
    from intake.visit.record import VisitDocumentation, visit_record

    at = datetime(2027, 1, 11, 9, tzinfo=UTC)
    documentation = VisitDocumentation.model_validate(
        {
            "started_at": at.isoformat(),
            "ended_at": (at + timedelta(hours=2)).isoformat(),
            "vitals": [{"at": at.isoformat(), "systolic_mmhg": 118, "diastolic_mmhg": 76}],
            "given": [{"product": "immune globulin", "lot": "LOT-42", "expiry": "2030-12"}],
            "teaching": dict.fromkeys(
                ("basics", "drug_and_supplies", "storage_and_handling", "side_effects"), True
            ),
        }
    )
    record = visit_record(
        documentation,
        visit_id=visit_id,
        referral_id=referral_id,
        task_id=f"{referral_id}.first_visit.1",
        dose=1,
        nurse=None,
        by="nurse-1",
        at=at,
    )
    DynamoDbVisits("intake-table").put_visit(
        Visit(
            visit_id=visit_id,
            referral_id=referral_id,
            round=1,
            dose=1,
            day=at.date(),
            status=VisitStatus.DOCUMENTED,
            booked_at=at,
            updated_at=at,
            record=record,
        )
    )
