"""The fax to the clinic asking for the records a payer's reviewer will need.

One page (two when the list is long): to the referring clinic's fax, from the pharmacy, the
patient by name and date of birth (the clinic must find the chart), the drug, and exactly
what is needed, item by item, with why (missing, or found but too old), and how to send it
(fax back, or upload to the pharmacy's intake: either reaches this referral). Sent by the
same documents path as the packet (locally written to S3).
"""

from __future__ import annotations

from datetime import datetime

from intake.authorization.packet.criteria import EvidenceReport
from intake.authorization.packet.fonts import font_plan
from intake.authorization.packet.letter import patient_name, prescriber_name
from intake.authorization.packet.models import Pharmacy
from intake.authorization.packet.pdf import CONFIDENTIALITY
from intake.authorization.packet.pdfdoc import PacketDoc
from intake.models.referral import Referral


def render_records_request(
    referral: Referral,
    report: EvidenceReport,
    *,
    pharmacy: Pharmacy,
    request_id: str,
    now: datetime,
    round_: int = 1,
    payer_asked: bool = False,
) -> bytes:
    """The records request PDF for the unmet items of ``report``."""
    clinic, t = referral.referring_clinic, referral.therapy
    probe = referral.model_dump_json() + pharmacy.model_dump_json()
    doc = PacketDoc(font_plan().for_text(probe), f"Records request {request_id}")
    doc.add_page()
    doc.heading("FAX - Records needed for prior authorization", 16)
    doc.row("To:", clinic.name + (f" - attn. {clinic.contact_name}" if clinic.contact_name else ""))
    doc.row("Fax / Phone:", f"{clinic.fax or 'not on file'} / {clinic.phone}")
    doc.row("Prescriber:", f"{prescriber_name(referral)}, NPI {referral.prescriber.npi}")
    doc.gap()
    doc.row("From:", pharmacy.name)
    doc.row("Phone / Fax:", f"{pharmacy.phone} / {pharmacy.fax}")
    doc.row("Date:", now.strftime("%Y-%m-%d %H:%M"))
    doc.row("Request ID:", f"{request_id}" + (f" (request {round_})" if round_ > 1 else ""))
    doc.gap()
    doc.row("Patient:", f"{patient_name(referral)}, DOB {referral.patient.date_of_birth}")
    doc.row("Your reference:", referral.clinic_reference)
    doc.row("Therapy:", f"{t.drug_name} {t.dose} {t.frequency}")
    doc.gap(4)
    lead = (
        "The payer reviewed the request and asked for the items below before it decides."
        if payer_asked
        else f"{referral.coverage.payer_name} requires the items below to review prior "
        "authorization for this therapy. The referral we received does not include them "
        "(or they are too old to be accepted). We will file the request as soon as they "
        "arrive."
    )
    doc.para(lead)
    doc.gap(2)
    doc.heading("Please send", 12)
    for n, item in enumerate(report.unmet, start=1):
        negated = item.note.startswith("the notes mention it only")
        why = "not in the referral" if item.status == "missing" and not negated else item.note
        doc.row(f"{n}.", f"{item.label} - {why}", label_width=8)
    doc.gap(3)
    doc.para(
        f"How to send: fax to {pharmacy.fax} with this page on top, or upload to the "
        "pharmacy's referral intake as an updated referral for the same patient; either "
        f"reaches this request (ID {request_id}). Questions: {pharmacy.phone}."
    )
    doc.gap(2)
    doc.para(f"Criteria checked: {report.class_label} (criteria version {report.version}).", 8)
    doc.gap(6)
    doc.para(CONFIDENTIALITY, size=8, bold=True)
    return bytes(doc.output())
