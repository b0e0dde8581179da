"""Which payer a referral (or a 271) means: by id, by name or alias, never by a guess.

The answer is ``resolved`` (one payer, and how it was found), ``several`` (the text names more
than one payer, e.g. "Medicare / AARP Medicare Supplement Plan G": each, in the order written),
``ambiguous`` (several payers fit: the candidates, for a person to choose) or ``unknown``
(nothing fits: ask for the card). Names are compared normalized (``intake.directory.names``).

In order, a name is matched:

1. whole, against each payer's name and aliases (several payers with one name: ambiguous, unless
   the state on the card picks one);
2. as a payer's name with product words beside it ("UHC Choice Plus", "Cigna OAP"): the words
   left over must be the same payer's plan names (or words dropped by the data file, like
   "employer"); left-over words that are another payer's name or plan ("UHC Open Access Plus":
   a Cigna network) make the answer ambiguous between the two; a payer whose matched name is
   part of another's match ("Medicare" inside "AARP Medicare Advantage") gives way to it;
3. as part of payers' names, aliases or plan names ("BCBS", "Anthem", "Open Access Plus"):
   always the candidates (a product name alone, or a family of companies, is not a payer),
   unless the state on the card leaves exactly one.

The patient's state orders candidates (payers covering it first); it never decides, since a
member may be enrolled through an employer elsewhere. The state on the card decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from intake.directory.model import IndexEntry, NameIndex
from intake.directory.names import normalize, normalize_words

Status = Literal["resolved", "several", "ambiguous", "unknown"]


def _parts(text: str) -> list[str]:
    """Where a text may name two payers: at a slash with spaces around it, or a semicolon
    ("Blue Cross/Blue Shield" is one name). Plain splits: linear in the text's length."""
    spaced = " ".join(text.split())
    return [p.strip() for chunk in spaced.split(";") for p in chunk.split(" / ") if p.strip()]


@dataclass(frozen=True, slots=True)
class Resolution:
    status: Status
    payer_id: str | None = None
    how: str | None = None
    """id | clearinghouse id | name | alias | name and plan | name and card state | 271 ..."""
    candidates: tuple[str, ...] = ()
    """ambiguous: the payer ids that fit, patient's state first, then directory order;
    several: the payers named, in the order written."""
    reason: str | None = None
    plan: str | None = None
    """The plan named beside the payer (normalized), when one was."""
    why: dict[str, str] = field(default_factory=dict)
    """Per candidate, why it is one."""

    @property
    def resolved(self) -> bool:
        return self.status == "resolved"


def by_id(index: NameIndex, payer_id: str | None) -> IndexEntry | None:
    """The payer with this id (the pharmacy's or any clearinghouse's), else None."""
    wanted = (payer_id or "").strip().upper()
    return index.by_id(wanted) if wanted else None


def _order(entries: list[IndexEntry], patient_state: str | None) -> list[IndexEntry]:
    state = (patient_state or "").upper()
    unique = list({e.payer_id: e for e in entries}.values())
    return sorted(unique, key=lambda e: (state not in e.states, e.directory_order))


def _by_card_state(entries: list[IndexEntry], card_state: str | None) -> list[IndexEntry]:
    state = (card_state or "").upper()
    return [e for e in entries if state in e.states] if state else []


def _choose(
    entries: list[IndexEntry],
    how: str,
    reason: str,
    patient_state: str | None,
    card_state: str | None,
) -> Resolution:
    if len({e.payer_id for e in entries}) == 1:
        return Resolution("resolved", entries[0].payer_id, how)
    on_card = _by_card_state(entries, card_state)
    if len(on_card) == 1:
        return Resolution("resolved", on_card[0].payer_id, f"{how} and card state")
    ordered = _order(entries, patient_state)
    state = (patient_state or "").upper()
    return Resolution(
        "ambiguous",
        candidates=tuple(e.payer_id for e in ordered),
        reason=reason,
        why={
            e.payer_id: "covers the patient's state" if state and state in e.states else reason
            for e in ordered
        },
    )


def _words(key: str) -> set[str]:
    return set(key.split())


def _with_products(
    index: NameIndex, query: set[str]
) -> tuple[list[tuple[IndexEntry, str | None]], list[IndexEntry]]:
    """Step 2: payers whose whole name is in the query with the rest explained (empty, or one
    of its plans: the plan), and the payers that make it ambiguous: a payer whose name is in
    the query with a rest it cannot explain, a payer or plan the rest names whole, a payer
    whose name or plan holds every word of the query."""
    matches: list[tuple[IndexEntry, set[str]]] = []
    for entry in index.payers:
        keys = [_words(n) for n in entry.names if n and _words(n) <= query]
        if keys:
            matches.append((entry, max(keys, key=len)))
    matches = [m for m in matches if not any(m[1] < o[1] for o in matches if o is not m)]
    explained: list[tuple[IndexEntry, str | None]] = []
    doubtful: list[IndexEntry] = []
    for entry, key in matches:
        rest = query - key
        plan = next((p for p in entry.plans if rest <= _words(p)), None) if rest else None
        if not rest or plan is not None:
            explained.append((entry, plan))
            continue
        doubtful.append(entry)
        doubtful.extend(
            e for e in index.payers if any(rest == _words(n) for n in e.names + e.plans)
        )
    if matches:
        matched = {m[0].payer_id for m in matches}
        doubtful.extend(
            e
            for e in index.payers
            if e.payer_id not in matched and any(query <= _words(n) for n in e.names + e.plans)
        )
    return explained, doubtful


def by_name(
    index: NameIndex,
    name: str | None,
    *,
    patient_state: str | None = None,
    card_state: str | None = None,
) -> Resolution:
    parts = _parts(name or "")
    if len(parts) > 1:
        each = [
            by_name(index, p, patient_state=patient_state, card_state=card_state) for p in parts
        ]
        ids = [r.payer_id for r in each if r.resolved and r.payer_id]
        if len(ids) == len(parts) and len(set(ids)) == len(ids):
            return Resolution("several", candidates=tuple(ids), how="names", reason="one per part")
    key = normalize(name or "")
    if not key:
        return Resolution("unknown", reason="no payer name")
    exact = index.by_name(key)
    if exact:
        how = "name" if len(exact) == 1 and exact[0].names[0] == key else "alias"
        return _choose(exact, how, "payers that go by this name", patient_state, card_state)
    query = set(normalize_words(name or ""))
    explained, doubtful = _with_products(index, query)
    if explained and not doubtful:
        plans = {e.payer_id: plan for e, plan in explained}
        resolution = _choose(
            [e for e, _ in explained],
            "name and plan" if any(plans.values()) else "name",
            "payers named with these words",
            patient_state,
            card_state,
        )
        if resolution.resolved and resolution.payer_id:
            named_plan = plans.get(resolution.payer_id)
            return Resolution(
                "resolved",
                resolution.payer_id,
                "name and plan" if named_plan else resolution.how,
                plan=named_plan,
            )
        return resolution
    if explained or doubtful:
        on_card = _by_card_state([*(e for e, _ in explained), *doubtful], card_state)
        if len(on_card) == 1:
            return Resolution("resolved", on_card[0].payer_id, "name and card state")
        return Resolution(
            "ambiguous",
            candidates=tuple(
                dict.fromkeys(e.payer_id for e in [*(e for e, _ in explained), *doubtful])
            ),
            reason="the text names more than one payer, or words no plan of the payer explains: "
            "ask for the card",
        )
    partial = [e for e in index.payers if any(query <= _words(n) for n in e.names + e.plans)]
    if partial:
        on_card = _by_card_state(partial, card_state)
        if len(on_card) == 1:
            return Resolution("resolved", on_card[0].payer_id, "part of a name and card state")
        return Resolution(
            "ambiguous",
            candidates=tuple(e.payer_id for e in _order(partial, patient_state)),
            reason="the words are part of these payers' names or plans, none whole",
        )
    return Resolution("unknown", reason="no payer by this name or alias")


def resolve(
    index: NameIndex,
    payer_id: str | None,
    payer_name: str | None,
    *,
    patient_state: str | None = None,
    card_state: str | None = None,
) -> Resolution:
    """A referral's payer: its id when the directory has it (and the name, when it names one
    payer, names the same one), else its name."""
    entry = by_id(index, payer_id)
    named = (
        by_name(index, payer_name, patient_state=patient_state, card_state=card_state)
        if payer_name
        else None
    )
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
