"""What the clinic sent that a status may repeat: the PHI minimum.

A status carries the clinic's own reference, the patient's initials (from the name the clinic
sent), the milestone and its date, and our referral id: nothing the clinic did not send, and of
what it sent no date of birth, member id, address, phone, diagnosis or drug. The visit note is
the one document with clinical content; it goes to the prescriber (treatment).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from intake.clinic.model import clinic_account
from intake.models.records import ReferralRecord


def _text(value: Any) -> str | None:
    return str(value).strip() or None if value is not None else None


def initials(first: str | None, last: str | None) -> str | None:
    """``Sofía Nguyen`` → ``S.N.``; None when the clinic sent no name (unknown stays unknown)."""
    letters = [part.strip()[0].upper() for part in (first, last) if part and part.strip()]
    return "".join(f"{x}." for x in letters) or None


@dataclass(frozen=True)
class ClinicCopy:
    clinic: str | None
    """The clinic's account (its upload folder), for the clinic's own poll."""
    clinic_name: str | None
    clinic_fax: str | None
    reference: str | None
    patient_initials: str | None
    fhir: bool
    """The referral came as FHIR: the clinic polls a Task rather than receiving a fax."""
    prescriber_name: str | None
    prescriber_fax: str | None

    @classmethod
    def of(cls, record: ReferralRecord) -> ClinicCopy:
        """From the validated referral, or from the draft of one held for review."""
        if record.referral is not None:
            r = record.referral
            return cls(
                clinic=clinic_account(record),
                clinic_name=r.referring_clinic.name,
                clinic_fax=r.referring_clinic.fax,
                reference=r.clinic_reference,
                patient_initials=initials(r.patient.first_name, r.patient.last_name),
                fhir=record.source.format == "fhir",
                prescriber_name=f"{r.prescriber.first_name} {r.prescriber.last_name}",
                prescriber_fax=r.prescriber.fax,
            )
        draft = record.draft or {}
        clinic = draft.get("referring_clinic") or {}
        patient = draft.get("patient") or {}
        prescriber = draft.get("prescriber") or {}
        names = (_text(prescriber.get("first_name")), _text(prescriber.get("last_name")))
        return cls(
            clinic=clinic_account(record),
            clinic_name=_text(clinic.get("name")),
            clinic_fax=_text(clinic.get("fax")),
            reference=_text(draft.get("clinic_reference")),
            patient_initials=initials(
                _text(patient.get("first_name")), _text(patient.get("last_name"))
            ),
            fhir=record.source.format == "fhir",
            prescriber_name=" ".join(n for n in names if n) or None,
            prescriber_fax=_text(prescriber.get("fax")),
        )
