"""The letter of medical necessity that argues the case, per drug class, from the evidence.

A reviewer approves when the letter answers the policy's questions in its order: the
diagnosis and how severe, what was tried before (with dates, and why it failed), the labs
that qualify the patient (with dates), the dose and how it was worked out (weight x mg/kg,
vials), the schedule, and why this site of care. Each class has its own opening argument
and order of evidence (immune globulin: low IgG + infections + poor vaccine response; anti-TNF:
moderate-to-severe disease after conventional therapy, TB and hepatitis B screened; an
antibiotic course: the infection, the organism's susceptibility, why IV and not oral).

Every clinical statement quotes a sentence the clinic sent (the evidence evaluator found it);
nothing is inferred. Sentences about language or call preferences never enter the letter. A
new start is not called an interruption: the closing differs for continuing therapy.
"""

from __future__ import annotations

import re
from datetime import date

from intake.authorization.packet.criteria import Evidence, EvidenceReport
from intake.authorization.packet.letter import (
    addressed_letter,
    clinical_sentences,
    diagnosis_lines,
    site_justification,
    site_words,
)
from intake.models.authorization import EvidenceWaiver
from intake.models.billing import Component
from intake.models.referral import Referral
from intake.therapy import ServicePlan

_PRIOR = re.compile(
    r"\b(failed|failure|inadequate response|intoleran\w*|refractory|steroid[- ]dependent|"
    r"previous(?:ly)?|prior|trial of|discontinued|switched from|no response|despite)\b",
    re.IGNORECASE,
)
_CONTINUING = re.compile(
    r"\b(transferr\w*|continu\w*|currently (?:on|receiving)|maintenance|established on)\b",
    re.IGNORECASE,
)
_NO_PRIOR = re.compile(r"\bno prior\b", re.IGNORECASE)

OPENING: dict[str, str] = {
    "immune_globulin": (
        "Immune globulin replacement is the standard treatment for a primary humoral "
        "immunodeficiency with low IgG, recurrent infections and an impaired antibody response "
        "to vaccines; the records below document each of these."
    ),
    "immune_globulin_neuro": (
        "Immune globulin is a first-line treatment for chronic inflammatory demyelinating "
        "polyneuropathy; the electrodiagnostic findings and the measured response to "
        "treatment below support its continued use."
    ),
    "anti_tnf": (
        "Infliximab is indicated for moderate to severe disease that has not responded to "
        "conventional therapy; the records below document the severity, the therapies tried "
        "with their dates and outcome, and the TB and hepatitis B screening required before "
        "a TNF inhibitor."
    ),
    "anti_cd20": (
        "Anti-CD20 therapy is indicated for the diagnosis below with evidence of disease "
        "activity; hepatitis B screening, required before B-cell depletion, is documented."
    ),
    "natalizumab": (
        "Natalizumab is indicated for the diagnosis below; the JCV antibody status and "
        "baseline MRI required by the TOUCH program are documented."
    ),
    "il6": (
        "Tocilizumab is indicated after an inadequate response to DMARD therapy; TB "
        "screening and baseline laboratory values are documented."
    ),
    "antibiotic_course": (
        "A course of intravenous antibiotic therapy is required for the infection below: "
        "the culture and susceptibility results direct the choice of agent, and the "
        "infection requires intravenous rather than oral therapy."
    ),
}


def _quote(e: Evidence) -> str:
    text = e.quote.rstrip(".。")
    return (
        f"{text} ({e.where})." if e.where and not e.where.startswith("the referral") else f"{text}."
    )


def dose_words(referral: Referral, plan: ServicePlan | None) -> str:
    """The dose and how the billed units were worked out (weight x dose per kg, vials)."""
    t, weight = referral.therapy, referral.patient.weight_kg
    parts = [f"{t.dose} {t.route}"]
    if "/kg" in t.dose.replace(" ", "").lower() and weight is not None:
        parts.append(f"for a weight of {weight:g} kg ({t.dose} x {weight:g} kg)")
    text = " ".join(parts)
    if plan is not None:
        drug = [
            line
            for line in plan.lines
            if line.component is Component.DRUG and "JW" not in line.modifiers
        ]
        if drug:
            text += f": {drug[0].basis}"
    return text + "."


def schedule_words(referral: Referral, plan: ServicePlan | None) -> str:
    t = referral.therapy
    text = f"{t.frequency} for {t.duration}"
    if plan is not None and plan.dose_dates:
        first, last = plan.dose_dates[0], plan.dose_dates[-1]
        n = len(plan.dose_dates)
        text += (
            f": {n} infusion{'s' if n != 1 else ''} from {first.isoformat()} to {last.isoformat()}"
        )
    return text + "."


def argued_letter(
    referral: Referral,
    pharmacy_name: str,
    today: date,
    *,
    evidence: EvidenceReport,
    plan: ServicePlan | None = None,
    waiver: EvidenceWaiver | None = None,
) -> list[str]:
    """Paragraphs of the letter: three header lines, the title, the body, and the signer
    (the PDF lays them out in that order)."""
    t = referral.therapy
    codes = ", ".join(c for c in (t.hcpcs and f"HCPCS {t.hcpcs}", t.ndc and f"NDC {t.ndc}") if c)
    site = site_words(referral)
    clinical = clinical_sentences(referral.clinical_notes)
    by_id = {e.id: e for e in evidence.items}
    met = [e for e in evidence.items if e.met and e.quote and e.id != "weight"]
    quoted = {e.quote for e in met}
    priors = [s for s in clinical if _PRIOR.search(s) and not _NO_PRIOR.search(s)]
    conventional = by_id.get("conventional_failure")
    if conventional is not None and conventional.met and conventional.quote not in priors:
        priors.insert(0, conventional.quote)
    severity = by_id.get("diagnosis_severity") or by_id.get("infection_diagnosis")
    body: list[str] = [
        f"I am requesting authorization of {t.drug_name} ({codes}), to be administered {site} "
        f"by {pharmacy_name}.",
        "Diagnosis: "
        + "; ".join(diagnosis_lines(referral))
        + "."
        + (f" Severity: {_quote(severity)}" if severity is not None and severity.met else ""),
    ]
    opening = OPENING.get(evidence.drug_class or "")
    if opening:
        body.append(opening)
    if priors:
        body.append("Prior therapies: " + " ".join(priors))
    else:
        body.append(
            "Prior therapies: none recorded for this condition; this request starts therapy."
        )
    told = {*priors, *(() if severity is None else (severity.quote,))}
    labs = [e for e in met if e.dated is not None and e.quote not in told]
    if labs:
        body.append("Results: " + " ".join(_quote(e) for e in labs))
    history = [
        e
        for e in met
        if e.dated is None
        and e.quote not in told
        and not e.where.endswith(": diagnosis")
        and e.quote in quoted
    ]
    if history:
        body.append("History: " + " ".join(_quote(e) for e in history))
    body.append("Dose: " + dose_words(referral, plan))
    body.append("Schedule: " + schedule_words(referral, plan))
    body.append(f"Why {site}: {site_justification(referral)}")
    unmet = evidence.unmet
    if unmet:
        reason = waiver.reason if waiver else None
        body.append(
            "Records still to follow: "
            + "; ".join(e.label for e in unmet)
            + (f". The pharmacy files now because: {reason}" if reason else "")
            + ". They will be sent as soon as the clinic provides them."
        )
    continuing = any(_CONTINUING.search(s) for s in clinical)
    body.append(
        f"{t.drug_name} is medically necessary for this patient; "
        + (
            "an interruption of the current therapy risks relapse of the disease."
            if continuing
            else "starting it without delay prevents further progression and complications."
        )
        + " Please contact my office with any questions."
    )
    return addressed_letter(referral, today, body)
