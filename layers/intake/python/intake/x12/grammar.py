"""Transaction sets as data: loops, segments, element usage, repeats and code lists.

In the manner of stupidedi's guides (``lib/stupidedi/guides/005010/X279-HB271.rb``) and pyx12's
maps (``map/271.5010.X279.A1.xml``): a transaction set is its header segments and its HL loops;
an HL loop names its level code (HL03), the levels it may sit under (HL02) and the loop that
holds its segments; a loop lists, in guide order, the segments it holds and the loops nested in
it, each loop opened by its trigger segment (``EB`` opens 2110C, ``NM1`` opens 2010EA) and a
bounded loop closed by its end segment (``LS`` … ``LE``). One reader (``intake.x12.tree``)
walks any set through its grammar; one writer (``intake.x12.writer``) writes any set.

What the reader enforces is what would otherwise be misread: a segment a loop cannot hold, a
segment back in a loop already left (a header segment after the first EB), more repeats than
``max_use`` allows (a second NM1 names a second party), an unclosed bounded loop, and the HL
hierarchy. Element usage and code lists are data for the writer's checks and for readers that
want them; reading does not reject a valid document over a code the guide's list lacks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Usage = Literal["R", "S", "N"]
"""Required, situational, not used (the TR3's usage column)."""


@dataclass(frozen=True, slots=True)
class Element:
    """One element's usage and, where the guide gives one, its code list."""

    position: int
    usage: Usage = "S"
    codes: frozenset[str] | None = None
    name: str = ""


def codes(*values: str) -> frozenset[str]:
    return frozenset(values)


@dataclass(frozen=True, slots=True)
class SegmentUse:
    """A segment in a loop: how often it may repeat there and what its elements hold."""

    id: str
    usage: Usage = "S"
    max_use: int | None = None
    """The guide's repeat; None: more than one with no limit worth enforcing (``>1``)."""
    elements: tuple[Element, ...] = ()


def uses(spec: str, usage: Usage = "S") -> tuple[SegmentUse, ...]:
    """Segments in the TR3 listing's shorthand: ``"REF:9 N3 N4"`` is REF up to 9 times, then
    N3 and N4 (no repeat given: not enforced)."""
    out = []
    for word in spec.split():
        segment_id, _, repeat = word.partition(":")
        out.append(SegmentUse(segment_id, usage, int(repeat) if repeat else None))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Loop:
    """A loop: ``trigger`` opens it (None: the segments an HL loop holds after its HL), ``items``
    are its segments and nested loops in guide order, ``end`` closes a bounded loop."""

    id: str
    items: tuple[SegmentUse | Loop, ...] = ()
    trigger: SegmentUse | None = None
    end: str | None = None
    repeat: int | None = None
    label: str = ""
    """How errors name the loop (default: its id)."""
    segments: Mapping[str, tuple[int, SegmentUse]] = field(init=False, repr=False)
    loops: Mapping[str, tuple[int, Loop]] = field(init=False, repr=False)
    trigger_id: str | None = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "trigger_id", self.trigger.id if self.trigger else None)
        segments: dict[str, tuple[int, SegmentUse]] = {}
        loops: dict[str, tuple[int, Loop]] = {}
        for index, item in enumerate(self.items):
            if isinstance(item, Loop):
                assert item.trigger is not None, (
                    f"loop {item.id} nested in {self.id} has no trigger"
                )
                loops[item.trigger.id] = (index, item)
            else:
                segments[item.id] = (index, item)
        object.__setattr__(self, "segments", segments)
        object.__setattr__(self, "loops", loops)

    @property
    def name(self) -> str:
        return self.label or self.id


@dataclass(frozen=True, slots=True)
class HLLoop:
    """An HL loop: its HL03 level code, the levels of the HL loops it may sit under (empty: a
    root), and the loop holding the segments that follow its HL."""

    id: str
    level: str
    label: str
    parents: tuple[str, ...]
    body: Loop


@dataclass(frozen=True, slots=True)
class TransactionSet:
    """One transaction set's grammar (ST01, the implementation guide, GS01)."""

    id: str
    implementation: str
    functional_id: str
    header: tuple[SegmentUse, ...]
    levels: tuple[HLLoop, ...]
    by_level: Mapping[str, HLLoop] = field(init=False, repr=False)
    header_ids: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_level", {h.level: h for h in self.levels})
        object.__setattr__(self, "header_ids", frozenset(s.id for s in self.header))

    def loop_id(self, level: str) -> str:
        return self.by_level[level].id
