"""Parse a 005010X279A1 271 into its loops.

Every EB element is read by position and every optional element may be absent, so benefit
lines with EB09/EB10 quantities (visit limits) or EB13 procedures parse like any other (the
LinuxForHealth parser fails on them). Segments a loop cannot hold raise ``X12StructureError``
naming the segment, rather than being dropped.
"""

from __future__ import annotations

from intake.x12.envelope import Interchange, parse_interchange
from intake.x12.errors import X12StructureError
from intake.x12.hl import DEPENDENT, RECEIVER, SUBSCRIBER, HLNode, build_hierarchy
from intake.x12.segments import Segment
from intake.x12.t271.loops import (
    Benefit,
    MemberLoop,
    PartyLoop,
    Read271,
    Rejection,
    RelatedEntity,
    Response271,
)
from intake.x12.values import Entity, optional_date, optional_decimal

_HEADER = frozenset({"BHT"})
_SOURCE_IDS = frozenset({"NM1", "PER", "AAA"})
_RECEIVER_IDS = frozenset({"NM1", "REF", "N3", "N4", "AAA", "PRV"})
_MEMBER_IDS = frozenset(
    {"TRN", "NM1", "REF", "N3", "N4", "AAA", "PRV", "DMG", "INS", "HI", "DTP", "MPI"}
)
_BENEFIT_IDS = frozenset({"EB", "HSD", "REF", "DTP", "AAA", "MSG", "III", "LS"})
_RELATED_IDS = frozenset({"NM1", "N3", "N4", "PER", "PRV", "LE"})


def _not_expected(seg: Segment, loop: str) -> X12StructureError:
    return X12StructureError(
        f"not expected in 271 loop {loop}", position=seg.position, segment_id=seg.id
    )


def _rejection(seg: Segment, loop: str) -> Rejection:
    valid = seg.element(1)
    return Rejection(
        loop,
        True if valid == "Y" else False if valid == "N" else None,
        seg.element(3),
        seg.element(4),
        seg.position,
    )


def _party(node: HLNode, loop: str, allowed: frozenset[str]) -> PartyLoop:
    party = PartyLoop(loop, node.id)
    name = f"2100{loop}"
    for seg in node.segments:
        sid = seg.id
        if sid not in allowed:
            raise _not_expected(seg, name)
        if sid == "NM1":
            if party.entity is not None:
                raise _not_expected(seg, name + " (a second NM1)")
            party.entity = Entity.from_nm1(seg)
        elif sid == "AAA":
            party.rejections.append(_rejection(seg, name))
        else:
            party.other.append(seg)
    return party


_EB_WIDTH = 13


def _benefit(seg: Segment) -> Benefit:
    e = seg.elements
    if len(e) < _EB_WIDTH:
        e = e + ("",) * (_EB_WIDTH - len(e))
    return Benefit(
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


def _member_header(member: MemberLoop, seg: Segment, loop: str) -> None:
    sid = seg.id
    if sid not in _MEMBER_IDS:
        raise _not_expected(seg, loop)
    if sid == "NM1":
        if member.entity is not None:
            raise _not_expected(seg, loop + " (a second NM1)")
        member.entity = Entity.from_nm1(seg)
    elif sid == "TRN":
        member.trace_numbers.append(seg)
    elif sid == "REF":
        member.references.append(seg)
    elif sid in ("N3", "N4"):
        member.address.append(seg)
    elif sid == "DMG":
        if seg.element(1) == "D8":
            member.dob = optional_date(seg, 2)
        member.sex = seg.element(3)
    elif sid == "INS":
        member.relationship = seg.element(2)
    elif sid == "DTP":
        member.dates.append(seg)
    elif sid == "AAA":
        member.rejections.append(_rejection(seg, loop))
    else:
        member.other.append(seg)


def _member(node: HLNode, loop: str) -> MemberLoop:
    member = MemberLoop(loop, node.id)
    head = f"2100{loop}"
    detail = f"2110{loop}"
    benefit: Benefit | None = None
    related: RelatedEntity | None = None
    open_ls: Segment | None = None
    for seg in node.segments:
        sid = seg.id
        if open_ls is not None:
            if sid not in _RELATED_IDS:
                raise _not_expected(seg, f"2120{loop} (inside LS…LE)")
            if sid == "LE":
                open_ls = None
                related = None
            elif sid == "NM1":
                related = RelatedEntity(Entity.from_nm1(seg))
                benefit.related_entities.append(related)  # type: ignore[union-attr]
            elif related is None:
                raise _not_expected(seg, f"2120{loop} before its NM1")
            else:
                related.segments.append(seg)
            continue
        if sid == "EB":
            benefit = _benefit(seg)
            member.benefits.append(benefit)
            continue
        if benefit is None:
            _member_header(member, seg, head)
            continue
        if sid not in _BENEFIT_IDS:
            raise _not_expected(seg, detail)
        if sid == "MSG":
            benefit.messages.append(seg.element(1))
        elif sid == "AAA":
            benefit.rejections.append(_rejection(seg, detail))
        elif sid == "DTP":
            benefit.dates.append(seg)
        elif sid == "REF":
            benefit.references.append(seg)
        elif sid == "HSD":
            benefit.delivery.append(seg)
        elif sid == "III":
            benefit.additional_info.append(seg)
        else:  # LS
            open_ls = seg
    if open_ls is not None:
        raise X12StructureError(
            "LS has no matching LE before the loop ends",
            position=open_ls.position,
            segment_id="LS",
        )
    return member


def _check_level(node: HLNode, expected: str, loop: str) -> None:
    if node.level != expected:
        raise X12StructureError(
            f"HL level {node.level} cannot sit under loop {loop}",
            position=node.hl.position,
            segment_id="HL",
        )


def _response(interchange: Interchange) -> list[Response271]:
    responses: list[Response271] = []
    for tx in interchange.transactions():
        if tx.set_id != "271":
            raise X12StructureError(
                f"ST01 is {tx.set_id!r}, expected a 271",
                position=tx.header.position,
                segment_id="ST",
            )
        roots = build_hierarchy(tx.segments, _HEADER)
        if not roots:
            raise X12StructureError(
                "the 271 has no HL 20 information source loop",
                position=tx.trailer.position,
                segment_id="SE",
            )
        sources: list[PartyLoop] = []
        for root in roots:
            source = _party(root, "A", _SOURCE_IDS)
            for rnode in root.children:
                _check_level(rnode, RECEIVER, "2000A")
                receiver = _party(rnode, "B", _RECEIVER_IDS)
                for snode in rnode.children:
                    _check_level(snode, SUBSCRIBER, "2000B")
                    subscriber = _member(snode, "C")
                    for dnode in snode.children:
                        _check_level(dnode, DEPENDENT, "2000C")
                        subscriber.dependents.append(_member(dnode, "D"))
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
    return Read271(interchange, _response(interchange))
