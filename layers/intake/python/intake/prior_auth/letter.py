"""The words of the packet: letter of medical necessity, prior therapies, documentation check.

Templated from the referral only: every clinical statement quotes what the prescriber sent
(diagnoses, notes, drug order), so the letter never asserts a fact the chart does not hold.
The prescriber signs it; we prepare it so the reviewer has the argument in one page.
"""

from __future__ import annotations

import re
from datetime import date

from intake.models.referral import Referral, SiteOfCare
from intake.prior_auth.policy import PaDecision
from intake.prior_auth.reference import describe_icd10, policy_table

_PRIOR_THERAPY = re.compile(
    r"\b(failed|failure|inadequate response|intoleran\w*|refractory|steroid[- ]dependent|"
    r"previous(?:ly)?|prior therapy|trial of|discontinued|switched from|no response)\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"(?<=[.!?。])\s*")


def sentences(text: str | None) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text or "") if s.strip()]


def prior_therapies(referral: Referral) -> list[str]:
    """Sentences of the clinical notes that speak of earlier treatment."""
    return [s for s in sentences(referral.clinical_notes) if _PRIOR_THERAPY.search(s)]


def documentation_status(referral: Referral, decision: PaDecision) -> list[tuple[str, bool]]:
    """Each document the payer wants, and whether the referral mentions it (to attach)."""
    keywords = policy_table().documentation_keywords
    notes = (referral.clinical_notes or "").lower()
    out = []
    for item in decision.documentation:
        words = keywords.get(item, ())
        found = any(w in notes for w in words)
        if item == "Patient weight" and referral.patient.weight_kg is not None:
            found = True
        out.append((item, found))
    return out


def diagnosis_lines(referral: Referral) -> list[str]:
    out = []
    for d in referral.diagnoses:
        described = describe_icd10(d.code, d.description)
        out.append(f"{d.code} - {described}" if described else d.code)
    return out


def patient_name(referral: Referral) -> str:
    p = referral.patient
    return " ".join(x for x in (p.first_name, p.middle_name, p.last_name) if x)


def prescriber_name(referral: Referral) -> str:
    p = referral.prescriber
    name = f"{p.first_name} {p.last_name}"
    return f"{name}, {p.credentials}" if p.credentials else name


def necessity_letter(referral: Referral, pharmacy_name: str, today: date) -> list[str]:
    """Paragraphs of the letter of medical necessity, addressed to the UM reviewer."""
    t, p = referral.therapy, referral.patient
    codes = ", ".join(c for c in (t.hcpcs and f"HCPCS {t.hcpcs}", t.ndc and f"NDC {t.ndc}") if c)
    site = "at home" if t.site_of_care is SiteOfCare.HOME else "in an ambulatory infusion suite"
    priors = prior_therapies(referral)
    notes = referral.clinical_notes or "No clinical notes accompanied the referral."
    prior_text = (
        " ".join(priors)
        if priors
        else "The referral does not record earlier therapies for this condition."
    )
    return [
        f"Date: {today.isoformat()}",
        "To: Utilization Management / Pharmacy Prior Authorization Reviewer, "
        f"{referral.insurance.payer_name}",
        f"Re: {patient_name(referral)}, date of birth {p.date_of_birth.isoformat()}, "
        f"member ID {referral.insurance.member_id}",
        "Letter of Medical Necessity",
        f"I am requesting authorization of {t.drug_name} ({codes}), {t.dose} {t.route} "
        f"{t.frequency} for {t.duration}, to be administered {site} by {pharmacy_name}.",
        "Diagnosis: " + "; ".join(diagnosis_lines(referral)) + ".",
        f"Clinical history: {notes}",
        f"Prior therapies: {prior_text}",
        f"Why {site}: the therapy is given by intermittent or continuous intravenous "
        "infusion under the supervision of a home infusion pharmacy and skilled nursing "
        "(CPT 99601), which is a clinically appropriate, lower-cost alternative to a hospital "
        "outpatient setting and avoids repeated facility visits for the patient.",
        f"{t.drug_name} is medically necessary for the diagnosis above; interrupting or "
        "delaying treatment puts the patient at risk of disease progression. Please contact "
        "my office with any questions.",
        f"Prescriber: {prescriber_name(referral)}, NPI {referral.prescriber.npi}, "
        f"phone {referral.prescriber.phone}",
    ]
