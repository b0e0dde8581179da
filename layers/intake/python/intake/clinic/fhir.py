"""The FHIR R4 Task (and its Communications) a clinic that sent FHIR polls.

One Task per referral: ``status`` and ``businessStatus`` are the latest milestone's (its
TaskStatus code from the milestones table, which names the value set), each milestone a
Communication ``about`` the Task. Built as plain JSON on read (the liaison API must not load the
FHIR model library at cold start); tests validate both with ``fhir.resources`` (R4B models).
"""

from __future__ import annotations

from typing import Any

from intake.clinic.milestones import business_status_system
from intake.clinic.model import ClinicStatusRecord

REFERRAL_ID_SYSTEM = "https://infusion-intake.example/fhir/NamingSystem/referral-id"


def clinic_system(clinic: str) -> str:
    """The identifier system of a clinic's own references (its account with the pharmacy)."""
    return f"https://infusion-intake.example/fhir/NamingSystem/clinic/{clinic}/referral"


def _instant(status: ClinicStatusRecord) -> str:
    return status.at.isoformat().replace("+00:00", "Z")


def _milestone(status: ClinicStatusRecord) -> dict[str, Any]:
    return {
        "coding": [{"system": business_status_system(), "code": status.milestone}],
        "text": status.wording,
    }


def task_resource(
    referral_id: str, clinic: str, reference: str | None, statuses: list[ClinicStatusRecord]
) -> dict[str, Any]:
    """The referral's Task as the clinic sees it now (``statuses`` oldest first, at least one)."""
    latest = statuses[-1]
    identifiers = [{"system": REFERRAL_ID_SYSTEM, "value": referral_id}]
    if reference:
        identifiers.insert(0, {"system": clinic_system(clinic), "value": reference})
    return {
        "resourceType": "Task",
        "id": referral_id,
        "identifier": identifiers,
        "status": latest.task_status,
        "businessStatus": _milestone(latest),
        "intent": "order",
        "code": {"text": "Home infusion referral: intake and therapy"},
        "authoredOn": _instant(statuses[0]),
        "lastModified": _instant(latest),
    }


def communications(referral_id: str, statuses: list[ClinicStatusRecord]) -> dict[str, Any]:
    """Every milestone as a Communication about the Task, in a searchset Bundle."""
    entries = [
        {
            "resource": {
                "resourceType": "Communication",
                "id": f"{referral_id}.{n}",
                "status": "completed",
                "about": [{"reference": f"Task/{referral_id}"}],
                "category": [_milestone(s)],
                "sent": _instant(s),
                "payload": [{"contentString": s.wording}],
            }
        }
        for n, s in enumerate(statuses, 1)
    ]
    return {"resourceType": "Bundle", "type": "searchset", "total": len(entries), "entry": entries}
