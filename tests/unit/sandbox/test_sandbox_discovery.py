"""The sandbox payer answers demographic 270s (no member id) for its roster, as the guide's
Name/Date of Birth Search Option says (005010X279A1 section 1.4.8; X12 RFI 1913)."""

from __future__ import annotations

from datetime import date

import pytest

from intake.discovery.ports import PayerCandidate
from intake.discovery.service import demographic_inquiry
from intake.x12.t270 import build_270
from intake.x12.t271.parse import parse_271
from intake_local.sandbox.payer import SandboxCatalog, SandboxPayer
from tests.unit.discovery.fakes import sample

SBX02 = PayerCandidate("SANDBOX HMO CARE", "SBX02", None, None, 1)


def answer(payer: SandboxPayer, **patient: object) -> tuple[list[str], str]:
    referral = sample("50-no-insurance-discovered.json", **patient)
    x270 = build_270(
        demographic_inquiry(referral, SBX02, "Sample", "1234567893", "T-1", date(2026, 12, 7))
    )
    read = parse_271(payer.respond_270(x270).x12)
    source = read.responses[0].sources[0]
    receiver = source.receivers[0]
    subscriber = receiver.subscribers[0]
    codes = [r.code for r in subscriber.rejections]
    return codes, subscriber.entity.id


def test_a_roster_member_found_by_name_and_birth_date_comes_back_with_the_member_id() -> None:
    """Given Lucia Ferreira (SBX02's roster), When asked without a member id, Then the 271 names
    her member id and carries no AAA."""
    assert answer(SandboxPayer()) == ([], "SBH000000250")


@pytest.mark.parametrize(
    "changed",
    [
        {"date_of_birth": "1969-04-23"},  # one day off: not her
        {"first_name": "Lucy"},  # another first name: the search option's field
        {"sex": "M"},  # gender sent and different
    ],
)
def test_no_match_on_the_search_fields_is_subscriber_not_found(changed: dict[str, str]) -> None:
    assert answer(SandboxPayer(), **changed)[0] == ["75"]


def test_a_payer_without_the_name_search_answers_the_missing_member_id() -> None:
    """RFI 1913: a payer that does not support the option answers an AAA naming the missing
    element: 72 Invalid/Missing Subscriber/Insured ID."""
    catalog = SandboxCatalog.load()
    payers = dict(catalog.payers)
    payers["SBX02"] = payers["SBX02"].model_copy(update={"name_dob_search": False})
    payer = SandboxPayer(catalog.model_copy(update={"payers": payers}))
    assert answer(payer)[0] == ["72"]
