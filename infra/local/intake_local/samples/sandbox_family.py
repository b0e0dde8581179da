"""The sandbox payer's PPO family as 270 inputs: Ava Martinez (subscriber) and Lucas (her son).

One copy for the 270 builder tests, the sandbox payer tests and the X12 bench, so the values the
sandbox roster knows are written once.
"""

from __future__ import annotations

from datetime import date

from intake.models.referral import Relationship, Sex
from intake.x12.t270 import DependentInfo, EligibilityInquiry

LUCAS_MARTINEZ = DependentInfo(
    first_name="Lucas",
    last_name="Martinez",
    dob=date(2012, 7, 22),
    sex=Sex.MALE,
    relationship=Relationship.CHILD,
)


def ava_martinez_inquiry(trace_number: str = "REF-0001") -> EligibilityInquiry:
    """Ava Martinez's 270 to the sandbox PPO (SBX01) for a service on 2026-02-01."""
    return EligibilityInquiry(
        payer_name="Sandbox PPO Health Plan",
        payer_id="SBX01",
        provider_name="Sample Home Infusion",
        provider_npi="1234567893",
        subscriber={
            "first_name": "Ava",
            "last_name": "Martinez",
            "dob": "1978-03-14",
            "sex": "F",
            "member_id": "SBP000000101",
            "group_number": "SBXGRP100",
        },
        service_date=date(2026, 2, 1),
        trace_number=trace_number,
    )
