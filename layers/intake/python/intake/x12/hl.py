"""The HL hierarchy shared by 270 and 271: source (20) → receiver (21) → subscriber (22) →
dependent (23).

Grouping segments under their HL first, then reading each level, keeps the transaction readers
small and gives one place that rejects a broken hierarchy (unknown level, orphan parent).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from intake.x12.errors import X12StructureError
from intake.x12.segments import Segment

SOURCE, RECEIVER, SUBSCRIBER, DEPENDENT = "20", "21", "22", "23"
_PARENT_LEVEL = {SOURCE: None, RECEIVER: SOURCE, SUBSCRIBER: RECEIVER, DEPENDENT: SUBSCRIBER}
_LEVEL_NAMES = {
    SOURCE: "information source",
    RECEIVER: "information receiver",
    SUBSCRIBER: "subscriber",
    DEPENDENT: "dependent",
}


@dataclass(slots=True)
class HLNode:
    """One HL loop: the HL segment, the segments up to the next HL, and its child loops."""

    hl: Segment
    segments: list[Segment] = field(default_factory=list)
    children: list[HLNode] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.hl.element(1)

    @property
    def level(self) -> str:
        return self.hl.element(3)


def build_hierarchy(body: list[Segment], header_ids: frozenset[str]) -> list[HLNode]:
    """Top-level (HL 20) nodes of a 270/271 body; segments before the first HL must be in
    ``header_ids`` (BHT)."""
    roots: list[HLNode] = []
    by_id: dict[str, HLNode] = {}
    current: HLNode | None = None
    for seg in body:
        if seg.id != "HL":
            if current is None:
                if seg.id in header_ids:
                    continue
                raise X12StructureError(
                    "not expected before the first HL loop",
                    position=seg.position,
                    segment_id=seg.id,
                )
            current.segments.append(seg)
            continue
        node = HLNode(seg)
        level = node.level
        if level not in _PARENT_LEVEL:
            raise X12StructureError(
                f"HL03 level code {level!r} is not one of 20 (source), 21 (receiver), "
                "22 (subscriber), 23 (dependent)",
                position=seg.position,
                segment_id="HL",
            )
        if not node.id or node.id in by_id:
            raise X12StructureError(
                "HL01 must be a unique id", position=seg.position, segment_id="HL"
            )
        parent_level = _PARENT_LEVEL[level]
        parent_id = seg.element(2)
        if parent_level is None:
            if parent_id:
                raise X12StructureError(
                    "an information source HL (20) has no parent (HL02 must be empty)",
                    position=seg.position,
                    segment_id="HL",
                )
            roots.append(node)
        else:
            parent = by_id.get(parent_id)
            if parent is None or parent.level != parent_level:
                raise X12StructureError(
                    f"a {_LEVEL_NAMES[level]} HL ({level}) needs HL02 pointing to an earlier "
                    f"{_LEVEL_NAMES[parent_level]} HL ({parent_level})",
                    position=seg.position,
                    segment_id="HL",
                )
            parent.children.append(node)
        by_id[node.id] = node
        current = node
    return roots
