"""Which payer a referral (or a 271) means: by id, by name or alias, never by a guess.

The answer is one of three: ``resolved`` (one payer, and how it was found), ``ambiguous``
(several payers fit: the candidates, for a person to choose) or ``unknown`` (nothing fits: ask
for the card). A name matches a payer when its normalized words equal the payer's name or an
alias; a name whose words are all found in several payers' names (or in only one, but not as
its whole name) is ambiguous: "BCBS" is a family of companies, not a payer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from intake.directory.model import IndexEntry, NameIndex
from intake.directory.names import normalize, normalize_words

Status = Literal["resolved", "ambiguous", "unknown"]


@dataclass(frozen=True, slots=True)
class Resolution:
    status: Status
    payer_id: str | None = None
    how: str | None = None
    """id | clearinghouse id | name | alias | 271 payer id | 271 payer name"""
    candidates: tuple[str, ...] = ()
    """The payer ids that fit, in directory order (ambiguous only)."""
    reason: str | None = None

    @property
    def resolved(self) -> bool:
        return self.status == "resolved"


def by_id(index: NameIndex, payer_id: str | None) -> IndexEntry | None:
    """The payer with this id (the pharmacy's or any clearinghouse's), else None."""
    wanted = (payer_id or "").strip().upper()
    return index.by_id(wanted) if wanted else None


def by_name(index: NameIndex, name: str | None) -> Resolution:
    key = normalize(name or "")
    if not key:
        return Resolution("unknown", reason="no payer name")
    exact = index.by_name(key)
    if len(exact) == 1:
        entry = exact[0]
        how = "name" if entry.names[0] == key else "alias"
        return Resolution("resolved", entry.payer_id, how)
    if exact:
        return Resolution(
            "ambiguous",
            candidates=tuple(e.payer_id for e in exact),
            reason=f"{len(exact)} payers go by this name",
        )
    words = set(normalize_words(name or ""))
    partial = [e for e in index.payers if any(words <= set(n.split()) for n in e.names)]
    if partial:
        return Resolution(
            "ambiguous",
            candidates=tuple(e.payer_id for e in partial),
            reason=f"the name is part of {len(partial)} payer name(s), none exactly",
        )
    return Resolution("unknown", reason="no payer by this name or alias")


def resolve(index: NameIndex, payer_id: str | None, payer_name: str | None) -> Resolution:
    """A referral's payer: its id when the directory has it (and the name, when it names a
    payer, names the same one), else its name."""
    entry = by_id(index, payer_id)
    named = by_name(index, payer_name) if payer_name else None
    if entry is not None:
        how = "id" if entry.payer_id == (payer_id or "").strip().upper() else "clearinghouse id"
        if named and named.resolved and named.payer_id != entry.payer_id:
            return Resolution(
                "ambiguous",
                candidates=(entry.payer_id, named.payer_id or ""),
                reason=f"the id is {entry.payer_id}'s but the name is {named.payer_id}'s",
            )
        return Resolution("resolved", entry.payer_id, how)
    if named is None:
        return Resolution("unknown", reason="no payer id or name in the directory")
    return named


def resolve_271(index: NameIndex, payer_id: str | None, payer_name: str | None) -> Resolution:
    """The payer a 271 names in its 2100A NM1*PR (id in NM109, name in NM103)."""
    found = resolve(index, payer_id, payer_name)
    if found.resolved and found.how:
        return Resolution(found.status, found.payer_id, f"271 payer {found.how}")
    return found
