"""Read a 270 back into plain data: for round-trip tests and for the sandbox payer, which must
answer whatever a client sends (so this reader accepts any valid 270, not only ours)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from intake.x12.envelope import EnvelopeParties, Interchange, parse_interchange
from intake.x12.errors import X12StructureError
from intake.x12.hl import DEPENDENT, SUBSCRIBER, HLNode
from intake.x12.segments import Segment
from intake.x12.t270.grammar import T270
from intake.x12.tree import read_transaction
from intake.x12.values import Entity, date_period, optional_date


@dataclass(frozen=True, slots=True)
class InquiredPerson:
    """A subscriber or dependent as the 270 names them."""

    entity: Entity
    dob: date | None
    sex: str
    relationship_code: str
    trace_numbers: tuple[str, ...]
    trace_originators: tuple[str, ...]
    service_types: tuple[str, ...]
    service_date: date | None
    group_number: str

    @property
    def member_id(self) -> str:
        return self.entity.id if self.entity.id_qualifier in ("MI", "II") else ""


@dataclass(frozen=True, slots=True)
class ParsedInquiry:
    """One patient asked about in a 270, with the payer and provider above them."""

    control_number: str
    bht_reference: str
    parties: EnvelopeParties
    payer: Entity
    provider: Entity
    subscriber: InquiredPerson
    dependent: InquiredPerson | None

    @property
    def patient(self) -> InquiredPerson:
        return self.dependent or self.subscriber

    @property
    def trace_number(self) -> str:
        traces = self.patient.trace_numbers or self.subscriber.trace_numbers
        return traces[0] if traces else ""

    @property
    def service_types(self) -> tuple[str, ...]:
        return self.patient.service_types or self.subscriber.service_types


def _name(tree: HLNode, loop: str) -> Entity:
    for seg in tree.body.segments:
        if seg.id == "NM1":
            return Entity.from_nm1(seg)
    raise X12StructureError(
        f"270 loop {loop} has no NM1 name", position=tree.hl.position, segment_id="HL"
    )


def _person(node: HLNode, loop: str) -> InquiredPerson:
    dob: date | None = None
    sex = relationship = group = ""
    traces: list[str] = []
    originators: list[str] = []
    service_types: list[str] = []
    service_date: date | None = None
    for seg in node.body.segments:
        sid = seg.id
        if sid == "TRN":
            traces.append(seg.element(2))
            originators.append(seg.element(3))
        elif sid == "DMG":
            dob = optional_date(seg, 2)
            sex = seg.element(3)
        elif sid == "INS":
            relationship = seg.element(2)
        elif sid == "REF" and seg.element(1) in ("6P", "18"):
            group = group or seg.element(2)
        elif sid == "DTP" and seg.element(1) in ("291", "307", "472"):
            service_date = service_date or date_period(seg, 2, 3)[0]
        elif sid == "EQ":
            service_types.extend(seg.repeats(1))
    return InquiredPerson(
        _name(node, loop),
        dob,
        sex,
        relationship,
        tuple(traces),
        tuple(originators),
        tuple(service_types),
        service_date,
        group,
    )


def _inquiries(interchange: Interchange) -> list[ParsedInquiry]:
    parties = EnvelopeParties.from_interchange(interchange)
    out: list[ParsedInquiry] = []
    for tx in interchange.transactions():
        roots = read_transaction(tx, T270)
        bht: Segment | None = next((s for s in tx.segments if s.id == "BHT"), None)
        for source in roots:
            payer = _name(source, "2100A")
            for receiver in source.children:
                provider = _name(receiver, "2100B")
                for sub_node in receiver.children:
                    if sub_node.level != SUBSCRIBER:
                        continue
                    subscriber = _person(sub_node, "2100C")
                    deps = [c for c in sub_node.children if c.level == DEPENDENT]
                    common = (
                        tx.control_number,
                        bht.element(3) if bht else "",
                        parties,
                        payer,
                        provider,
                        subscriber,
                    )
                    if not deps:
                        out.append(ParsedInquiry(*common, None))
                    out.extend(ParsedInquiry(*common, _person(d, "2100D")) for d in deps)
    return out


def read_270(text: str, *, strict: bool = True) -> list[ParsedInquiry]:
    """Every patient inquiry in a 270 interchange (usually one)."""
    return _inquiries(parse_interchange(text, strict=strict))
