"""The appeal packet after a denial: a letter quoting the denial, the clinical basis, and the
original packet appended, so the reviewer of the appeal has the whole record in one fax."""

from __future__ import annotations

from datetime import datetime

from intake.models.referral import Referral
from intake.prior_auth.attachments import merge
from intake.prior_auth.fonts import font_plan
from intake.prior_auth.letter import (
    diagnosis_lines,
    patient_name,
    prescriber_name,
    prior_therapies,
)
from intake.prior_auth.models import Pharmacy
from intake.prior_auth.pdf import CONFIDENTIALITY
from intake.prior_auth.pdfdoc import PacketDoc
from intake.x12.t278.decision import AuthDecision


def _denial_text(denial: AuthDecision) -> str:
    parts = [denial.reason or "no reason was given"]
    if denial.reason_code:
        parts.append(f"reason code {denial.reason_code}")
    if denial.review_number:
        parts.append(f"review number {denial.review_number}")
    return "; ".join(parts)


def build_appeal_pdf(
    referral: Referral,
    denial: AuthDecision,
    original_packet: bytes,
    *,
    pharmacy: Pharmacy,
    now: datetime,
    clinical_basis: str | None = None,
) -> bytes:
    """Appeal letter (and cover) followed by the original packet's pages."""
    r, t = referral, referral.therapy
    plan = font_plan().for_text(
        referral.model_dump_json()
        + pharmacy.model_dump_json()
        + (clinical_basis or "")
        + (denial.reason or "")
    )
    doc = PacketDoc(plan, "Prior authorization appeal")
    doc.add_page()
    doc.heading("Request for Reconsideration - Prior Authorization Appeal", 15)
    doc.row("Date:", now.strftime("%Y-%m-%d"))
    doc.row("To:", f"{r.insurance.payer_name} - Appeals / Utilization Management")
    doc.row(
        "From:",
        f"{pharmacy.name} (NPI {pharmacy.npi}), on behalf of "
        f"{prescriber_name(r)} (NPI {r.prescriber.npi})",
    )
    doc.row(
        "Patient:",
        f"{patient_name(r)}, DOB {r.patient.date_of_birth.isoformat()}, "
        f"member ID {r.insurance.member_id}",
    )
    doc.row(
        "Therapy:",
        f"{t.drug_name} ({t.hcpcs or t.ndc}), {t.dose} {t.route} "
        f"{t.frequency} for {t.duration}, at home",
    )
    doc.row("Denial:", _denial_text(denial))
    doc.heading("Reason for appeal", 11)
    doc.para(
        "We ask you to reconsider the adverse determination above. The therapy is "
        "medically necessary for the diagnoses below, as documented by the prescriber, "
        "and the original request with its letter of medical necessity is attached."
    )
    doc.heading("Clinical basis", 11)
    doc.para("Diagnoses: " + "; ".join(diagnosis_lines(r)) + ".")
    if clinical_basis:
        doc.para(clinical_basis)
    doc.para(f"Clinical history: {r.clinical_notes or 'see the attached referral.'}")
    priors = prior_therapies(r)
    if priors:
        doc.para("Prior therapies: " + " ".join(priors))
    doc.para(
        "If the determination is upheld, we request a peer-to-peer review with the "
        f"prescriber ({r.prescriber.phone})."
    )
    doc.gap(8)
    doc.para("Prescriber signature: ______________________________    Date: ____________")
    doc.gap(6)
    doc.para(CONFIDENTIALITY, size=8)
    return merge(bytes(doc.output()), original_packet)
