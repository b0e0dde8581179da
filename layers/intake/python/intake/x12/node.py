"""A loop as read: the tree's one node type, shared by the reader and the HL hierarchy."""

from __future__ import annotations

from dataclasses import dataclass, field

from intake.x12.grammar import Loop
from intake.x12.segments import Segment


@dataclass(slots=True)
class Node:
    """One loop as read: its segments (the trigger first, a bounded loop's end last) and the
    loops nested in it, in document order."""

    loop: Loop
    segments: list[Segment] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
