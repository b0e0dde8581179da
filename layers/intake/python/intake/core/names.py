"""Names compared as the systems that hold them differ: case, accents, punctuation, spaces."""

from __future__ import annotations

import unicodedata


def comparable_name(name: str | None) -> str:
    """Compare names as payers store them: X12 carries no diacritics (José → JOSE), and
    punctuation, spacing and case differ between systems."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    return "".join(c for c in decomposed.upper() if c.isalnum() and not unicodedata.combining(c))
