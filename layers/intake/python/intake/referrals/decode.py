"""Bytes → text for the text formats (HL7 v2, FHIR/JSON, X12).

Clinics send whatever their interface engine emits: UTF-8 with or without a BOM, UTF-16 from
Windows tools (with a BOM, sometimes without), and legacy Latin-1/Windows-1252 from older HL7
feeds. We decode by BOM first, then strict UTF-8, then Windows-1252, then Latin-1 (which never
fails), so names such as "José Muñoz" and "王小明" survive whichever way they were sent.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str


def _bomless_utf16(data: bytes) -> str | None:
    """ASCII-range text saved as UTF-16 without a BOM has a NUL in every other byte."""
    sample = data[:512]
    if len(sample) < 8 or len(sample) % 2:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > 0.6 * half and even_nuls == 0:
        return "utf-16-le"
    if even_nuls > 0.6 * half and odd_nuls == 0:
        return "utf-16-be"
    return None


def decode_text(data: bytes) -> Decoded:
    """Decode ``data`` to text; never raises (Latin-1 maps every byte)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data[len(bom) :].decode(encoding), encoding)
            except UnicodeDecodeError:
                break
    utf16 = _bomless_utf16(data)
    if utf16 is not None:
        try:
            return Decoded(data.decode(utf16), utf16)
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8", "cp1252"):
        try:
            return Decoded(data.decode(encoding), encoding)
        except UnicodeDecodeError:
            continue
    return Decoded(data.decode("latin-1"), "latin-1")
