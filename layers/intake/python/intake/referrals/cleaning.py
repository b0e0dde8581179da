"""Text hygiene applied to every value read from a document, before any field is used.

Control characters, direction overrides and zero-width characters are invisible on screen but
travel into names, X12 segments and PDF packets (where XML 1.0 cannot carry them), so they
are removed here, once, for every format. HL7 v2 escape sequences are decoded by python-hl7
(``\\.br\\`` becomes a line break, ``\\X00\\`` a NUL); what decodes to a control character is
removed like any other, and an escape it left undecoded is dropped. Each field changed is
named in the referral's problems (the path, never the value), so the reviewer can look.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# Bidi embeddings/overrides/isolates, marks, zero-width characters, BOM, line/paragraph seps.
_INVISIBLE = re.compile(
    "[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\u206a-\u206f\ufeff\ufff9-\ufffb"
    "\u2028\u2029]"
)
_HL7_ESCAPE = re.compile(r"\\(?:[FSTRE]|X[0-9A-Fa-f]*|\.[a-z]{2}[^\\]{0,6}|[HNZC][^\\]{0,16})\\")
_MULTILINE_FIELDS = frozenset({"clinical_notes"})


def _control(char: str) -> bool:
    return unicodedata.category(char) == "Cc"


def clean_text(value: str, *, multiline: bool = False, hl7: bool = False) -> str:
    """``value`` without invisible or control characters; line breaks kept only in notes."""
    text = _HL7_ESCAPE.sub("", value) if hl7 else value
    text = _INVISIBLE.sub("", text)
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        kept = "".join(c if c in "\n\t" or not _control(c) else "" for c in text)
        return kept.replace("\t", " ")
    spaced = "".join(" " if c in "\r\n\t\v\f" else c for c in text)
    return re.sub(r" {2,}", " ", "".join(c for c in spaced if not _control(c)))


def clean_draft(value: Any, *, hl7: bool = False, path: str = "") -> tuple[Any, list[str]]:
    """A copy of ``value`` with every string cleaned, and the paths whose text changed."""
    changed: list[str] = []
    if isinstance(value, str):
        leaf = path.rsplit(".", 1)[-1]
        cleaned = clean_text(value, multiline=leaf in _MULTILINE_FIELDS, hl7=hl7)
        if cleaned != value and cleaned.strip() != value.strip():
            changed.append(path or "value")
        return cleaned, changed
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, child in value.items():
            out[key], more = clean_draft(child, hl7=hl7, path=f"{path}.{key}" if path else key)
            changed.extend(more)
        return out, changed
    if isinstance(value, list):
        items: list[Any] = []
        for index, child in enumerate(value):
            item, more = clean_draft(child, hl7=hl7, path=f"{path}.{index}")
            items.append(item)
            changed.extend(more)
        return items, changed
    return value, changed


def cleaning_problems(paths: list[str]) -> list[str]:
    return [
        f"{path}: held control, direction-changing or escape characters, which were removed;"
        " check it on the document"
        for path in paths[:20]
    ]
