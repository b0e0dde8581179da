"""The issue-25 case files' inputs (written in the reviewers' words) as the pharmacist's
assessment records them: what the form would hold after the call. The mapping is mechanical
and stated once here: a reaction's severity is the word the case uses (anaphylaxis, severe,
mild), otherwise unknown; a clinical status is unstable when it names a change for the worse
(rising, worsening, unstable, new weakness, a value over the upper limit), stable
otherwise; an age is read in days or years; a gap 'N-month' is months since the last dose."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from intake.care.decide import TherapyFacts
from intake.care.model import AssessmentIntake
from intake.care.rules import mentions, rule_table


def severity(reaction: str | None) -> str:
    text = (reaction or "").lower()
    for word, value in (("anaphyla", "anaphylaxis"), ("severe", "severe"), ("mild", "mild")):
        if word in text:
            return value
    return "unknown"


def age_days(text: str | None) -> int | None:
    if not text:
        return None
    found = re.match(r"\s*(\d+)\s*(day|week|month|year)", text)
    if not found:
        return None
    n, unit = int(found[1]), found[2]
    return n * {"day": 1, "week": 7, "month": 30, "year": 365}[unit]


def therapy(case_input: Mapping[str, Any], drug: str) -> TherapyFacts:
    return TherapyFacts(drug_name=drug, dose=drug, age_days=age_days(case_input.get("age")))


def conflict_intake(i: Mapping[str, Any]) -> AssessmentIntake:
    return AssessmentIntake.model_validate(
        {
            "allergies": [
                {
                    "substance": a["substance"],
                    "reaction": a.get("reaction"),
                    "severity": severity(a.get("reaction")),
                }
                for a in i.get("allergies") or []
            ],
            "medicines": [{"name": m} for m in i.get("current_medicines") or []],
            "conditions": [{"name": h} for h in i.get("history") or []],
            "planned_vaccines": list(i.get("live_vaccine_planned") or []),
            "prior_infusions": [],
        }
    )


def _known(value: Any) -> str:
    if value is None or value == "unknown":
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "yes"  # a person named ("spouse, trained")


def site_intake(i: Mapping[str, Any], drug: str) -> AssessmentIntake:
    reactions = str(i.get("prior_infusion_reactions") or "none")
    prior = []
    if not reactions.lower().startswith("none"):
        table = rule_table()
        named = next(
            (
                n
                for d in table.drugs.values()
                for n in d.names
                if mentions(reactions.split(":", maxsplit=1)[0], n)
            ),
            None,
        )
        prior.append(
            {
                "drug": named or drug,
                "reaction": reactions[:200],
                "reaction_severity": severity(reactions),
            }
        )
    gap = re.search(r"(\d+)-month gap", str(i.get("first_dose")))
    distance = re.match(r"\s*(\d+)", str(i.get("distance_to_emergency_care") or ""))
    stability = str(i.get("clinical_stability") or "").lower()
    unstable = re.search(r"rising|worsening|unstable|\bnew\b|uln|deteriorat", stability)
    return AssessmentIntake.model_validate(
        {
            "prior_infusions": prior,
            "clinical_stability": "unstable" if unstable else "stable",
            "months_since_last_dose": int(gap[1]) if gap else None,
            "home": {
                "caregiver": _known(i.get("caregiver_present")),
                "refrigeration": _known(i.get("refrigeration")),
                "minutes_to_emergency_care": int(distance[1]) if distance else None,
            },
        }
    )


def words(text: str) -> set[str]:
    """Content words of 3 letters or more, for matching a finding to the case's 'with'."""
    stop = {"the", "and", "with", "for", "not", "from", "this", "that", "dose"}
    return {w for w in re.findall(r"[a-z0-9]{3,}", text.lower()) if w not in stop}
