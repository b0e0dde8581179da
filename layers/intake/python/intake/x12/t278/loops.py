"""The loops of a 278 (request, inquiry or response) as plain typed data.

One reader serves all three because they share the hierarchy: 2000A UMO (HL 20), 2000B
requester (21), 2000C subscriber (22), 2000D dependent (23), 2000E patient event (EV) and
2000F service (SS). What differs is which segments are filled in (HCR only in responses).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from intake.x12.envelope import Interchange
from intake.x12.segments import Segment
from intake.x12.values import Entity, PersonLoop, Rejection


@dataclass(slots=True)
class PartyLoop:
    """2000A/2000B (and 2010EA providers): the NM1 with what follows it."""

    loop: str
    entity: Entity | None = None
    segments: list[Segment] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)


@dataclass(slots=True)
class MemberLoop278(PersonLoop):
    """2000C subscriber or 2000D dependent."""


@dataclass(slots=True)
class Review:
    """The review segments 2000E and 2000F share: traces, UM, HCR, REF, DTP, HSD, MSG."""

    hl_id: str
    traces: list[Segment] = field(default_factory=list)
    um: Segment | None = None
    hcr: Segment | None = None
    references: list[Segment] = field(default_factory=list)
    dates: list[Segment] = field(default_factory=list)
    delivery: list[Segment] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    other: list[Segment] = field(default_factory=list)

    def reference(self, qualifier: str) -> str:
        return next((r.element(2) for r in self.references if r.element(1) == qualifier), "")

    def trace(self, kind: str) -> Segment | None:
        """TRN01 ``1`` (the sender's trace) or ``2`` (a trace echoed back)."""
        return next((t for t in self.traces if t.element(1) == kind), None)


@dataclass(slots=True)
class ServiceLoop(Review):
    """2000F: one requested service line (SV1/SV2/SV3) and, in a response, its decision."""

    service: Segment | None = None


@dataclass(slots=True)
class EventLoop(Review):
    """2000E patient event with its diagnoses, 2010EA providers and 2000F services."""

    diagnoses: list[tuple[str, str]] = field(default_factory=list)
    """(qualifier, code) from HI: ABK principal, ABF other (BK/BF for ICD-9)."""
    paperwork: list[Segment] = field(default_factory=list)
    providers: list[PartyLoop] = field(default_factory=list)
    services: list[ServiceLoop] = field(default_factory=list)


@dataclass(slots=True)
class Transaction278:
    """One ST…SE 278: the parties and the patient events."""

    control_number: str
    implementation: str
    bht: Segment | None
    umo: PartyLoop
    requester: PartyLoop | None = None
    subscriber: MemberLoop278 | None = None
    dependent: MemberLoop278 | None = None
    events: list[EventLoop] = field(default_factory=list)

    @property
    def is_response(self) -> bool:
        """BHT02 11 (response) versus 13 (request)."""
        return self.bht is not None and self.bht.element(2) == "11"

    @property
    def is_inquiry(self) -> bool:
        """A 005010X215 status inquiry (or its response), not an X217 review request."""
        return self.implementation.startswith("005010X215")

    @property
    def patient(self) -> MemberLoop278 | None:
        return self.dependent or self.subscriber


@dataclass(frozen=True, slots=True)
class Read278:
    """A parsed 278 interchange: the envelope and its transactions."""

    interchange: Interchange
    transactions: list[Transaction278]

    @property
    def warnings(self) -> list[str]:
        return self.interchange.warnings
