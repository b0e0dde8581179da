"""The faxed one-page status and the visit note, drawn with the packet's PDF library (fpdf2,
``authorization/packet/pdfdoc.py``): imported only by the sender (the PDF stack stays out of
every other function's cold start)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from intake.authorization.packet.fonts import font_plan
from intake.authorization.packet.models import Pharmacy
from intake.authorization.packet.pdf import CONFIDENTIALITY
from intake.authorization.packet.pdfdoc import PacketDoc
from intake.clinic.copy import ClinicCopy
from intake.clinic.model import ClinicStatusRecord


def _cover(doc: PacketDoc, title: str, to: str | None, fax: str | None, ph: Pharmacy) -> None:
    doc.heading(title, 16)
    doc.row("To:", to)
    doc.row("Fax:", fax)
    doc.row("From:", ph.name)
    doc.row("Phone / Fax:", f"{ph.phone} / {ph.fax}")


def _label(value: str) -> str:
    return value.replace("_", " ").capitalize()


def render_status_fax(
    status: ClinicStatusRecord, copy: ClinicCopy, pharmacy: Pharmacy, now: datetime
) -> bytes:
    """One page: to the clinic, its reference, the patient's initials, the milestone and its
    date. Nothing else about the patient."""
    text = " ".join(x for x in (copy.clinic_name, copy.patient_initials, copy.reference) if x)
    doc = PacketDoc(font_plan().for_text(text), f"Referral status {status.referral_id}")
    doc.add_page()
    _cover(doc, "FAX - Referral status", copy.clinic_name, copy.clinic_fax, pharmacy)
    doc.row("Sent:", now.strftime("%Y-%m-%d %H:%M UTC"))
    doc.gap()
    doc.row("Your reference:", copy.reference or "none sent")
    doc.row("Our referral:", status.referral_id)
    doc.row("Patient:", copy.patient_initials or "not named")
    doc.row("Milestone:", _label(status.milestone))
    doc.row("Date:", status.at.date().isoformat())
    for field, value in status.detail.items():
        shown = ", ".join(value) if isinstance(value, list) else str(value)
        doc.row(f"{_label(field)}:", shown)
    doc.gap(4)
    doc.para(status.wording, size=11)
    doc.gap(6)
    doc.para(CONFIDENTIALITY, size=8, bold=True)
    return bytes(doc.output())


def _flat(prefix: str, value: Any) -> list[tuple[str, str]]:
    if isinstance(value, dict):
        rows: list[tuple[str, str]] = []
        for k, v in value.items():
            rows.extend(_flat(f"{prefix} {k}".strip(), v))
        return rows
    if isinstance(value, list):
        if all(not isinstance(v, dict | list) for v in value):
            return [(prefix, ", ".join(str(v) for v in value) or "-")]
        return [row for n, v in enumerate(value, 1) for row in _flat(f"{prefix} {n}", v)]
    return [(prefix, "-" if value is None else str(value))]


def render_visit_note(
    visit: dict[str, Any], copy: ClinicCopy, status: ClinicStatusRecord, pharmacy: Pharmacy
) -> bytes:
    """The nurse's visit note for the prescriber: whatever fields the visit record holds, in
    its order (the record is the visiting capability's; nothing is added or guessed)."""
    rows = [(_label(k), v) for k, v in _flat("", visit)]
    text = " ".join(f"{k} {v}" for k, v in rows) + (copy.prescriber_name or "")
    doc = PacketDoc(font_plan().for_text(text), f"Visit note {status.detail.get('visit_id')}")
    doc.add_page()
    _cover(doc, "FAX - Nursing visit note", copy.prescriber_name, copy.prescriber_fax, pharmacy)
    doc.row("Clinic reference:", copy.reference or "none sent")
    doc.row("Our referral:", status.referral_id)
    doc.row("Visit date:", status.at.date().isoformat())
    doc.heading("The visit", 12)
    for label, value in rows:
        doc.row(f"{label}:", value)
    doc.gap(6)
    doc.para(CONFIDENTIALITY, size=8, bold=True)
    return bytes(doc.output())
