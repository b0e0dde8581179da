"""Payer names made comparable: transliterated, lower case, no punctuation, abbreviations
expanded from a data file (``intake/data/payer_name_abbreviations.csv``, each row with its
source), filler words dropped.

"Blue Cross & Blue Shield of Texas, Inc.", "BCBS TX" and "Blue Cross Blue Shield Texas" all
become ``blue cross blue shield texas``. Transliteration is anyascii's (ISC licence, already the
layer's X12 text library): "Mútua de Seguros" → ``mutua de seguros``.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from importlib import resources

from anyascii import anyascii

STOP_WORDS = frozenset(
    {
        "the",
        "of",
        "de",
        "and",
        "inc",
        "incorporated",
        "co",
        "company",
        "corp",
        "corporation",
        "llc",
        "ltd",
        "lp",
    }
)
"""Words that never tell two payers apart (legal forms, articles; the Spanish connector "de"
read as "of": the case book's payer_names.yaml convention): dropped."""

_NOT_WORD = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Abbreviations:
    anywhere: dict[tuple[str, ...], tuple[str, ...]]
    """A phrase (one or more words) and what it stands for, wherever it stands (an empty
    expansion drops it: words written beside a payer's name that are not part of it)."""
    last: dict[str, tuple[str, ...]]
    """A word expanded only as the name's last word (state codes: 'BCBS TX')."""


@functools.cache
def abbreviations() -> Abbreviations:
    text = (
        resources.files("intake.data")
        .joinpath("payer_name_abbreviations.csv")
        .read_text(encoding="utf-8")
    )
    anywhere: dict[tuple[str, ...], tuple[str, ...]] = {}
    last: dict[str, tuple[str, ...]] = {}
    for row in csv.DictReader(text.splitlines()):
        words = tuple(_NOT_WORD.sub(" ", row["abbreviation"].lower()).split())
        expansion = tuple(row["expansion"].split())
        if row["where"] == "drop":
            anywhere[words] = ()
        elif row["where"] == "last":
            last[words[0]] = expansion
        else:
            anywhere[words] = expansion
    return Abbreviations(anywhere, last)


def _words(text: str) -> list[str]:
    ascii_text = anyascii(text).lower().replace("&", " and ")
    return _NOT_WORD.sub(" ", ascii_text).split()


def normalize_words(text: str) -> tuple[str, ...]:
    """The name's words, comparable: see the module's doc. An expansion is read again (HCSC →
    health care service corporation → healthcare service)."""
    words = _words(text)
    for _ in range(3):
        expanded = _expand(words)
        if expanded == words:
            break
        words = expanded
    return tuple(w for w in words if w not in STOP_WORDS)


def _expand(words: list[str]) -> list[str]:
    table = abbreviations()
    longest = max((len(k) for k in table.anywhere), default=1)
    out: list[str] = []
    i = 0
    while i < len(words):
        for size in range(min(longest, len(words) - i), 0, -1):
            phrase = tuple(words[i : i + size])
            if phrase in table.anywhere:
                out.extend(table.anywhere[phrase])
                i += size
                break
        else:
            word = words[i]
            if i == len(words) - 1 and i > 0 and word in table.last:
                out.extend(table.last[word])
            else:
                out.append(word)
            i += 1
    return out


def normalize(text: str) -> str:
    """One string per name: the comparable words joined by spaces."""
    return " ".join(normalize_words(text))
