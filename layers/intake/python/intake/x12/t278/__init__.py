"""278 health care services review: X217 request, X215 status inquiry, response, decision."""

from intake.x12.t278.appeal import build_278_appeal
from intake.x12.t278.build import (
    IMPLEMENTATION_278,
    IMPLEMENTATION_278_INQUIRY,
    build_278_inquiry,
    build_278_request,
)
from intake.x12.t278.decision import (
    AuthDecision,
    AuthStatus,
    LineDecision,
    interpret_278,
    interpret_278_response,
)
from intake.x12.t278.loops import EventLoop, Read278, ServiceLoop, Transaction278
from intake.x12.t278.parse import parse_278
from intake.x12.t278.request import (
    DeliveryPattern,
    Diagnosis,
    Member,
    Party,
    ReviewRequest,
    ServiceLine,
    StatusInquiry,
)
from intake.x12.t278.response import Answer278, LineAnswer, build_278_response

__all__ = [
    "IMPLEMENTATION_278",
    "IMPLEMENTATION_278_INQUIRY",
    "Answer278",
    "AuthDecision",
    "AuthStatus",
    "DeliveryPattern",
    "Diagnosis",
    "EventLoop",
    "LineAnswer",
    "LineDecision",
    "Member",
    "Party",
    "Read278",
    "ReviewRequest",
    "ServiceLine",
    "ServiceLoop",
    "StatusInquiry",
    "Transaction278",
    "build_278_appeal",
    "build_278_inquiry",
    "build_278_request",
    "build_278_response",
    "interpret_278",
    "interpret_278_response",
    "parse_278",
]
