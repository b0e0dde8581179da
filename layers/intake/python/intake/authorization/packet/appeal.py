"""The appeal packet after a denial: a letter that answers the denial's reason, then the
original packet, so the reviewer of the appeal has the whole record in one fax.

The argument follows the reason (``denials.py`` maps reason codes to a family, as data):

* network: a request for a network exception (single-case agreement): continuity of care,
  no in-network provider able to deliver the therapy at this site of care, and the cost
  compared with hospital outpatient infusion, offering the plan's in-network rates;
* medical necessity: the clinical argument (diagnoses, history, prior therapies) with the
  evidence listed as attached, and a peer-to-peer offer;
* missing information: what is now attached, and what is still to come.

A partial or modified answer lists what was not certified as asked. The letter names the real
site of care (never "at home" for an infusion-suite patient).
"""

from __future__ import annotations

from datetime import date, datetime

from intake.authorization.packet.attachments import merge
from intake.authorization.packet.denials import DenialFamilies, Family, denial_families
from intake.authorization.packet.fonts import font_plan
from intake.authorization.packet.letter import (
    diagnosis_lines,
    evidence_checklist,
    patient_name,
    prescriber_name,
    prior_therapies,
    site_justification,
    site_words,
)
from intake.authorization.packet.models import Pharmacy
from intake.authorization.packet.pdf import CONFIDENTIALITY
from intake.authorization.packet.pdfdoc import PacketDoc
from intake.authorization.policy import PaDecision
from intake.models.referral import Referral
from intake.x12.t278.decision import AuthDecision, LineDecision

TITLES: dict[Family, str] = {
    "network": "Request for Network Exception (Single-Case Agreement) - Prior Authorization Appeal",
    "medical_necessity": "Request for Reconsideration - Prior Authorization Appeal",
    "missing_information": "Additional Information - Prior Authorization Appeal",
}


def _denial_text(denial: AuthDecision) -> str:
    parts = [denial.reason or "no reason was given"]
    if denial.reason_code:
        parts.append(f"reason code {denial.reason_code}")
    if denial.review_number:
        parts.append(f"review number {denial.review_number}")
    if denial.certification_number:
        parts.append(f"certification number {denial.certification_number}")
    parts.extend(denial.messages)
    return "; ".join(parts)


def _line_text(line: LineDecision) -> str | None:
    code = " ".join((line.procedure_code, *line.modifiers)).strip()
    if line.status in ("denied", "cancelled"):
        return f"{code}: not certified ({line.reason or 'no reason given'})"
    if line.status in ("modified", "partial") or (
        line.approved_units is not None
        and line.requested_units is not None
        and line.approved_units < line.requested_units
    ):
        period = ""
        if line.effective_from and line.effective_to:
            period = f", {line.effective_from.isoformat()} to {line.effective_to.isoformat()}"
        return f"{code}: approved {line.approved_units} of {line.requested_units} units{period}"
    return None


def _network_argument(referral: Referral) -> list[str]:
    t, site = referral.therapy, site_words(referral)
    return [
        f"We ask the plan to grant a network exception (single-case agreement) so that "
        f"{t.drug_name} can be given {site} by our pharmacy.",
        "Continuity of care: the prescriber has ordered this therapy for the diagnoses below "
        "and the patient's care is already being coordinated with our pharmacy; sending the "
        "referral elsewhere would delay a treatment whose interruption risks disease "
        "progression.",
        f"No in-network provider able to deliver the therapy {site}: if the plan has an "
        f"in-network provider who can give {t.drug_name} ({t.dose} {t.route} {t.frequency}) "
        f"{site} by the requested start, please name it; otherwise we ask for the exception.",
        "Cost: infusion " + site + " costs the plan less than the same drug given in a "
        "hospital outpatient department (no facility fee); we offer to accept the plan's "
        "in-network allowed amounts for the drug, per diem and nursing under the agreement.",
    ]


def _clinical_argument(referral: Referral, clinical_basis: str | None) -> list[str]:
    out = [
        "We ask you to reconsider the adverse determination above. The therapy is medically "
        "necessary for the diagnoses below, as documented by the prescriber; the evidence "
        "listed is attached with the original request and its letter of medical necessity.",
        "Diagnoses: " + "; ".join(diagnosis_lines(referral)) + ".",
    ]
    if clinical_basis:
        out.append(clinical_basis)
    out.append(f"Clinical history: {referral.clinical_notes or 'see the attached referral.'}")
    priors = prior_therapies(referral)
    if priors:
        out.append("Prior therapies: " + " ".join(priors))
    out.append(f"Site of care ({site_words(referral)}): {site_justification(referral)}")
    return out


def build_appeal_pdf(
    referral: Referral,
    denial: AuthDecision,
    original_packet: bytes,
    *,
    pharmacy: Pharmacy,
    now: datetime,
    clinical_basis: str | None = None,
    pa_decision: PaDecision | None = None,
    received_on: date | None = None,
    families: DenialFamilies | None = None,
) -> bytes:
    """Appeal letter (and cover) followed by the original packet's pages.

    ``pa_decision`` (the documentation the payer asks for) and ``received_on`` (the referral's
    receipt date, default its ``received_at`` or ``now``) list the evidence attached and what
    is still out of date."""
    r, t = referral, referral.therapy
    family = (families or denial_families()).family_of(denial)
    received = received_on or (r.received_at.date() if r.received_at else now.date())
    checks = (
        evidence_checklist(r, pa_decision, received_on=received) if pa_decision is not None else []
    )
    plan = font_plan().for_text(
        referral.model_dump_json()
        + pharmacy.model_dump_json()
        + (clinical_basis or "")
        + _denial_text(denial)
    )
    doc = PacketDoc(plan, "Prior authorization appeal")
    doc.add_page()
    doc.heading(TITLES[family], 15)
    doc.row("Date:", now.strftime("%Y-%m-%d"))
    doc.row("To:", f"{r.coverage.payer_name} - Appeals / Utilization Management")
    doc.row(
        "From:",
        f"{pharmacy.name} (NPI {pharmacy.npi}), on behalf of "
        f"{prescriber_name(r)} (NPI {r.prescriber.npi})",
    )
    doc.row(
        "Patient:",
        f"{patient_name(r)}, DOB {r.patient.date_of_birth.isoformat()}, "
        f"member ID {r.coverage.member_id}",
    )
    doc.row(
        "Therapy:",
        f"{t.drug_name} ({t.hcpcs or t.ndc}), {t.dose} {t.route} "
        f"{t.frequency} for {t.duration}, {site_words(r)}",
    )
    doc.row("Decision:", _denial_text(denial))
    for line in filter(None, (_line_text(ln) for ln in denial.lines)):
        doc.row("", line)
    doc.heading("Reason for appeal", 11)
    if family == "network":
        for text in _network_argument(r):
            doc.para(text)
            doc.gap()
        doc.para("Diagnoses: " + "; ".join(diagnosis_lines(r)) + ".")
    elif family == "missing_information":
        doc.para(
            "The request lacked information the reviewer needed. It is now attached, with the "
            "original request and its letter of medical necessity:"
        )
        attached = [c for c in checks if c.present]
        for c in attached or []:
            doc.row("[x]", f"{c.item} - {c.note}", label_width=10)
        doc.row("[x]", "Clinical notes and the original referral", label_width=10)
        for c in (c for c in checks if c.to_confirm):
            doc.row("[?]", f"{c.item} - {c.note}", label_width=10)
        for c in (c for c in checks if not c.present and not c.to_confirm):
            doc.row("[ ]", f"{c.item} - {c.note}; it will follow", label_width=10)
    else:
        for text in _clinical_argument(r, clinical_basis):
            doc.para(text)
            doc.gap()
    if family != "missing_information" and checks:
        doc.heading("Evidence", 11)
        for c in checks:
            mark = "[x]" if c.present else "[?]" if c.to_confirm else "[ ]"
            doc.row(mark, f"{c.item} - {c.note}", label_width=10)
    doc.para(
        "If the determination is upheld, we request a peer-to-peer review with the "
        f"prescriber ({r.prescriber.phone})."
    )
    doc.gap(8)
    doc.para("Prescriber signature: ______________________________    Date: ____________")
    doc.gap(6)
    doc.para(CONFIDENTIALITY, size=8)
    return merge(bytes(doc.output()), original_packet)
