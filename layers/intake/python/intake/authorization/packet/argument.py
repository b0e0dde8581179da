"""The letter of medical necessity that argues the case, per drug class, from the evidence.

A reviewer approves when the letter answers the policy's questions in its order: the
diagnosis and how severe, what was tried before (with dates, and why it failed), the labs
that qualify the patient (with dates), the dose and how it was worked out (weight x mg/kg,
vials), the schedule, and why this site of care. Each class has its own opening argument
and order of evidence (immune globulin: low IgG + infections + poor vaccine response; anti-TNF:
moderate-to-severe disease after conventional therapy, TB and hepatitis B screened; an
antibiotic course: the infection, the organism's susceptibility, why IV and not oral).

Every clinical statement quotes a sentence the clinic sent (the evidence evaluator found it) or
names a coded fact with its source and date; nothing is inferred. Prior therapies are listed
whole: each coded medication with its dates and why it stopped, and each sentence of the notes
that speaks of earlier treatment (a ";" inside a sentence does not cut it). Nursing is stated
per dose by the CPT time rule (99601 up to 2 hours, +99602 per further hour, a part-hour only
from 31 minutes), with the first dose's visit and, where the label asks, its premedication
and observation (``data/first_dose.json``). Sentences about language or call preferences never enter the letter. A
new start is not called an interruption: the closing differs for continuing therapy.
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

from intake.authorization.packet.criteria import Evidence, EvidenceReport
from intake.authorization.packet.letter import (
    access_words,
    addressed_letter,
    clinical_sentences,
    diagnosis_lines,
    site_justification,
    site_words,
)
from intake.models.authorization import EvidenceWaiver
from intake.models.billing import Component
from intake.models.referral import ClinicalFactKind, Referral
from intake.therapy import ServicePlan
from intake.therapy.nursing import nursing_units

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
    where = e.where if e.where and not e.where.startswith("the referral") else ""
    if e.met and e.basis == "structured" and e.where.startswith("the referral"):
        where = e.where.removeprefix("the referral: ")
    dated = f", {e.dated.isoformat()}" if e.met and e.dated and e.basis == "structured" else ""
    return f"{text} ({where}{dated})." if where else f"{text}."


def prior_medications(referral: Referral) -> list[str]:
    """Each coded earlier medication (FHIR MedicationStatement, HL7 RXA): name, dates and
    why it stopped, as coded (status, and the stated reason where the sender gave one)."""
    out = []
    for f in referral.clinical_facts:
        if f.kind is not ClinicalFactKind.MEDICATION:
            continue
        name = f.display or f.code or "medication"
        span = " to ".join(d.isoformat() for d in (f.effective, f.ended) if d is not None)
        why = "; ".join(x for x in (f.status, f.value) if x)
        parts = [name] + ([span] if span else ["dates not given"])
        out.append(", ".join(parts) + (f" ({why})" if why else "") + f" [{f.source}].")
    return out


@cache
def _first_dose_table() -> dict[str, dict[str, Any]]:
    raw = resources.files("intake.data").joinpath("first_dose.json").read_text(encoding="utf-8")
    drugs: dict[str, dict[str, Any]] = json.loads(raw)["drugs"]
    return drugs


def _hours(h: Decimal) -> str:
    return f"{h.normalize():f}"


def _codes(units: list[tuple[str, int]]) -> str:
    return " + ".join(code if n == 1 else f"{code} x{n}" for code, n in units)


def nursing_words(referral: Referral, plan: ServicePlan | None) -> str | None:
    """Nursing per dose by the CPT time rule, the first dose's visit, and the label's
    premedication and observation for a first dose at home (None without a plan)."""
    if plan is None or not plan.days:
        return None
    first = plan.days[0]
    visits = [d for d in plan.days if d.nurse_hours]
    if not visits:
        return None
    text = (
        f"a nurse visit of about {_hours(first.nurse_hours)} hours for the first dose on "
        f"{first.day.isoformat()}: {_codes(nursing_units(first.nurse_hours))}"
    )
    later = {d.nurse_hours for d in visits[1:]}
    if later:
        text += "; then " + ", ".join(
            f"{_hours(h)}-hour visits: {_codes(nursing_units(h))}" for h in sorted(later)
        )
    text += (
        " (CPT 99601 covers a visit up to 2 hours; +99602 each further hour, a remaining "
        "part-hour only from 31 minutes, by CPT's time rule)."
    )
    label = _first_dose_table().get(referral.therapy.hcpcs or "")
    if label:
        plan_words = []
        if label.get("premedication"):
            plan_words.append(f"premedication as the label asks: {label['premedication']}")
        if label.get("observation"):
            plan_words.append(
                f"the nurse observes the patient {label['observation']}, within the visit"
            )
        if plan_words:
            text += (
                " First dose at home: "
                + "; ".join(plan_words)
                + f" ({label['source'].split(' (')[0]})."
            )
    return text


def dose_words(referral: Referral, plan: ServicePlan | None) -> str:
    """The dose and how the billed units were worked out (weight x dose per kg, vials). A
    weight read from the notes says so (to be confirmed); no weight says "weight needed"."""
    from intake.therapy.body import body_of, weight_based

    t = referral.therapy
    parts = [f"{t.dose} {t.route}"]
    if weight_based(t.dose):
        w = body_of(referral).weight
        if w is None:
            parts.append(
                "- weight needed: the referral gives no weight, so no amount or units are "
                "requested on an assumed weight; they follow once the weight is known"
            )
        elif w.where == "structured":
            parts.append(f"for a weight of {w.shown} kg ({t.dose} x {w.shown} kg)")
        else:
            parts.append(
                f"for a weight of {w.shown} kg ({t.dose} x {w.shown} kg), read from the "
                f'{w.where} as written ("{w.written}"; 1 lb = 0.45359237 kg), to be confirmed'
            )
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
    met = [e for e in evidence.items if e.found and e.quote and e.id != "weight"]
    quoted = {e.quote for e in met}
    priors = [s for s in clinical if _PRIOR.search(s) and not _NO_PRIOR.search(s)]
    conventional = by_id.get("conventional_failure")
    if (
        conventional is not None
        and conventional.found
        and conventional.basis == "text"
        and conventional.quote not in priors
    ):
        priors.insert(0, conventional.quote)
    priors = prior_medications(referral) + priors
    severity = by_id.get("diagnosis_severity") or by_id.get("infection_diagnosis")
    body: list[str] = [
        f"I am requesting authorization of {t.drug_name} ({codes}), to be administered {site} "
        f"by {pharmacy_name}.",
        "Diagnosis: "
        + "; ".join(diagnosis_lines(referral))
        + "."
        + (f" Severity: {_quote(severity)}" if severity is not None and severity.found else ""),
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
    nursing = nursing_words(referral, plan)
    if nursing:
        body.append("Nursing: " + nursing)
    access = access_words(referral)
    if access:
        body.append("Vascular access: " + access)
    body.append(f"Why {site}: {site_justification(referral)}")
    confirm = [e for e in evidence.to_confirm if not e.document]
    if confirm:
        body.append(
            "Quoted from the clinic's notes, to be confirmed against the records (not attached "
            "as results): " + "; ".join(e.label for e in confirm) + "."
        )
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
