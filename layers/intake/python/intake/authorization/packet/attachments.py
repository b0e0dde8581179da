"""The original referral appended to a packet: its PDF pages, or its text as pages.

A reviewer must see what the clinic sent, exactly. A PDF original is appended page for page
with pypdf; any other format (JSON, FHIR, HL7 v2) is rendered as text pages. A PDF that cannot
be read (encrypted, broken) degrades to a page saying so rather than failing the packet.
"""

from __future__ import annotations

import io
import json
import logging

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError

logger = logging.getLogger(__name__)


def pdf_page_count(document: bytes | None) -> int | None:
    """Pages of a readable PDF original; None when it is not one (render it as text)."""
    if not document or not document.lstrip()[:5].startswith(b"%PDF"):
        return None
    try:
        reader = PdfReader(io.BytesIO(document))
        if reader.is_encrypted:
            return None
        return len(reader.pages)
    except (PyPdfError, ValueError, OSError) as exc:
        logger.warning("original referral PDF unreadable", extra={"error": type(exc).__name__})
        return None


def as_text(document: bytes) -> str:
    """The original as readable text: pretty JSON, HL7 segments one per line, else UTF-8."""
    text = document.decode("utf-8", errors="replace")
    stripped = text.strip()
    if stripped.startswith(("{", "[")):
        try:
            return json.dumps(json.loads(stripped), indent=2, ensure_ascii=False)
        except json.JSONDecodeError:
            return text
    if stripped.startswith("MSH"):
        return "\n".join(
            s for s in stripped.replace("\r\n", "\r").replace("\n", "\r").split("\r") if s
        )
    if stripped.startswith("%PDF"):
        return "(The original is a PDF that could not be read; it is not appended.)"
    return text


def assemble(body: bytes, inserts: list[tuple[int, bytes]]) -> tuple[bytes, list[int]]:
    """``body`` with each PDF of ``inserts`` put in before page index ``at`` (of the body;
    ``at`` past the end appends); returns the PDF and the 0-based indexes of inserted pages."""
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(body)))
    inserted: list[int] = []
    shift = 0
    for at, part in sorted(inserts, key=lambda x: x[0]):
        reader = PdfReader(io.BytesIO(part))
        position = min(at + shift, len(writer.pages))
        writer.merge(position, reader)
        inserted += list(range(position, position + len(reader.pages)))
        shift += len(reader.pages)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), inserted


def stamp_pages(document: bytes, footer: str, *, pages: list[int], total: int) -> bytes:
    """The pages at ``pages`` (0-based) get "<footer>    Page n of <total>" in their bottom
    margin (an inserted original or signed letter keeps the packet's numbering)."""
    from fpdf import FPDF

    reader = PdfReader(io.BytesIO(document))
    writer = PdfWriter()
    writer.append(reader)
    for n, page in ((i + 1, writer.pages[i]) for i in pages):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        overlay = FPDF(unit="pt", format=(width, height))
        overlay.set_auto_page_break(False)
        overlay.add_page()
        overlay.set_font("helvetica", "", 8)
        overlay.set_fill_color(255, 255, 255)
        overlay.set_xy(0, height - 22)
        overlay.cell(width, 12, f"{footer}    Page {n} of {total}", align="C", fill=False)
        stamp = PdfReader(io.BytesIO(bytes(overlay.output()))).pages[0]
        page.merge_page(stamp)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def merge(*parts: bytes) -> bytes:
    """Concatenate PDFs page for page."""
    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


HL7_SEGMENTS = {
    "MSH": "Message header",
    "PID": "Patient",
    "PV1": "Visit",
    "IN1": "Insurance",
    "IN2": "Insurance (more)",
    "GT1": "Guarantor",
    "PRD": "Provider",
    "CTD": "Contact",
    "RF1": "Referral",
    "DG1": "Diagnosis",
    "PR1": "Procedure",
    "OBR": "Order",
    "OBX": "Observation",
    "NTE": "Note",
    "ORC": "Common order",
    "RXE": "Pharmacy encoded order",
    "RXO": "Pharmacy order",
    "RXR": "Route",
    "RXC": "Component",
    "TQ1": "Timing",
    "AL1": "Allergy",
}
"""Segment names a reader knows (HL7 v2.5.1 chapter titles, shortened)."""
MAX_ROWS = 400


def _words(key: str) -> str:
    return key.replace("_", " ").replace(".", " ").strip().capitalize()


def _flatten(value: object, path: str, rows: list[tuple[str, str]]) -> None:
    if len(rows) >= MAX_ROWS:
        return
    if isinstance(value, dict):
        for k, v in value.items():
            if k in ("resourceType", "meta", "text", "id") and path.count(".") > 0:
                continue
            _flatten(v, f"{path}.{k}" if path else str(k), rows)
    elif isinstance(value, list):
        for n, v in enumerate(value, start=1):
            _flatten(v, f"{path} {n}" if len(value) > 1 else path, rows)
    elif value is not None and value != "":
        rows.append((_words(path.split(".", 1)[-1]) if "." in path else _words(path), str(value)))


def readable_sections(document: bytes) -> list[tuple[str, list[tuple[str, str]]]] | None:
    """A JSON, FHIR or HL7 v2 original as sections of labelled fields (what a reviewer reads),
    or None when it is none of these (then it is printed as text)."""
    text = document.decode("utf-8", errors="replace").strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            return None
        if not isinstance(data, dict):
            return None
        if data.get("resourceType") == "Bundle":
            out = []
            for entry in data.get("entry") or []:
                resource = (entry or {}).get("resource") or {}
                rows: list[tuple[str, str]] = []
                _flatten({k: v for k, v in resource.items() if k != "resourceType"}, "", rows)
                out.append((str(resource.get("resourceType") or "Resource"), rows))
            return out
        sections = []
        top: list[tuple[str, str]] = []
        for key, value in data.items():
            if isinstance(value, dict | list):
                rows = []
                _flatten(value, "", rows)
                sections.append((_words(key), rows))
            elif value not in (None, ""):
                top.append((_words(key), str(value)))
        return ([("Referral", top)] if top else []) + sections
    if text.startswith("MSH"):
        out = []
        for raw in text.replace("\r\n", "\r").replace("\n", "\r").split("\r"):
            fields = raw.split("|")
            if not fields or not fields[0]:
                continue
            name = fields[0]
            rows = [
                (f"{name}-{n}", f.replace("^", " ").replace("~", "; ").strip())
                for n, f in enumerate(fields[1:], start=1)
                if f.replace("^", "").strip() and not (name == "MSH" and n == 1)
            ]
            out.append((f"{name} - {HL7_SEGMENTS.get(name, 'Segment')}", rows))
        return out
    return None
