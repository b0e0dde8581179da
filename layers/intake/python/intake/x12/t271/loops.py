"""The loops of a 005010X279A1 271, as plain typed data.

Plain slotted dataclasses (not pydantic) because a 271 is parsed on every verification and
these objects live only until the domain ``BenefitsSummary`` is made from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from intake.x12.envelope import Interchange
from intake.x12.segments import Segment
from intake.x12.values import Entity, PersonLoop, Rejection

__all__ = [
    "Benefit",
    "MemberLoop",
    "PartyLoop",
    "Read271",
    "Rejection",
    "RelatedEntity",
    "Response271",
]


@dataclass(slots=True)
class RelatedEntity:
    """Loop 2120C/2120D (between LS*2120 and LE*2120): e.g. the PCP or another payer."""

    entity: Entity
    segments: list[Segment] = field(default_factory=list)


@dataclass(slots=True)
class Benefit:
    """Loop 2110C/2110D: one EB segment and what qualifies it."""

    eb: Segment
    code: str
    coverage_level: str
    service_types: tuple[str, ...]
    insurance_type: str
    plan_description: str
    time_period: str
    amount: Decimal | None
    percent: Decimal | None
    quantity_qualifier: str
    quantity: Decimal | None
    authorization: str
    in_plan_network: str
    procedure: tuple[str, ...]
    delivery: list[Segment] = field(default_factory=list)
    references: list[Segment] = field(default_factory=list)
    dates: list[Segment] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    additional_info: list[Segment] = field(default_factory=list)
    related_entities: list[RelatedEntity] = field(default_factory=list)


@dataclass(slots=True)
class MemberLoop(PersonLoop):
    """Loop 2000C (subscriber, HL 22) or 2000D (dependent, HL 23) with 2100 and 2110 loops;
    ``loop`` is "C" or "D"."""

    hl_id: str = ""
    trace_numbers: list[Segment] = field(default_factory=list)
    address: list[Segment] = field(default_factory=list)
    dates: list[Segment] = field(default_factory=list)
    benefits: list[Benefit] = field(default_factory=list)
    dependents: list[MemberLoop] = field(default_factory=list)

    def reference(self, *qualifiers: str) -> str:
        """First REF02 with one of the REF01 qualifiers (e.g. 6P group number)."""
        for ref in self.references:
            if ref.element(1) in qualifiers:
                return ref.element(2)
        return ""


@dataclass(slots=True)
class PartyLoop:
    """Loop 2000A (information source: the payer) or 2000B (information receiver)."""

    loop: str  # "A" or "B"
    hl_id: str
    entity: Entity | None = None
    rejections: list[Rejection] = field(default_factory=list)
    other: list[Segment] = field(default_factory=list)
    receivers: list[PartyLoop] = field(default_factory=list)
    subscribers: list[MemberLoop] = field(default_factory=list)


@dataclass(slots=True)
class Response271:
    """One ST*271 transaction."""

    control_number: str
    implementation: str
    bht: Segment | None
    sources: list[PartyLoop]


@dataclass(slots=True)
class Read271:
    """A whole 271 interchange: its transactions and any envelope warnings."""

    interchange: Interchange
    responses: list[Response271]

    @property
    def warnings(self) -> list[str]:
        return self.interchange.warnings
