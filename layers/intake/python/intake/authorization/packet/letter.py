"""The words of the packet: letter of medical necessity, prior therapies, documentation check.

Templated from the referral only: every clinical statement quotes what the prescriber sent
(diagnoses, notes, drug order), so the letter never asserts a fact the chart does not hold.
The prescriber signs it; we prepare it so the reviewer has the argument in one page.

Evidence that must be current (TB test, hepatitis B screen, labs) is ticked only when the notes'
date for it is within 12 months before the referral was received: a TB test from 21 months ago
is flagged for a current result, not sent as if it were one. The receipt date is the caller's
(``received_on``), never the clock, so a packet rebuilt later says the same thing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from intake.authorization.packet.reference import describe_icd10, policy_table
from intake.authorization.policy import PaDecision
from intake.models.referral import Referral, SiteOfCare
from intake.therapy.body import dates_in

_PRIOR_THERAPY = re.compile(
    r"\b(failed|failure|inadequate response|intoleran\w*|refractory|steroid[- ]dependent|"
    r"previous(?:ly)?|prior therapy|trial of|discontinued|switched from|no response)\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"(?<=[.!?。])\s*")
CURRENT_RESULT_ITEMS = frozenset(
    {
        "TB test",
        "Hepatitis B screen",
        "Labs (CBC, CMP)",
        "Immunoglobulin (IgG) levels",
        "Culture and sensitivity results",
    }
)
"""Documentation a reviewer accepts only as a recent result (history, such as prior therapies,
stays valid however old)."""
MAX_EVIDENCE_AGE_MONTHS = 12


_NON_CLINICAL = re.compile(
    r"(prefer|speaks?\b|language|interpreter|mandarin|cantonese|spanish|english|call(s|ing)? "
    r"(in the|before|after|between)|llamad|prefiere|idioma|español|首选|普通话|粤语|电话|"
    r"morning|evening|afternoon|voicemail|text message)",
    re.IGNORECASE,
)
"""Sentences about language and contact preferences: for the liaisons, not the reviewer."""


def sentences(text: str | None) -> list[str]:
    """The notes' sentences (the evidence evaluator's splitting: "E. coli" is not an end)."""
    from intake.authorization.packet.criteria import sentences as split

    return split(text)


def clinical_sentences(text: str | None) -> list[str]:
    """The notes' sentences without the non-clinical ones (language, call preferences)."""
    return [s for s in sentences(text) if not _NON_CLINICAL.search(s)]


def clinical_summary(referral: Referral) -> str:
    """The clinical notes as the reviewer reads them: non-clinical sentences left out."""
    return " ".join(clinical_sentences(referral.clinical_notes))


def prior_therapies(referral: Referral) -> list[str]:
    """Sentences of the clinical notes that speak of earlier treatment."""
    return [s for s in sentences(referral.clinical_notes) if _PRIOR_THERAPY.search(s)]


@dataclass(frozen=True, slots=True)
class EvidenceCheck:
    """One document the payer wants: present (to attach and tick) or not, and why in words."""

    item: str
    present: bool
    note: str
    dated: date | None = None
    stale: bool = False
    to_confirm: bool = False
    """Mentioned in the notes only: quoted for a person to confirm, not ticked as present."""


def _months_before(day: date, months: int) -> date:
    month0 = day.month - 1 - months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def evidence_checklist(
    referral: Referral, decision: PaDecision, *, received_on: date
) -> list[EvidenceCheck]:
    """Each document the payer wants. Present only when a field holds it (the structured
    weight); a mention in the notes (whole words, not negated or pending: NegEx) is "to
    confirm", never ticked as an attached document; results that must be current are judged
    by the newest date in the clause that mentions them (12 months before ``received_on``)."""
    from intake.authorization.packet import negex
    from intake.authorization.packet.criteria import clauses
    from intake.therapy.body import body_of

    keywords = policy_table().documentation_keywords
    said = [c for s in sentences(referral.clinical_notes) for c in clauses(s)]
    oldest_current = _months_before(received_on, MAX_EVIDENCE_AGE_MONTHS)
    out = []
    for item in decision.documentation:
        words = tuple(keywords.get(item, ()))
        if item == "Patient weight":
            w = body_of(referral).weight
            if w is not None and w.where == "structured":
                out.append(EvidenceCheck(item, True, "in the referral"))
                continue
            if w is not None:
                note = f"read from the {w.where}: to be confirmed"
                out.append(EvidenceCheck(item, False, note, to_confirm=True))
            else:
                out.append(EvidenceCheck(item, False, "weight needed: not in the referral"))
            continue
        mentions = []
        for clause in said:
            hit = negex.find(clause, words)
            if hit is not None and negex.read(clause, hit[1]).assertion in (
                "affirmed",
                "negative_result",
                "historical",
            ):
                mentions.append(clause)
        if not mentions:
            out.append(EvidenceCheck(item, False, "to be attached"))
            continue
        dates = [d for s in mentions for d in dates_in(s) if d <= received_on]
        newest = max(dates) if dates else None
        if item in CURRENT_RESULT_ITEMS and newest is not None and newest < oldest_current:
            note = (
                f"dated {newest.isoformat()}, over {MAX_EVIDENCE_AGE_MONTHS} months old: "
                "a current result is needed"
            )
            out.append(EvidenceCheck(item, False, note, newest, stale=True))
            continue
        note = "mentioned in the notes, to be confirmed (not attached)" + (
            f" (dated {newest.isoformat()})" if newest else ""
        )
        out.append(EvidenceCheck(item, False, note, newest, to_confirm=True))
    return out


def documentation_status(
    referral: Referral, decision: PaDecision, *, received_on: date
) -> list[tuple[str, bool]]:
    """Each document the payer wants, and whether it can be ticked as present."""
    return [
        (c.item, c.present) for c in evidence_checklist(referral, decision, received_on=received_on)
    ]


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


def site_words(referral: Referral) -> str:
    """Where the therapy is given, as the letter says it ("at home" only for home)."""
    if referral.therapy.site_of_care is SiteOfCare.HOME:
        return "at home"
    return "in an ambulatory infusion suite"


def site_justification(referral: Referral) -> str:
    """Why this site of care rather than a hospital outpatient department (payers steer away
    from hospital outpatient; each site has its own argument)."""
    if referral.therapy.site_of_care is SiteOfCare.HOME:
        return (
            "the therapy is given by intravenous infusion under the supervision of a home "
            "infusion pharmacy and skilled nursing (CPT 99601), a clinically appropriate, "
            "lower-cost alternative to a hospital outpatient setting that avoids repeated "
            "facility visits for the patient."
        )
    return (
        "the therapy is given in an ambulatory infusion suite staffed by infusion nurses "
        "under the supervision of the infusion pharmacy, with monitoring for infusion "
        "reactions: a clinically appropriate, lower-cost alternative to a hospital outpatient "
        "infusion center."
    )


def stale_evidence(checks: list[EvidenceCheck]) -> str | None:
    """One sentence naming the results that need a current copy, or None."""
    stale = [c for c in checks if c.stale]
    if not stale:
        return None
    return "Evidence dates: " + "; ".join(f"{c.item} {c.note}" for c in stale) + "."


def necessity_letter(
    referral: Referral,
    pharmacy_name: str,
    today: date,
    *,
    received_on: date,
    decision: PaDecision | None = None,
) -> list[str]:
    """Paragraphs of the letter of medical necessity, addressed to the UM reviewer. With the
    ``decision`` its documentation list is checked and out-of-date results are named."""
    t = referral.therapy
    codes = ", ".join(c for c in (t.hcpcs and f"HCPCS {t.hcpcs}", t.ndc and f"NDC {t.ndc}") if c)
    site = site_words(referral)
    priors = prior_therapies(referral)
    notes = referral.clinical_notes or "No clinical notes accompanied the referral."
    prior_text = (
        " ".join(priors)
        if priors
        else "The referral does not record earlier therapies for this condition."
    )
    checks = evidence_checklist(referral, decision, received_on=received_on) if decision else []
    evidence = stale_evidence(checks)
    return addressed_letter(
        referral,
        today,
        [
            f"I am requesting authorization of {t.drug_name} ({codes}), {t.dose} {t.route} "
            f"{t.frequency} for {t.duration}, to be administered {site} by {pharmacy_name}.",
            "Diagnosis: " + "; ".join(diagnosis_lines(referral)) + ".",
            f"Clinical history: {notes}",
            f"Prior therapies: {prior_text}",
            *([evidence] if evidence else []),
            f"Why {site}: {site_justification(referral)}",
            f"{t.drug_name} is medically necessary for the diagnosis above; interrupting or "
            "delaying treatment puts the patient at risk of disease progression. Please contact "
            "my office with any questions.",
        ],
    )


def addressed_letter(referral: Referral, today: date, body: list[str]) -> list[str]:
    """``body`` framed as the letter of medical necessity: dated, addressed to the payer's UM
    reviewer, naming the patient and member ID, and signed off with the prescriber."""
    return [
        f"Date: {today.isoformat()}",
        "To: Utilization Management / Pharmacy Prior Authorization Reviewer, "
        f"{referral.coverage.payer_name}",
        f"Re: {patient_name(referral)}, date of birth "
        f"{referral.patient.date_of_birth.isoformat()}, member ID {referral.coverage.member_id}",
        "Letter of Medical Necessity",
        *body,
        f"Prescriber: {prescriber_name(referral)}, NPI {referral.prescriber.npi}, "
        f"phone {referral.prescriber.phone}",
    ]
