"""Free text (names, addresses) as X12 can carry it: the basic character set, upper case.

HIPAA X12 TR3s allow the basic character set (A-Z, 0-9, space and ``! " & ' ( ) * + , - . /
: ; ? =``); accented or other "select language" letters only by trading-partner agreement
(X12 RFI 2212, on PEÑA), which a clearinghouse route cannot assume. So ``NÚÑEZ`` is sent as
``NUNEZ`` and ``陈伟`` as ``CHENWEI`` (or the Latin spelling the referral gives, ``陈伟 (Chen
Wei)`` → ``CHEN WEI``). Transliteration is anyascii (ISC licence, table-driven, every script):
payers match members on the romanized spelling their enrolment files hold, and a dropped
letter (``NEZ`` for ``ÑEZ``) would fail that match where ``NUNEZ`` passes.

The delimiters in use (``*``, ``~``, ``:``, ``^`` by default) and control characters never
reach an element: X12 has no escape character, so one stray ``*`` would shift every element
after it. The PDF packet and the PAS bundle keep the original spelling; only X12 goes through
here.
"""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

from intake.x12.delimiters import DEFAULT_DELIMITERS, Delimiters
from intake.x12.errors import X12BuildError

BASIC_SPECIALS = frozenset("!\"&'()*+,-./:;?=")
"""The special characters of the X12 basic character set (besides letters, digits, space)."""
BASIC_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ") | BASIC_SPECIALS

_LATIN_SPELLING = re.compile(r"[(\uff08]\s*([^()\uff08\uff09]*?)\s*[)\uff09]")
"""A parenthesised part, ASCII or full-width parentheses (as Chinese text writes them)."""
_SPACES = re.compile(r" {2,}")
_KEEP_CATEGORIES = ("L", "N", "M", "P", "Zs")
"""Letters, numbers, marks, punctuation and spaces are transliterated; symbols (emoji, ©) and
control or format characters carry nothing a payer could match and are dropped."""


def _is_latin_ascii(text: str) -> bool:
    return bool(text) and text.isascii() and any(c.isalpha() for c in text)


def latin_spelling(text: str) -> str:
    """The Latin spelling a name carries beside its own script, else the name itself:
    ``陈伟 (Chen Wei)`` → ``Chen Wei``; ``Núñez`` → ``Núñez`` (transliterated later)."""
    if text.isascii():
        return text
    for match in _LATIN_SPELLING.finditer(text):
        candidate = match.group(1)
        if _is_latin_ascii(candidate):
            return candidate
    return text


def _transliterate(text: str) -> str:
    out = []
    for ch in unicodedata.normalize("NFC", text):
        category = unicodedata.category(ch)
        if ch.isspace() or category.startswith("C") or category.startswith("Z"):
            out.append(" ")
        elif category.startswith(_KEEP_CATEGORIES):
            out.append(anyascii(ch))
    return "".join(out)


def x12_text(
    value: str | None,
    *,
    max_length: int | None = None,
    delimiters: Delimiters = DEFAULT_DELIMITERS,
) -> str:
    """``value`` in the X12 basic character set, upper case, without ``delimiters``; spaces
    collapsed and the result cut to ``max_length`` (the element's maximum)."""
    if not value:
        return ""
    text = _transliterate(latin_spelling(value)).upper()
    forbidden = delimiters.chars
    kept = "".join(
        c if c in BASIC_CHARACTERS and c not in forbidden else " " if c.isspace() else ""
        for c in text
    )
    kept = _SPACES.sub(" ", kept).strip()
    if max_length is not None:
        kept = kept[:max_length].rstrip()
    return kept


def x12_name(
    value: str | None,
    *,
    max_length: int,
    what: str,
    required: bool = True,
    delimiters: Delimiters = DEFAULT_DELIMITERS,
) -> str:
    """A person's or organization's name for an NM1 element. A required name with nothing X12
    can carry (only emoji or symbols) is a build error naming ``what`` (never the value: PHI)."""
    text = x12_text(value, max_length=max_length, delimiters=delimiters)
    if required and not any(c.isalnum() for c in text):
        raise X12BuildError(f"the {what} has no letters or digits X12 can carry")
    return text


def is_basic(text: str, delimiters: Delimiters = DEFAULT_DELIMITERS) -> bool:
    """True when every element value in an interchange is basic-character-set text: what is
    left after removing the delimiters is in the set (used by tests and the CLI's self-check)."""
    return all(c in BASIC_CHARACTERS or c in delimiters.chars or c in "\r\n" for c in text)
