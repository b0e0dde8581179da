"""Is a finding in a sentence asserted, negated, only possible, or history? NegEx, as data.

The algorithm is NegEx (Chapman WW, Bridewell W, Hanbury P, Cooper GF, Buchanan BG. "A simple
algorithm for identifying negated findings and diseases in discharge summaries." J Biomed
Inform 2001;34(5):301-310): trigger phrases found by regular expression; a pre-negation trigger
("no", "denies", "negative for") negates a finding that follows it within five terms, a
post-negation trigger ("ruled out", "unlikely") one that precedes it within five terms; a
pseudo-negation ("no increase", "gram negative") is a trigger that is not one; and a
termination term ("but", "however") ends a trigger's scope. Its possible-finding triggers
("possible", "rule out") mark uncertainty. The historical category ("history of") and the scope
ending at a conjunction are ConText's (Harkema H, Dowling JN, Thornblade T, Chapman WW.
"ConText: an algorithm for determining negation, experiencer, and temporal status from
clinical reports." J Biomed Inform 2009;42(5):839-851).

A maintained library would be preferred; on PyPI the NegEx family (negspacy, medspacy,
cycontext) needs spaCy and its models (tens of MB and seconds of cold start in a Lambda), and
the standalone ``negex`` package is an unmaintained 2019 0.0.0.3. So the published trigger
lists are kept here, extended with what referral notes say of a test not (yet) done ("not
done", "pending", "ordered", "declined"), which the issue names.

A screening test reported negative ("QuantiFERON negative", "negative for hepatitis B") is a
result, not an absent test: ``negative_result`` tells the caller, which decides per criterion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Assertion = Literal["affirmed", "negated", "negative_result", "possible", "historical"]

WINDOW = 5
"""Terms a trigger reaches (Chapman et al. 2001: "within five terms")."""

PRE_NEGATION = (
    "no evidence of",
    "no signs of",
    "no sign of",
    "absence of",
    "free of",
    "not done",
    "never had",
    "no",
    "not",
    "denies",
    "denied",
    "without",
    "never",
    "declined",
    "refused",
    "ruled out",
    "rules out",
    "none",
)
POST_NEGATION = (
    "not done",
    "not performed",
    "not obtained",
    "not available",
    "not on file",
    "not received",
    "never done",
    "was ruled out",
    "is ruled out",
    "has been ruled out",
    "ruled out",
    "declined",
    "refused",
    "unlikely",
    "free",
)
NEGATIVE_RESULT_PRE = ("negative for", "non-reactive for", "nonreactive for")
NEGATIVE_RESULT_POST = ("negative", "neg", "non-reactive", "nonreactive", "not detected")
PRE_POSSIBLE = (
    "rule out",
    "r/o",
    "possible",
    "probable",
    "suspected",
    "questionable",
    "awaiting",
    "will obtain",
    "will check",
    "to order",
)
POST_POSSIBLE = (
    "pending",
    "ordered",
    "to be done",
    "to be drawn",
    "requested",
    "scheduled",
    "not yet resulted",
    "in process",
)
HISTORICAL = ("history of", "hx of", "h/o", "past history of")
PSEUDO = (
    "no increase",
    "no change",
    "no further",
    "not only",
    "not necessarily",
    "not cause",
    "gram negative",
    "without difficulty",
    "no prior",
)
"""Phrases that hold a trigger word but negate nothing (Chapman et al. 2001's pseudo-negation
phrases). "no prior" opens a sentence about therapy never given, not a negated finding."""
TERMINATION = (
    "but",
    "however",
    "although",
    "though",
    "except",
    "aside from",
    "apart from",
    "yet",
    "whereas",
    "which",
)

_WORD = re.compile(r"[a-z0-9/+-]+(?:'[a-z]+)?")


def _phrase_re(phrases: tuple[str, ...]) -> re.Pattern[str]:
    ordered = sorted(phrases, key=len, reverse=True)
    return re.compile(
        r"(?<![a-z0-9])(?:" + "|".join(re.escape(p) for p in ordered) + r")(?![a-z0-9])"
    )


_PSEUDO_RE = _phrase_re(PSEUDO)
_TERM_RE = _phrase_re(TERMINATION)


@dataclass(frozen=True, slots=True)
class Reading:
    """How a sentence speaks of a finding, and the trigger that says so (None: affirmed)."""

    assertion: Assertion
    trigger: str | None = None


def _words_between(text: str, start: int, end: int) -> int:
    return len(_WORD.findall(text[start:end]))


def _blocked(text: str, start: int, end: int) -> bool:
    """A termination term between ``start`` and ``end`` ends the scope."""
    return _TERM_RE.search(text, start, end) is not None or any(c in text[start:end] for c in ";:")


def _pseudo_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _PSEUDO_RE.finditer(text)]


def _pre(text: str, phrases: tuple[str, ...], target: tuple[int, int]) -> str | None:
    pseudo = _pseudo_spans(text)
    for m in _phrase_re(phrases).finditer(text, 0, target[0]):
        if any(a <= m.start() < b for a, b in pseudo):
            continue
        if m.end() > target[0]:
            continue
        if _words_between(text, m.end(), target[0]) < WINDOW and not _blocked(
            text, m.end(), target[0]
        ):
            return m.group(0)
    return None


def _post(text: str, phrases: tuple[str, ...], target: tuple[int, int]) -> str | None:
    pseudo = _pseudo_spans(text)
    for m in _phrase_re(phrases).finditer(text, target[1]):
        if any(a <= m.start() < b for a, b in pseudo):
            continue
        if _words_between(text, target[1], m.start()) < WINDOW and not _blocked(
            text, target[1], m.start()
        ):
            return m.group(0)
    return None


def read(sentence: str, target: tuple[int, int]) -> Reading:
    """How ``sentence`` speaks of the finding at character span ``target`` (of the sentence
    as given; matching is case-insensitive). Negation wins over a negative result, which wins
    over uncertainty, which wins over history."""
    text = sentence.lower()
    if trigger := _pre(text, PRE_NEGATION, target) or _post(text, POST_NEGATION, target):
        return Reading("negated", trigger)
    if trigger := _pre(text, NEGATIVE_RESULT_PRE, target) or _post(
        text, NEGATIVE_RESULT_POST, target
    ):
        return Reading("negative_result", trigger)
    if trigger := _pre(text, PRE_POSSIBLE, target) or _post(text, POST_POSSIBLE, target):
        return Reading("possible", trigger)
    if trigger := _pre(text, HISTORICAL, target):
        return Reading("historical", trigger)
    return Reading("affirmed")


def keyword_re(keyword: str) -> re.Pattern[str]:
    """A keyword matched as whole words ("alt" is not in "alternating"); a trailing ``*``
    marks an explicit stem ("intoleran*" matches "intolerance", "intolerant")."""
    stem = keyword.endswith("*")
    body = re.escape(keyword.rstrip("*").strip().lower()).replace(r"\ ", r"[\s-]+")
    return re.compile(r"(?<![a-z0-9])" + body + (r"[a-z]*" if stem else r"(?![a-z0-9])"))


def find(sentence: str, keywords: tuple[str, ...]) -> tuple[int, tuple[int, int]] | None:
    """The first keyword (by its place in ``keywords``) ``sentence`` mentions as whole words,
    and where: (index in ``keywords``, span)."""
    low = sentence.lower()
    for n, k in enumerate(keywords):
        if m := keyword_re(k).search(low):
            return n, m.span()
    return None
