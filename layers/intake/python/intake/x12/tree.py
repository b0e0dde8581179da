"""The one reader: a transaction's segments walked through its grammar into a tree.

``read_transaction`` groups the body under its HL loops (``intake.x12.hl``) and walks each HL
loop's segments through the loop the grammar gives it: a segment the current loop holds joins
it; a nested loop's trigger opens that loop; anything else closes the current loop and is tried
in the enclosing one, but only against what the guide places *after* the loop just left (a
2100C header segment after the first EB is an error, not a late header). A bounded loop
(``LS`` … ``LE``) cannot be left without its end segment.

The tree is plain data (lists of segments); the transaction modules map it to their domain.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from intake.x12.envelope import Transaction
from intake.x12.errors import X12StructureError
from intake.x12.grammar import Loop, SegmentUse, TransactionSet
from intake.x12.hl import HLNode, build_hierarchy
from intake.x12.node import Node
from intake.x12.segments import Segment


def not_expected(set_id: str, seg: Segment, where: str) -> X12StructureError:
    return X12StructureError(
        f"not expected in {set_id} loop {where}", position=seg.position, segment_id=seg.id
    )


@dataclass(slots=True)
class _Frame:
    loop: Loop
    node: Node
    floor: int = 0
    """The first item index of ``loop`` still open (items before a nested loop left are not)."""
    counts: dict[str, int] | None = None
    """Segments read so far per id, for those with a ``max_use``."""


def _too_many(set_id: str, seg: Segment, loop: Loop, limit: int) -> X12StructureError:
    extra = f"a second {seg.id}" if limit == 1 else f"over {limit} {seg.id}"
    return not_expected(set_id, seg, f"{loop.name} ({extra})")


def _count(frame: _Frame, seg: Segment, limit: int, set_id: str) -> None:
    counts = frame.counts
    if counts is None:
        counts = frame.counts = {}
    seen = counts.get(seg.id, 0)
    if seen >= limit:
        raise _too_many(set_id, seg, frame.loop, limit)
    counts[seg.id] = seen + 1


def walk(loop: Loop, segments: list[Segment], set_id: str) -> Node:
    """The segments of one HL loop (after its HL) as the tree of ``loop``."""
    root = Node(loop)
    frame = _Frame(loop, root)
    stack = [frame]
    # the current loop's table and node, kept in locals: this loop runs once per segment
    table, floor, append = loop.segments, 0, root.segments.append
    for seg in segments:
        sid = seg.id
        found = table.get(sid)
        if found is not None and found[0] >= floor:  # the common case: stay in the loop
            limit = found[1].max_use
            if limit is not None:
                counts = frame.counts
                if counts is None:
                    counts = frame.counts = {}
                seen = counts.get(sid, 0)
                if seen >= limit:
                    raise _too_many(set_id, seg, frame.loop, limit)
                counts[sid] = seen + 1
            append(seg)
            continue
        current = frame.loop
        if sid == current.trigger_id and current.end is None:  # the next EB: a sibling loop
            child = Node(current, [seg], [])
            stack[-2].node.children.append(child)
            frame.node, frame.counts, frame.floor = child, None, 0
            append, floor = child.segments.append, 0
            continue
        origin = current
        while True:
            current = frame.loop
            if sid == current.end:
                frame.node.segments.append(seg)
                stack.pop()
                frame = stack[-1]
                break
            found = current.segments.get(sid)
            if found is not None and found[0] >= frame.floor:
                if found[1].max_use is not None:
                    _count(frame, seg, found[1].max_use, set_id)
                frame.node.segments.append(seg)
                break
            nested = current.loops.get(sid)
            if nested is not None and nested[0] >= frame.floor:
                child = Node(nested[1], [seg], [])
                frame.node.children.append(child)
                frame.floor = nested[0]
                frame = _Frame(nested[1], child)
                stack.append(frame)
                break
            if current.end is not None or len(stack) == 1:
                raise not_expected(set_id, seg, origin.name)
            stack.pop()
            frame = stack[-1]
        table, floor, append = frame.loop.segments, frame.floor, frame.node.segments.append
    for open_frame in stack[1:]:
        if open_frame.loop.end is not None:
            first = open_frame.node.segments[0]
            raise X12StructureError(
                f"{first.id} has no matching {open_frame.loop.end} before the loop ends",
                position=first.position,
                segment_id=first.id,
            )
    return root


def _walk_all(node: HLNode, set_id: str) -> HLNode:
    node.body = walk(node.grammar.body, node.segments, set_id)
    for child in node.children:
        _walk_all(child, set_id)
    return node


def read_transaction(tx: Transaction, grammar: TransactionSet) -> list[HLNode]:
    """The root HL loops of one ST…SE transaction, checked against ``grammar``."""
    if tx.set_id != grammar.id:
        raise X12StructureError(
            f"ST01 is {tx.set_id!r}, expected a {grammar.id}",
            position=tx.header.position,
            segment_id="ST",
        )
    return [_walk_all(root, grammar.id) for root in build_hierarchy(tx.segments, grammar)]


def _element_problems(use: SegmentUse, seg: Segment, where: str) -> Iterator[str]:
    rep = seg.delimiters.repetition
    for element in use.elements:
        raw = seg.element(element.position)
        label = f"{where} {seg.id}{element.position:02d}"
        if not raw:
            if element.usage == "R":
                yield f"{label} is required"
            continue
        if element.usage == "N":
            yield f"{label} is not used"
        elif element.codes is not None:
            values = raw.split(rep) if rep is not None and rep in raw else [raw]
            if any(v not in element.codes for v in values):
                yield f"{label} holds a code outside the guide's list ({element.name})"


def check(node: Node) -> list[str]:
    """What a tree breaks of its grammar's element usage and code lists (required elements
    empty, not-used elements filled, codes outside a list): for checking what we write, since
    reading stays lenient. Messages name loop, segment and element, never values (PHI)."""
    problems: list[str] = []
    loop = node.loop
    for seg in node.segments:
        found = loop.segments.get(seg.id)
        use = found[1] if found is not None else loop.trigger
        if use is not None and use.id == seg.id:
            problems.extend(_element_problems(use, seg, loop.name))
    for child in node.children:
        problems.extend(check(child))
    return problems


def check_transaction(tx: Transaction, grammar: TransactionSet) -> list[str]:
    """Every problem ``check`` finds in one transaction (read through ``grammar``), the
    header's included."""
    header = {use.id: use for use in grammar.header}
    problems = [
        p
        for seg in tx.segments
        if seg.id in header
        for p in _element_problems(header[seg.id], seg, "header")
    ]

    def visit(node: HLNode) -> None:
        problems.extend(check(node.body))
        for child in node.children:
            visit(child)

    for root in read_transaction(tx, grammar):
        visit(root)
    return problems
