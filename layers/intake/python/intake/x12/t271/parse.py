"""Parse a 005010X279A1 271 into its loops: the grammar's tree (``t271.grammar``) mapped to
``t271.loops``.

Every EB element is read by position and every optional element may be absent, so benefit
lines with EB09/EB10 quantities (visit limits) or EB13 procedures parse like any other (the
LinuxForHealth parser fails on them). Segments a loop cannot hold raise ``X12StructureError``
naming the segment, rather than being dropped.
"""

from __future__ import annotations

from intake.x12.envelope import Interchange, parse_interchange
from intake.x12.errors import X12StructureError
from intake.x12.hl import HLNode
from intake.x12.node import Node
from intake.x12.t271.grammar import T271
from intake.x12.t271.loops import (
    Benefit,
    MemberLoop,
    PartyLoop,
    Read271,
    RelatedEntity,
    Response271,
)
from intake.x12.tree import read_transaction
from intake.x12.values import Entity, Rejection, optional_decimal


def _party(tree: HLNode, loop: str) -> PartyLoop:
    party = PartyLoop(loop, tree.id)
    name = tree.body.loop.id
    for seg in tree.body.segments:
        sid = seg.id
        if sid == "NM1":
            party.entity = Entity.from_nm1(seg)
        elif sid == "AAA":
            party.rejections.append(Rejection.from_aaa(seg, name))
        else:
            party.other.append(seg)
    return party


_EB_WIDTH = 13
_BENEFIT_LISTS = {"DTP": "dates", "REF": "references", "HSD": "delivery", "III": "additional_info"}
"""The 2110 segments a ``Benefit`` keeps as read (the grammar admits no others but EB, MSG,
AAA and the LS loop), by the list they go to."""


def _benefit(node: Node) -> Benefit:
    seg = node.segments[0]
    e = seg.elements
    if len(e) < _EB_WIDTH:
        e = e + ("",) * (_EB_WIDTH - len(e))
    benefit = Benefit(
        eb=seg,
        code=e[0],
        coverage_level=e[1],
        service_types=tuple(seg.repeats(3)) if e[2] else (),
        insurance_type=e[3],
        plan_description=e[4],
        time_period=e[5],
        amount=optional_decimal(seg, 7) if e[6] else None,
        percent=optional_decimal(seg, 8) if e[7] else None,
        quantity_qualifier=e[8],
        quantity=optional_decimal(seg, 10) if e[9] else None,
        authorization=e[10],
        in_plan_network=e[11],
        procedure=tuple(seg.components(13)) if e[12] else (),
    )
    segments = node.segments
    if len(segments) == 1 and not node.children:  # most lines are a lone EB
        return benefit
    name = node.loop.id
    for seg in segments:
        sid = seg.id
        if sid == "EB":
            continue
        if sid == "MSG":
            benefit.messages.append(seg.element(1))
        elif sid == "AAA":
            benefit.rejections.append(Rejection.from_aaa(seg, name))
        else:
            getattr(benefit, _BENEFIT_LISTS[sid]).append(seg)
    for ls in node.children:
        for related in ls.children:
            benefit.related_entities.append(
                RelatedEntity(Entity.from_nm1(related.segments[0]), related.segments[1:])
            )
    return benefit


def _member(tree: HLNode, loop: str) -> MemberLoop:
    member = MemberLoop(loop, hl_id=tree.id)
    head = tree.body.loop.id
    for seg in tree.body.segments:
        if member.file(seg, head):
            continue
        sid = seg.id
        if sid == "TRN":
            member.trace_numbers.append(seg)
        elif sid in ("N3", "N4"):
            member.address.append(seg)
        elif sid == "DTP":
            member.dates.append(seg)
        else:
            member.other.append(seg)
    member.benefits = [_benefit(b) for b in tree.body.children]
    return member


def _response(interchange: Interchange) -> list[Response271]:
    responses: list[Response271] = []
    for tx in interchange.transactions():
        roots = read_transaction(tx, T271)
        if not roots:
            raise X12StructureError(
                "the 271 has no HL 20 information source loop",
                position=tx.trailer.position,
                segment_id="SE",
            )
        sources: list[PartyLoop] = []
        for root in roots:
            source = _party(root, "A")
            for rnode in root.children:
                receiver = _party(rnode, "B")
                for snode in rnode.children:
                    subscriber = _member(snode, "C")
                    subscriber.dependents = [_member(d, "D") for d in snode.children]
                    receiver.subscribers.append(subscriber)
                source.receivers.append(receiver)
            sources.append(source)
        bht = tx.segments[0] if tx.segments and tx.segments[0].id == "BHT" else None
        responses.append(Response271(tx.control_number, tx.implementation, bht, sources))
    return responses


def parse_271(text: str, *, strict: bool = False) -> Read271:
    """Parse a 271 interchange into loops.

    ``strict=False`` (the default) accepts control-number mismatches as warnings: the benefit
    content is intact and a verification should not fail over a sender's numbering bug.
    Counts, structure and values are always checked.
    """
    interchange = parse_interchange(text, strict=strict)
    isa12 = interchange.header.element(12).strip()
    for group in interchange.groups:
        version = group.header.element(8).strip()
        if version != X279:
            interchange.warnings.append(
                f"GS08 {version or '(empty)'} is not {X279}: read with the 005010X279A1 "
                "grammar (an older or other guide's 271; check any figure it gives)"
            )
        elif isa12 != ISA12_5010:
            interchange.warnings.append(
                f"ISA12 {isa12 or '(empty)'} is not {ISA12_5010}, the only interchange version "
                f"{X279} allows, under a GS08 {X279} group: the sender's envelope disagrees "
                "with itself (the content is read as the group says)"
            )
    return Read271(interchange, _response(interchange))


X279 = "005010X279A1"
ISA12_5010 = "00501"
"""X279A1 ISA12 Interchange Control Version Number: its one code, 00501 (Standards Approved for
Publication by ASC X12 Procedures Review Board through October 2003)."""
