"""The auto-pharmacist of local runs and tests: the assessment a pharmacist would record from
the referral's own facts (its diagnoses, its weight and height when given) and a patient who
answers every question with nothing of note and a home fit for infusion. A sample's own
assessment (``_liaison.json``) is laid over it key by key."""

from __future__ import annotations

from typing import Any


def default_assessment(referral: dict[str, Any] | None) -> dict[str, Any]:
    """``referral`` is the referral as the API shows it (``view["referral"]``), or None."""
    patient = (referral or {}).get("patient") or {}
    diagnoses = (referral or {}).get("diagnoses") or []
    return {
        "conditions": [
            {"name": (d.get("description") or d["code"])[:200], "icd10": d["code"]}
            for d in diagnoses
        ],
        "allergies": [],
        "medicines": [],
        "prior_infusions": [],
        "access": {"kind": "peripheral"},
        "labs": [],
        "weight_kg": patient.get("weight_kg"),
        "height_cm": patient.get("height_cm"),
        "home": {
            "refrigeration": "yes",
            "caregiver": "yes",
            "present_during_infusion": "family member",
            "someone_present_after": "yes",
        },
    }


def assessment_for(
    referral: dict[str, Any] | None, override: dict[str, Any] | None
) -> dict[str, Any]:
    """The default assessment with a sample's own keys laid over it (a key given replaces)."""
    return {**default_assessment(referral), **(override or {})}
