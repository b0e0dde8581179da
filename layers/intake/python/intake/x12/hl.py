"""The HL hierarchy, once for every transaction set: HL01 ids, HL02 parents, HL03 levels.

The 270/271 hierarchy is source (20) → receiver (21) → subscriber (22) → dependent (23); the
278 adds patient event (EV) under 22 or 23 and service (SS) under EV. Which level may sit under
which is the grammar's (``TransactionSet.levels``); this module groups a transaction's segments
under their HL and rejects a broken hierarchy (unknown level, orphan or misplaced parent).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from intake.x12.errors import X12StructureError
from intake.x12.grammar import HLLoop, TransactionSet
from intake.x12.segments import Segment

if TYPE_CHECKING:
    from intake.x12.node import Node

SOURCE, RECEIVER, SUBSCRIBER, DEPENDENT = "20", "21", "22", "23"
EVENT, SERVICE = "EV", "SS"


@dataclass(slots=True)
class HLNode:
    """One HL loop: the HL segment, the segments up to the next HL, its child HL loops, and
    (once ``intake.x12.tree`` has walked them) those segments as the tree of its loops."""

    hl: Segment
    grammar: HLLoop
    segments: list[Segment] = field(default_factory=list)
    children: list[HLNode] = field(default_factory=list)
    body: Node = field(init=False)

    @property
    def id(self) -> str:
        return self.hl.element(1)

    @property
    def level(self) -> str:
        return self.hl.element(3)


def _levels(grammar: TransactionSet) -> str:
    return ", ".join(f"{h.level} ({h.label})" for h in grammar.levels)


def build_hierarchy(body: list[Segment], grammar: TransactionSet) -> list[HLNode]:
    """Root HL nodes of a transaction body; segments before the first HL must be header
    segments of ``grammar`` (BHT)."""
    roots: list[HLNode] = []
    by_id: dict[str, HLNode] = {}
    by_level = grammar.by_level
    current: HLNode | None = None
    for seg in body:
        if seg.id != "HL":
            if current is None:
                if seg.id in grammar.header_ids:
                    continue
                raise X12StructureError(
                    "not expected before the first HL loop",
                    position=seg.position,
                    segment_id=seg.id,
                )
            current.segments.append(seg)
            continue
        level = seg.element(3)
        loop = by_level.get(level)
        if loop is None:
            raise X12StructureError(
                f"HL03 level code {level!r} is not one of {_levels(grammar)}",
                position=seg.position,
                segment_id="HL",
            )
        node = HLNode(seg, loop)
        if not node.id or node.id in by_id:
            raise X12StructureError(
                "HL01 must be a unique id", position=seg.position, segment_id="HL"
            )
        parent_id = seg.element(2)
        if not loop.parents:
            if parent_id:
                raise X12StructureError(
                    f"a {loop.label} HL ({level}) has no parent (HL02 must be empty)",
                    position=seg.position,
                    segment_id="HL",
                )
            roots.append(node)
        else:
            parent = by_id.get(parent_id)
            if parent is None or parent.level not in loop.parents:
                wanted = " or ".join(f"{by_level[p].label} HL ({p})" for p in loop.parents)
                raise X12StructureError(
                    f"a {loop.label} HL ({level}) needs HL02 pointing to an earlier {wanted} "
                    f"(loop {loop.id})",
                    position=seg.position,
                    segment_id="HL",
                )
            parent.children.append(node)
        by_id[node.id] = node
        current = node
    return roots
