"""Parse a 278 (X217 request or response, X215 inquiry or response) into its loops.

The HL hierarchy is checked (each level under the one the TR3 allows), segments a loop cannot
hold raise ``X12StructureError`` naming the segment, and element values are read by position
so optional elements may be absent. Messages never quote values: 278s carry PHI.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from intake.x12.envelope import parse_interchange
from intake.x12.errors import X12StructureError
from intake.x12.segments import Segment
from intake.x12.t278.loops import (
    EventLoop,
    MemberLoop278,
    PartyLoop,
    Read278,
    Rejection278,
    Review,
    ServiceLoop,
    Transaction278,
)
from intake.x12.values import Entity, optional_date

UMO, REQUESTER, SUBSCRIBER, DEPENDENT, EVENT, SERVICE = "20", "21", "22", "23", "EV", "SS"
_PARENTS: dict[str, tuple[str, ...]] = {
    UMO: (),
    REQUESTER: (UMO,),
    SUBSCRIBER: (REQUESTER,),
    DEPENDENT: (SUBSCRIBER,),
    EVENT: (SUBSCRIBER, DEPENDENT),
    SERVICE: (EVENT,),
}
_LOOPS = {
    UMO: "2000A",
    REQUESTER: "2000B",
    SUBSCRIBER: "2000C",
    DEPENDENT: "2000D",
    EVENT: "2000E",
    SERVICE: "2000F",
}
_PARTY_IDS = frozenset({"NM1", "REF", "N3", "N4", "PER", "PRV", "AAA"})
_MEMBER_IDS = frozenset({"NM1", "REF", "N3", "N4", "DMG", "INS", "AAA"})
_REVIEW_IDS = frozenset(
    {
        "TRN",
        "AAA",
        "UM",
        "HCR",
        "REF",
        "DTP",
        "HSD",
        "MSG",
        "PWK",
        "CRC",
        "CL1",
        "CR1",
        "CR2",
        "CR4",
        "CR5",
        "CR6",
        "CR7",
        "CR8",
        "HI",
        "PRV",
    }
)
_SERVICE_IDS = _REVIEW_IDS | {"SV1", "SV2", "SV3", "TOO"}
_PROVIDER_IDS = frozenset({"NM1", "REF", "N3", "N4", "PER", "PRV", "AAA"})


@dataclass(slots=True)
class _Node:
    hl: Segment
    segments: list[Segment] = field(default_factory=list)
    children: list[_Node] = field(default_factory=list)

    @property
    def level(self) -> str:
        return self.hl.element(3)


def _hierarchy(body: list[Segment]) -> list[_Node]:
    roots: list[_Node] = []
    by_id: dict[str, _Node] = {}
    current: _Node | None = None
    for seg in body:
        if seg.id != "HL":
            if current is None:
                if seg.id == "BHT":
                    continue
                raise X12StructureError(
                    "not expected before the first HL loop",
                    position=seg.position,
                    segment_id=seg.id,
                )
            current.segments.append(seg)
            continue
        node = _Node(seg)
        hl_id, parent_id, level = seg.element(1), seg.element(2), node.level
        if level not in _PARENTS:
            raise X12StructureError(
                f"HL03 level code {level!r} is not one a 278 uses (20, 21, 22, 23, EV, SS)",
                position=seg.position,
                segment_id="HL",
            )
        if not hl_id or hl_id in by_id:
            raise X12StructureError(
                "HL01 must be a unique id", position=seg.position, segment_id="HL"
            )
        allowed = _PARENTS[level]
        if not allowed:
            if parent_id:
                raise X12StructureError(
                    "the UMO HL (20) has no parent (HL02 must be empty)",
                    position=seg.position,
                    segment_id="HL",
                )
            roots.append(node)
        else:
            parent = by_id.get(parent_id)
            if parent is None or parent.level not in allowed:
                raise X12StructureError(
                    f"loop {_LOOPS[level]} (HL {level}) needs HL02 pointing to an earlier HL "
                    f"{' or '.join(allowed)}",
                    position=seg.position,
                    segment_id="HL",
                )
            parent.children.append(node)
        by_id[hl_id] = node
        current = node
    return roots


def _not_expected(seg: Segment, loop: str) -> X12StructureError:
    return X12StructureError(
        f"not expected in 278 loop {loop}", position=seg.position, segment_id=seg.id
    )


def _rejection(seg: Segment, loop: str) -> Rejection278:
    valid = seg.element(1)
    return Rejection278(
        loop,
        True if valid == "Y" else False if valid == "N" else None,
        seg.element(3),
        seg.element(4),
        seg.position,
    )


def _party(node: _Node, loop: str) -> PartyLoop:
    party = PartyLoop(loop)
    for seg in node.segments:
        if seg.id not in _PARTY_IDS:
            raise _not_expected(seg, loop)
        if seg.id == "NM1":
            if party.entity is not None:
                raise _not_expected(seg, loop + " (a second NM1)")
            party.entity = Entity.from_nm1(seg)
        elif seg.id == "AAA":
            party.rejections.append(_rejection(seg, loop))
        else:
            party.segments.append(seg)
    return party


def _member(node: _Node, loop: str) -> MemberLoop278:
    member = MemberLoop278(loop)
    for seg in node.segments:
        sid = seg.id
        if sid not in _MEMBER_IDS:
            raise _not_expected(seg, loop)
        if sid == "NM1":
            member.entity = Entity.from_nm1(seg)
        elif sid == "DMG":
            member.dob = optional_date(seg, 2) if seg.element(1) == "D8" else None
            member.sex = seg.element(3)
        elif sid == "INS":
            member.relationship = seg.element(2)
        elif sid == "REF":
            member.references.append(seg)
        elif sid == "AAA":
            member.rejections.append(_rejection(seg, loop))
        else:
            member.other.append(seg)
    return member


def _review_segment(review: Review, seg: Segment, loop: str) -> bool:
    """File a segment both review loops share; False when it is not one of them."""
    sid = seg.id
    if sid == "TRN":
        review.traces.append(seg)
    elif sid == "UM":
        review.um = seg
    elif sid == "HCR":
        review.hcr = seg
    elif sid == "REF":
        review.references.append(seg)
    elif sid == "DTP":
        review.dates.append(seg)
    elif sid == "HSD":
        review.delivery.append(seg)
    elif sid == "MSG":
        review.messages.append(seg.element(1))
    elif sid == "AAA":
        review.rejections.append(_rejection(seg, loop))
    else:
        return False
    return True


def _service(node: _Node) -> ServiceLoop:
    service = ServiceLoop(node.hl.element(1))
    for seg in node.segments:
        if seg.id not in _SERVICE_IDS:
            raise _not_expected(seg, "2000F")
        if _review_segment(service, seg, "2000F"):
            continue
        if seg.id in ("SV1", "SV2", "SV3", "TOO"):
            service.service = seg
        else:
            service.other.append(seg)
    return service


def _event(node: _Node) -> EventLoop:
    event = EventLoop(node.hl.element(1))
    provider: PartyLoop | None = None
    for seg in node.segments:
        if seg.id == "NM1":
            provider = PartyLoop("2010EA", Entity.from_nm1(seg))
            event.providers.append(provider)
            continue
        if provider is not None:
            if seg.id not in _PROVIDER_IDS:
                raise _not_expected(seg, "2010EA")
            if seg.id == "AAA":
                provider.rejections.append(_rejection(seg, "2010EA"))
            else:
                provider.segments.append(seg)
            continue
        if seg.id not in _REVIEW_IDS:
            raise _not_expected(seg, "2000E")
        if _review_segment(event, seg, "2000E"):
            continue
        if seg.id == "HI":
            for n in range(1, len(seg) + 1):
                qualifier, code = seg.component(n, 1), seg.component(n, 2)
                if qualifier and code:
                    event.diagnoses.append((qualifier, code))
        elif seg.id == "PWK":
            event.paperwork.append(seg)
        else:
            event.other.append(seg)
    for child in node.children:
        event.services.append(_service(child))
    return event


def _events(patient: _Node) -> list[EventLoop]:
    return [_event(c) for c in patient.children if c.level == EVENT]


def _transaction(
    control: str, implementation: str, body: list[Segment], trailer: Segment
) -> Transaction278:
    roots = _hierarchy(body)
    if len(roots) != 1:
        raise X12StructureError(
            "a 278 has exactly one UMO loop (HL 20)", position=trailer.position, segment_id="SE"
        )
    root = roots[0]
    bht = body[0] if body and body[0].id == "BHT" else None
    tx = Transaction278(control, implementation, bht, _party(root, "2000A"))
    for rnode in root.children:
        tx.requester = _party(rnode, "2000B")
        for snode in rnode.children:
            tx.subscriber = _member(snode, "2000C")
            tx.events.extend(_events(snode))
            for dnode in snode.children:
                if dnode.level == DEPENDENT:
                    tx.dependent = _member(dnode, "2000D")
                    tx.events.extend(_events(dnode))
    return tx


def parse_278(text: str, *, strict: bool = False) -> Read278:
    """Parse a 278 interchange into loops.

    ``strict=False`` accepts control-number mismatches as warnings (as for 271s); counts,
    hierarchy and values are always checked.
    """
    interchange = parse_interchange(text, strict=strict)
    transactions = []
    for tx in interchange.transactions():
        if tx.set_id != "278":
            raise X12StructureError(
                f"ST01 is {tx.set_id!r}, expected a 278",
                position=tx.header.position,
                segment_id="ST",
            )
        transactions.append(
            _transaction(tx.control_number, tx.implementation, tx.segments, tx.trailer)
        )
    return Read278(interchange, transactions)
