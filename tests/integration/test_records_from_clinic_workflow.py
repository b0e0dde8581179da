"""Evidence before filing, with the state machine executing in moto: a referral missing what
the payer's criteria need waits for the clinic's records (a task, a faxed request in S3), an
upload from the clinic linked to it resumes the workflow, and the 278 goes out with the
records attached; filed without a record, the sandbox payer pends for it (A4 naming it) and
certifies once a revised request sends it."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from pypdf import PdfReader

from intake.core.ids import task_id_for
from intake.models.records import TaskType
from intake_local.pipeline import LiaisonClient
from intake_local.samples.identity import npi_for
from tests.conftest import EVENTS
from tests.integration import steps

pytestmark = pytest.mark.integration


LIAISON = "records-test@local"  # the conftest's ``api`` client acts as this liaison


def records_body(name: str, reference: str) -> bytes:
    """The clinic's records: an updated referral for the same patient, drug and prescriber."""
    data: dict[str, Any] = json.loads((EVENTS / "referrals" / "_records" / name).read_text())
    data["prescriber"] = {**data["prescriber"], "npi": npi_for(reference)}
    return json.dumps(data).encode()


def pdf_text(stack: Any, key: str) -> str:
    body = stack.client("s3").get_object(Bucket=stack.outputs.documents_bucket, Key=key)
    pages = PdfReader(io.BytesIO(body["Body"].read())).pages
    return " ".join(" ".join(p.extract_text() for p in pages).split())


def start(stack: Any, api: LiaisonClient, sample: str, reference: str) -> str:
    referral_id = steps.upload(
        stack,
        steps.sample_json(sample, clinic_reference=reference),
        f"referrals/rec/{reference}.json",
    )
    steps.welcome_call_reached(api, referral_id)
    return referral_id


def test_missing_igg_levels_are_asked_of_the_clinic_and_the_upload_resumes_filing(
    local_stack: Any, api: LiaisonClient
) -> None:
    # Given IVIG for CVID whose referral has infection history and vaccine titers but no IgG
    reference = "REC-IVIG-1"
    referral_id = start(local_stack, api, "35-ivig-records-from-clinic.json", reference)
    # When the workflow reaches prior authorization
    records = task_id_for(referral_id, TaskType.RECORDS_FROM_CLINIC)
    task = steps.wait_for(lambda: steps.open_task(api, records), timeout=60)
    # Then nothing was filed: a records task names exactly the missing item, with its SLA
    assert [i["id"] for i in task["details"]["missing"]] == ["igg_levels"]
    assert "prior_auth_submitted" not in steps.events_of(api, referral_id)
    assert sorted(task["outcomes"]) == ["file_without", "received"]
    # And the fax to the clinic is in S3, naming the item and the patient's chart
    keys = steps.s3_keys(local_stack, f"prior-auth/{referral_id}/")
    request = next(k for k in keys if k.endswith("records-request-1.pdf"))
    text = pdf_text(local_stack, request)
    assert "Immunoglobulin (IgG) levels, dated - not in the referral" in text
    assert "Lakeshore Specialty Clinic" in text and "1972-05-19" in text
    # When the clinic uploads the records (an updated referral with the IgG result)
    steps.upload(
        local_stack, records_body("35-ivig-igg-levels.json", reference), "referrals/rec/r1.json"
    )
    # Then the upload is linked, completes the records task, and the 278 goes out with every
    # criterion found and the records attached (the clinic's upload is a document of the
    # referral): the sandbox reviewer (who needs IgG, infections, titers) certifies at once
    steps.wait_for(lambda: "prior_auth_certified" in steps.events_of(api, referral_id), timeout=90)
    events = steps.events_of(api, referral_id)
    assert events.index("records_requested") < events.index("records_received")
    assert events.index("records_received") < events.index("prior_auth_submitted")
    view = api.referral(referral_id)
    items = {i["id"]: i for i in view["prior_auth"]["evidence"]["items"]}
    # (a sentence of the records: found, quoted to confirm, attached as the records it is in)
    assert items["igg_levels"]["status"] == "to_confirm"
    assert items["igg_levels"]["where"].startswith("records received")
    packet = pdf_text(local_stack, view["prior_auth"]["packet"]["pdf"].split("/", 3)[3])
    assert "[?] Immunoglobulin (IgG) levels, dated - to confirm, free text (records received" in (
        packet
    )
    assert "[ ]" not in packet
    steps.finish(local_stack, api, referral_id)
    assert api.referral(referral_id)["status"] == "scheduled"


def test_filed_without_a_tb_result_the_payer_pends_for_it_and_certifies_once_sent(
    local_stack: Any, api: LiaisonClient
) -> None:
    # Given infliximab whose referral says the TB screening was only ordered
    reference = "REC-IFX-1"
    referral_id = start(local_stack, api, "36-infliximab-filed-without-tb.json", reference)
    first = steps.wait_for(
        lambda: steps.open_task(api, task_id_for(referral_id, TaskType.RECORDS_FROM_CLINIC)), 60
    )
    assert [i["id"] for i in first["details"]["missing"]] == ["tb_screening"]
    # When a liaison files without it: a reason is required
    assert api.complete(first["task_id"], "file_without").status_code in (400, 422)
    reason = "TB test drawn 2026-11-27, result to follow"
    assert api.complete(first["task_id"], "file_without", note=reason).status_code == 200
    # Then the 278 goes out, the waiver is recorded with its reason, and the sandbox payer
    # pends it (A4) naming the TB screening and the two records the referral only quotes in
    # its notes (hepatitis B, failed therapies: never claimed as attached): the clinic is
    # asked again, for the payer
    second_id = task_id_for(referral_id, TaskType.RECORDS_FROM_CLINIC, 2)
    second = steps.wait_for(lambda: steps.open_task(api, second_id), timeout=60)
    assert [i["id"] for i in second["details"]["missing"]] == [
        "conventional_failure",
        "tb_screening",
        "hepatitis_b",
    ]
    assert second["details"]["auth_id"]
    view = api.referral(referral_id)
    assert view["prior_auth"]["evidence_waiver"]["items"] == ["tb_screening"]
    assert view["prior_auth"]["evidence_waiver"]["reason"] == reason
    assert view["prior_auth"]["status"] == "records_requested"
    # When the clinic uploads the TB result
    steps.upload(
        local_stack,
        records_body("36-infliximab-tb-result.json", reference),
        "referrals/rec/r2.json",
    )
    # Then the additional information goes as a revised 278 and the payer certifies
    steps.wait_for(lambda: "prior_auth_certified" in steps.events_of(api, referral_id), timeout=90)
    events = steps.events_of(api, referral_id)
    assert "filed_without_evidence" in events and "additional_information_sent" in events
    steps.finish(local_stack, api, referral_id)
    view = api.referral(referral_id)
    assert view["status"] == "scheduled" and view["prior_auth"]["kind"] == "additional_information"


def test_a_payer_wanting_a_signed_letter_waits_for_the_prescriber_and_files_the_signed_copy(
    local_stack: Any, api: LiaisonClient
) -> None:
    # Given a Medicaid plan (SBX04) that takes only a prescriber-signed letter, and a
    # referral whose evidence is complete
    referral_id = start(local_stack, api, "08-medicaid-spanish.json", "REC-SIGN-1")
    task_id = task_id_for(referral_id, TaskType.PRESCRIBER_SIGNATURE)
    task = steps.wait_for(lambda: steps.open_task(api, task_id), timeout=60)
    # Then nothing is filed yet: the letter went to the prescriber with a return cover
    assert "prior_auth_submitted" not in steps.events_of(api, referral_id)
    key = task["details"]["signature_request"].split("/", 3)[3]
    text = pdf_text(local_stack, key)
    assert "Letter of medical necessity to sign" in text and "fax it back" in text
    assert "Letter of Medical Necessity" in text
    # When the signed copy comes back (the fax, stored) and the liaison records it
    from fpdf import FPDF

    fax = FPDF()
    fax.add_page()
    fax.set_font("helvetica", "", 12)
    fax.cell(0, 10, "SIGNED BY THE PRESCRIBER - letter of medical necessity")
    bucket = local_stack.outputs.documents_bucket
    local_stack.client("s3").put_object(
        Bucket=bucket, Key=f"inbound-fax/{referral_id}.pdf", Body=bytes(fax.output())
    )
    signed = f"s3://{bucket}/inbound-fax/{referral_id}.pdf"
    assert api.complete(task_id, "signed", corrections={"signed_letter": "x"}).status_code in (
        400,
        422,
    )
    assert api.complete(task_id, "signed", corrections={"signed_letter": signed}).status_code == 200
    # Then the request is filed with the signed copy in place of the draft letter
    steps.wait_for(lambda: "prior_auth_submitted" in steps.events_of(api, referral_id), timeout=60)
    view = api.referral(referral_id)
    assert view["prior_auth"]["signature"]["status"] == "signed"
    packet = pdf_text(local_stack, view["prior_auth"]["packet"]["pdf"].split("/", 3)[3])
    assert "SIGNED BY THE PRESCRIBER" in packet and "Letter of Medical Necessity" not in packet
