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


def merge(*parts: bytes) -> bytes:
    """Concatenate PDFs page for page."""
    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
