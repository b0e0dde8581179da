"""Parse a 278 (X217 request or response, X215 inquiry or response) into its loops: the
grammar's tree (``t278.grammar``) mapped to ``t278.loops``.

The HL hierarchy is checked (each level under the one the TR3 allows), segments a loop cannot
hold raise ``X12StructureError`` naming the segment, and element values are read by position
so optional elements may be absent. Messages never quote values: 278s carry PHI.
"""

from __future__ import annotations

from collections.abc import Iterator

from intake.x12.envelope import parse_interchange
from intake.x12.errors import X12StructureError
from intake.x12.hl import DEPENDENT, EVENT, HLNode
from intake.x12.segments import Segment
from intake.x12.t278.grammar import SERVICE_IDS, T278
from intake.x12.t278.loops import (
    EventLoop,
    MemberLoop278,
    PartyLoop,
    Read278,
    Review,
    ServiceLoop,
    Transaction278,
)
from intake.x12.tree import read_transaction
from intake.x12.values import Entity, Rejection


def _party(segments: list[Segment], loop: str, entity: Entity | None = None) -> PartyLoop:
    party = PartyLoop(loop, entity)
    for seg in segments:
        if seg.id == "NM1":
            party.entity = Entity.from_nm1(seg)
        elif seg.id == "AAA":
            party.rejections.append(Rejection.from_aaa(seg, loop))
        else:
            party.segments.append(seg)
    return party


def _member(tree: HLNode) -> MemberLoop278:
    loop = tree.body.loop.id
    member = MemberLoop278(loop)
    for seg in tree.body.segments:
        if not member.file(seg, loop):
            member.other.append(seg)
    return member


_REVIEW_LISTS = {"TRN": "traces", "REF": "references", "DTP": "dates", "HSD": "delivery"}
"""Segments both review loops (2000E, 2000F) keep as read, by the list they go to."""


def _review_segment(review: Review, seg: Segment, loop: str) -> bool:
    """File a segment both review loops share; False when it is not one of them."""
    sid = seg.id
    kept = _REVIEW_LISTS.get(sid)
    if kept is not None:
        getattr(review, kept).append(seg)
    elif sid == "UM":
        review.um = seg
    elif sid == "HCR":
        review.hcr = seg
    elif sid == "MSG":
        review.messages.append(seg.element(1))
    elif sid == "AAA":
        review.rejections.append(Rejection.from_aaa(seg, loop))
    else:
        return False
    return True


def _own_segments(review: Review, tree: HLNode, loop: str) -> Iterator[Segment]:
    """The loop's segments after filing those both review loops share (``_review_segment``)."""
    for seg in tree.body.segments:
        if not _review_segment(review, seg, loop):
            yield seg


def _service(tree: HLNode) -> ServiceLoop:
    service = ServiceLoop(tree.id)
    for seg in _own_segments(service, tree, "2000F"):
        if seg.id in SERVICE_IDS:
            service.service = seg
        else:
            service.other.append(seg)
    return service


def _event(tree: HLNode) -> EventLoop:
    event = EventLoop(tree.id)
    for seg in _own_segments(event, tree, "2000E"):
        if seg.id == "HI":
            for n in range(1, len(seg) + 1):
                qualifier, code = seg.component(n, 1), seg.component(n, 2)
                if qualifier and code:
                    event.diagnoses.append((qualifier, code))
        elif seg.id == "PWK":
            event.paperwork.append(seg)
        else:
            event.other.append(seg)
    event.providers = [
        _party(p.segments[1:], "2010EA", Entity.from_nm1(p.segments[0])) for p in tree.body.children
    ]
    event.services = [_service(child) for child in tree.children]
    return event


def _events(patient: HLNode) -> list[EventLoop]:
    return [_event(c) for c in patient.children if c.level == EVENT]


def _transaction(roots: list[HLNode], tx: Transaction278) -> None:
    root = roots[0]
    tx.umo = _party(root.body.segments, "2000A")
    for rnode in root.children:
        tx.requester = _party(rnode.body.segments, "2000B")
        for snode in rnode.children:
            tx.subscriber = _member(snode)
            tx.events.extend(_events(snode))
            for dnode in snode.children:
                if dnode.level == DEPENDENT:
                    tx.dependent = _member(dnode)
                    tx.events.extend(_events(dnode))


def parse_278(text: str, *, strict: bool = False) -> Read278:
    """Parse a 278 interchange into loops.

    ``strict=False`` accepts count and control-number mismatches as warnings (as for 271s);
    hierarchy and values are always checked.
    """
    interchange = parse_interchange(text, strict=strict)
    transactions = []
    for raw in interchange.transactions():
        roots = read_transaction(raw, T278)
        if len(roots) != 1:
            raise X12StructureError(
                "a 278 has exactly one UMO loop (HL 20)",
                position=raw.trailer.position,
                segment_id="SE",
            )
        body = raw.segments
        bht = body[0] if body and body[0].id == "BHT" else None
        tx = Transaction278(raw.control_number, raw.implementation, bht, PartyLoop("2000A"))
        _transaction(roots, tx)
        transactions.append(tx)
    return Read278(interchange, transactions)
