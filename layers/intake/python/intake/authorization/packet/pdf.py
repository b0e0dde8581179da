"""The prior-authorization packet as a PDF a payer's reviewer can read on a fax.

Order: fax cover sheet (to the payer's UM fax, from the pharmacy, page count, confidentiality
notice), the request (patient, insurance, prescriber, therapy, requested services, diagnoses,
documentation checklist, clinical summary), the letter of medical necessity, then the
original referral. The page count on the cover includes the appended original, so the payer
can tell a fax arrived whole. See ``pdfdoc`` for the choice of fpdf2.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from intake.authorization.packet.argument import argued_letter
from intake.authorization.packet.attachments import (
    as_text,
    assemble,
    pdf_page_count,
    readable_sections,
    stamp_pages,
)
from intake.authorization.packet.criteria import EvidenceReport
from intake.authorization.packet.fonts import font_plan
from intake.authorization.packet.letter import (
    clinical_summary,
    diagnosis_lines,
    evidence_checklist,
    necessity_letter,
    patient_name,
    prescriber_name,
)
from intake.authorization.packet.models import Addressee, Pharmacy, RequestedService
from intake.authorization.packet.pdfdoc import PacketDoc
from intake.authorization.policy import PaDecision
from intake.models.authorization import EvidenceWaiver
from intake.models.referral import Referral
from intake.therapy import ServicePlan, site_title

CONFIDENTIALITY = (
    "CONFIDENTIALITY NOTICE: This facsimile contains protected health information that is "
    "privileged and confidential under federal and state law (HIPAA). It is intended only for "
    "the recipient named above, for treatment, payment or health care operations. If you are "
    "not the intended recipient, any review, disclosure, copying or distribution is "
    "prohibited: please notify the sender by telephone immediately and destroy all copies."
)
UNKNOWN_FAX = "not on file - confirm with the payer"
LOST_GLYPHS = (
    "Note: some characters could not be printed in this PDF's font and appear as "
    "'?'; the original referral appended at the end carries the exact spelling."
)


@dataclass(frozen=True, slots=True)
class PacketContent:
    """Everything the PDF shows."""

    referral: Referral
    decision: PaDecision
    pharmacy: Pharmacy
    services: tuple[RequestedService, ...]
    plan: ServicePlan
    um_fax: str
    um_phone: str
    now: datetime
    packet_id: str
    original_document: bytes | None
    original_name: str
    received_on: date
    """When we received the referral: evidence dates are judged against it."""
    evidence: EvidenceReport | None = None
    """The drug's criteria evaluated (met with where, stale, missing)."""
    waiver: EvidenceWaiver | None = None
    """A liaison filed without some items: which, and why."""
    signed_letter: bytes | None = None
    """The prescriber's signed letter (a PDF), in place of the draft."""
    addressee: Addressee | None = None
    """Someone other than the payer's utilization management (a PBM), when set."""


def _cover(doc: PacketDoc, c: PacketContent, total: int) -> None:
    r, ph = c.referral, c.pharmacy
    doc.heading("FAX - Prior Authorization Request", 18)
    if c.addressee is not None:
        doc.row("To:", f"{c.addressee.name} - {c.addressee.department}")
        doc.row("Fax:", c.addressee.fax or UNKNOWN_FAX)
        if c.addressee.portal:
            doc.row("Portal:", c.addressee.portal)
    else:
        doc.row("To:", f"{r.coverage.payer_name} - Utilization Management")
        doc.row("Fax:", c.um_fax or UNKNOWN_FAX)
        if c.um_phone:
            doc.row("Phone:", c.um_phone)
    doc.gap()
    doc.row("From:", ph.name)
    doc.row("Pharmacy NPI:", ph.npi)
    doc.row("Phone / Fax:", f"{ph.phone} / {ph.fax}")
    if ph.contact_name:
        doc.row("Contact:", ph.contact_name)
    doc.gap()
    doc.row("Date:", c.now.strftime("%Y-%m-%d %H:%M"))
    doc.row("Pages:", f"{total} (including this cover sheet)")
    doc.row("Packet ID:", c.packet_id)
    doc.row(
        "Re:",
        f"Patient {patient_name(r)}, DOB {r.patient.date_of_birth.isoformat()}, "
        f"member ID {r.coverage.member_id}",
    )
    doc.row(
        "Request:",
        f"{r.therapy.drug_name} - {site_title(c.plan.site_of_care).lower()} prior authorization",
    )
    doc.gap()
    doc.para(
        "Contents: request summary; letter of medical necessity; original referral "
        f"({c.original_name})"
        + (f", its {doc.attached_pages} page(s) last, as received." if doc.attached_pages else ".")
    )
    doc.gap(6)
    doc.para(CONFIDENTIALITY, size=8.5, bold=True)
    if doc.fitter.lost:
        doc.gap(4)
        doc.para(LOST_GLYPHS, size=8)


def _request(doc: PacketDoc, c: PacketContent) -> None:
    r = c.referral
    p, ins, rx, t = r.patient, r.coverage, r.prescriber, r.therapy
    doc.heading(f"Prior Authorization Request - {site_title(c.plan.site_of_care)}")
    doc.heading("Patient", 11)
    doc.row("Name:", patient_name(r))
    doc.row("Date of birth / Sex:", f"{p.date_of_birth.isoformat()} / {p.sex.value}")
    a = p.address
    doc.row(
        "Address:", ", ".join(x for x in (a.line1, a.line2, a.city, a.state, a.postal_code) if x)
    )
    doc.row("Phone:", p.phone)
    doc.row("Weight:", _weight_row(r))
    doc.heading("Insurance", 11)
    doc.row("Payer:", f"{ins.payer_name} (payer ID {ins.payer_id})")
    doc.row("Member ID:", ins.member_id)
    doc.row("Group number:", ins.group_number)
    doc.row("Plan:", ins.plan_name)
    if ins.subscriber is not None:
        doc.row(
            "Subscriber:",
            f"{ins.subscriber.first_name} {ins.subscriber.last_name} "
            f"(patient is the {ins.relationship.value})",
        )
    doc.heading("Prescriber", 11)
    doc.row("Name:", prescriber_name(r))
    doc.row("NPI:", rx.npi)
    doc.row("Specialty:", rx.specialty)
    doc.row("Phone / Fax:", f"{rx.phone} / {rx.fax or '-'}")
    doc.row("Referring clinic:", r.referring_clinic.name)
    doc.heading("Requested therapy", 11)
    doc.row("Drug:", t.drug_name)
    doc.row("NDC:", t.ndc)
    doc.row("HCPCS:", t.hcpcs)
    doc.row("Dose:", t.dose)
    doc.row("Route:", t.route)
    doc.row("Frequency:", t.frequency)
    doc.row("Duration:", t.duration)
    pos = c.plan.place_of_service
    doc.row(
        "Site of care:",
        f"Home (place of service {pos})"
        if t.site_of_care == "home"
        else f"Ambulatory infusion suite (place of service {pos}; per diem with modifier SS)",
    )
    end = c.plan.end.isoformat() if c.plan.end else "to be confirmed"
    doc.row("Requested period:", f"{c.plan.start.isoformat()} to {end}")
    doc.heading("Requested services", 11)
    for s in c.services:
        units = str(s.quantity) if s.quantity is not None else "to be confirmed"
        code = "-".join((s.code, *s.modifiers))
        doc.row(f"{code}:", f"{s.description} - units: {units} ({s.basis})")
    doc.heading("Diagnoses (ICD-10-CM)", 11)
    for line in diagnosis_lines(r):
        doc.para(line)
    doc.heading("Authorization and documentation", 11)
    doc.row("Why requested:", "; ".join(c.decision.reasons))
    if c.evidence is not None and c.evidence.items:
        _criteria(doc, c.evidence, c.waiver)
    else:
        for check in evidence_checklist(r, c.decision, received_on=c.received_on):
            mark = "[x]" if check.present else "[?]" if check.to_confirm else "[ ]"
            doc.row(mark, f"{check.item} - {check.note}", label_width=10)
    doc.heading("Clinical summary", 11)
    doc.para(clinical_summary(r) or "No clinical notes accompanied the referral.")


def _weight_row(r: Referral) -> str | None:
    """The weight as the referral gives it: structured, or read from the notes (to confirm),
    or "weight needed" for a dose per kg with none."""
    from intake.therapy.body import body_of, weight_based

    w = body_of(r).weight
    if w is None:
        return "weight needed (not in the referral)" if weight_based(r.therapy.dose) else None
    if w.where == "structured":
        return f"{w.shown} kg"
    return f'{w.shown} kg, read from the {w.where} ("{w.written}"): to be confirmed'


def _criteria(doc: PacketDoc, report: EvidenceReport, waiver: EvidenceWaiver | None) -> None:
    """The reviewer's checklist: [x] met by a coded fact or field (where, dated, and whether
    attached), [?] a sentence of the notes quoted for a person to confirm (never counted as an
    attached result), [ ] not found (and why)."""
    doc.para(f"Criteria: {report.class_label} (version {report.version})", size=8.5)
    waived = set(waiver.items) if waiver else set()
    for e in report.items:
        dated = f", dated {e.dated.isoformat()}" if e.dated else ""
        sent = "; attached" if e.attached else ""
        if e.met:
            doc.row("[x]", f"{e.label} - {e.where}{dated}{sent}", label_width=10)
            continue
        if e.to_confirm:
            doc.row(
                "[?]",
                f'{e.label} - to confirm, free text ({e.where}{dated}{sent}): "{e.quote}"',
                label_width=10,
            )
            continue
        negated = e.note.startswith("the notes mention it only")
        why = "not in the records" if e.status == "missing" and not negated else e.note
        tail = " - filed without it (see below)" if e.id in waived else ""
        doc.row("[ ]", f"{e.label} - {why}{tail}", label_width=10)
    if report.to_confirm:
        doc.para(
            "[?] marks a sentence of the clinic's notes, quoted as written: it is not a result "
            "and nothing is attached for it unless the line says so.",
            size=8,
        )
    if waived:
        reason = (waiver.reason if waiver else "") or "no reason recorded"
        doc.row("Filed without:", f"the pharmacy asked the clinic; not received. Reason: {reason}")


def _letter(doc: PacketDoc, c: PacketContent) -> None:
    doc.add_page()
    if c.evidence is not None and c.evidence.drug_class is not None:
        paragraphs = argued_letter(
            c.referral,
            c.pharmacy.name,
            c.now.date(),
            evidence=c.evidence,
            plan=c.plan,
            waiver=c.waiver,
        )
    else:
        paragraphs = necessity_letter(
            c.referral,
            c.pharmacy.name,
            c.now.date(),
            received_on=c.received_on,
            decision=c.decision,
        )
    doc.para("\n".join(paragraphs[:3]))
    doc.heading(paragraphs[3])
    for text in paragraphs[4:-1]:
        doc.para(text)
        doc.gap()
    doc.gap(6)
    doc.para(paragraphs[-1])
    doc.gap(10)
    doc.para("Prescriber signature: ______________________________    Date: ____________")


def _original(doc: PacketDoc, c: PacketContent, as_pdf: bool) -> None:
    doc.add_page()
    doc.heading(f"Attachment: original referral ({c.original_name})")
    if c.original_document is None:
        doc.para("No original document was available for this referral.")
    elif as_pdf:
        doc.para("The original referral PDF follows, page for page.")
    else:
        sections = readable_sections(c.original_document)
        if sections is None:
            doc.para(as_text(c.original_document), size=8)
            return
        doc.para("The referral as received, its fields laid out for reading.", size=8.5)
        for title, rows in sections:
            doc.heading(title, 10.5)
            for label, value in rows:
                doc.row(label + ":", value, label_width=52)


def _body(
    c: PacketContent, extra: int, total: int | None, pdf_original: bool, signed_pages: int = 0
) -> PacketDoc:
    def cover(pdf: object, _outline: object) -> None:
        assert isinstance(pdf, PacketDoc)
        _cover(pdf, c, pdf.pages_count + extra)

    probe = c.referral.model_dump_json() + c.pharmacy.model_dump_json()
    if c.original_document is not None and not pdf_original:
        probe += as_text(c.original_document)
    plan = font_plan().for_text(probe)
    doc = PacketDoc(plan, f"Prior authorization packet {c.packet_id}", extra, total)
    doc.add_page()
    doc.insert_toc_placeholder(cover, pages=1, reset_page_indices=False)  # opens page 2
    _request(doc, c)
    doc.letter_at = doc.page  # where a signed letter goes (0-based index of its first page)
    doc.inserted_at_letter = signed_pages
    if c.signed_letter is None:
        _letter(doc, c)
    if not pdf_original:  # a PDF original follows the letter page for page, no separator
        _original(doc, c, False)
    return doc


def render_packet_pdf(c: PacketContent) -> bytes:
    """The packet PDF: a PDF original appended page for page, the prescriber's signed letter
    (when there is one) in place of the draft, and every page numbered "Page n of N" across
    the whole packet (pages from other PDFs stamped in their margin)."""
    original_pages = pdf_page_count(c.original_document)
    signed_pages = pdf_page_count(c.signed_letter) if c.signed_letter else None
    extra = (original_pages or 0) + (signed_pages or 0)
    pdf_original = original_pages is not None
    if not extra:
        return bytes(_body(c, 0, None, pdf_original).output())
    total = _body(c, extra, None, pdf_original, signed_pages or 0).pages_count + extra
    doc = _body(c, extra, total, pdf_original, signed_pages or 0)
    body = bytes(doc.output())
    inserts: list[tuple[int, bytes]] = []
    if signed_pages and c.signed_letter is not None:
        inserts.append((doc.letter_at, c.signed_letter))
    if original_pages and c.original_document is not None:
        inserts.append((total, c.original_document))
    merged, inserted = assemble(body, inserts)
    return stamp_pages(
        merged, f"Prior authorization packet {c.packet_id}", pages=inserted, total=total
    )


def render_signature_request(c: PacketContent, request_id: str) -> bytes:
    """The fax to the prescriber: a return cover (sign, date, fax back) and the letter."""
    plan = font_plan().for_text(c.referral.model_dump_json() + c.pharmacy.model_dump_json())
    doc = PacketDoc(plan, f"Signature request {request_id}")
    doc.add_page()
    r, ph = c.referral, c.pharmacy
    doc.heading("FAX - Letter of medical necessity to sign", 16)
    doc.row("To:", f"{prescriber_name(r)}, NPI {r.prescriber.npi}")
    doc.row("Fax / Phone:", f"{r.prescriber.fax or 'not on file'} / {r.prescriber.phone}")
    doc.gap()
    doc.row("From:", ph.name)
    doc.row("Phone / Fax:", f"{ph.phone} / {ph.fax}")
    doc.row("Date:", c.now.strftime("%Y-%m-%d %H:%M"))
    doc.row("Request ID:", request_id)
    doc.row("Patient:", f"{patient_name(r)}, DOB {r.patient.date_of_birth.isoformat()}")
    doc.row("Therapy:", f"{r.therapy.drug_name} {r.therapy.dose} {r.therapy.frequency}")
    doc.gap(4)
    doc.para(
        f"{r.coverage.payer_name} requires a letter of medical necessity signed by the "
        "prescriber with this prior authorization request. We prepared it from your referral "
        "and the records you sent (next page). Please review it, sign and date it, and fax "
        f"it back to {ph.fax} with this page on top (request ID {request_id}). We file the "
        "request as soon as it is back."
    )
    doc.gap(6)
    doc.para(CONFIDENTIALITY, size=8, bold=True)
    _letter(doc, c)
    return bytes(doc.output())
