"""A prior-authorization packet as the 278 tests need it: decided from the benefits given, with
no uploaded original (neither the 278 nor the PAS bundle carries it)."""

from __future__ import annotations

from typing import Any

from intake.authorization.packet import Packet, Pharmacy, build_packet, decide_prior_auth
from intake.models.benefits import BenefitsSummary
from intake.models.referral import Referral


def packet_for(
    referral: Referral, benefits: BenefitsSummary, pharmacy: Pharmacy, **options: Any
) -> Packet:
    """``build_packet`` with the decision ``decide_prior_auth`` makes from ``benefits``;
    ``options`` are build_packet's (now, trace_number, control_numbers…)."""
    return build_packet(
        referral,
        benefits,
        decide_prior_auth(referral, benefits),
        pharmacy=pharmacy,
        original_document=None,
        original_name="-",
        **options,
    )
