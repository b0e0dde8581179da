"""Prior authorization for home infusion: is it required, and the packet that asks for it.

``decide_prior_auth`` (policy), ``build_packet`` (PDF + X12 278 + Da Vinci PAS Bundle),
``build_appeal_pdf`` after a denial, and ``status_inquiry`` for the poller's 278 inquiry.
"""

from intake.authorization.packet.appeal import build_appeal_pdf
from intake.authorization.packet.models import Packet, Pharmacy, RequestedService
from intake.authorization.packet.packet import build_packet
from intake.authorization.packet.pas import (
    PasValidationError,
    build_pas_bundle,
    validate_pas_bundle,
)
from intake.authorization.packet.request278 import review_request, status_inquiry
from intake.authorization.policy import POLICY_UNKNOWN, PaDecision, decide_prior_auth

__all__ = [
    "POLICY_UNKNOWN",
    "PaDecision",
    "Packet",
    "PasValidationError",
    "Pharmacy",
    "RequestedService",
    "build_appeal_pdf",
    "build_packet",
    "build_pas_bundle",
    "decide_prior_auth",
    "review_request",
    "status_inquiry",
    "validate_pas_bundle",
]
