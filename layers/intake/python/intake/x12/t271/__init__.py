"""005010X279A1 271 eligibility response: loops, parser and builder."""

from intake.x12.t271.build import (
    Answer271,
    BenefitSpec,
    MemberEcho,
    RejectionSpec,
    RelatedEntitySpec,
    build_271,
    build_271_body,
)
from intake.x12.t271.loops import (
    Benefit,
    MemberLoop,
    PartyLoop,
    Read271,
    Rejection,
    RelatedEntity,
    Response271,
)
from intake.x12.t271.parse import parse_271

__all__ = [
    "Answer271",
    "Benefit",
    "BenefitSpec",
    "MemberEcho",
    "MemberLoop",
    "PartyLoop",
    "Read271",
    "Rejection",
    "RejectionSpec",
    "RelatedEntity",
    "RelatedEntitySpec",
    "Response271",
    "build_271",
    "build_271_body",
    "parse_271",
]
