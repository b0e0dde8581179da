"""Discovery's rules as data (intake/data/discovery.json): AAA meanings, the search, the MBI."""

from __future__ import annotations

import pytest

from intake.discovery.rules import (
    aaa_meaning,
    answer_for,
    demographic_fields,
    is_mbi,
    member_not_found,
    rules,
)
from intake.eligibility.benefits.codes import REJECT_REASONS
from intake.models.discovery import InquiryAnswer


def test_every_aaa_rule_names_its_code_as_x12_901_does() -> None:
    """The rule table is keyed by X12 element 901 codes: a typo in a code or its name would
    silently classify the wrong rejection, so each name must be the code list's."""
    table = {k: v for k, v in rules()["aaa"].items() if not k.startswith("_")}
    assert table, "no AAA rules"
    assert {code: entry["name"] for code, entry in table.items()} == {
        code: REJECT_REASONS[code] for code in table
    }
    assert "005010X279A1" in rules()["aaa"]["_source"]


@pytest.mark.parametrize(
    ("code", "with_member_id", "demographic"),
    [
        # Given 75 Subscriber/Insured Not Found: this payer has no such person either way
        ("75", InquiryAnswer.NOT_FOUND, InquiryAnswer.NOT_FOUND),
        # 72 Invalid/Missing Subscriber/Insured ID: a wrong card id is fixed by a person, but
        # with no id sent it means the payer does not take the name/DOB search (RFI 1913)
        ("72", InquiryAnswer.FIX_REQUEST, InquiryAnswer.SEARCH_UNSUPPORTED),
        # 71 DOB does not match the payer's: what we sent is wrong, never another payer
        ("71", InquiryAnswer.FIX_REQUEST, InquiryAnswer.FIX_REQUEST),
        # 76 Duplicate Subscriber/Insured ID: more than one person matches
        ("76", InquiryAnswer.AMBIGUOUS, InquiryAnswer.AMBIGUOUS),
        ("42", InquiryAnswer.RETRY_LATER, InquiryAnswer.RETRY_LATER),
        # A code with no rule (33 Input Errors is a 2110 code) is unknown, not a guess
        ("33", InquiryAnswer.UNKNOWN, InquiryAnswer.UNKNOWN),
    ],
)
def test_an_aaa_code_means_what_the_guide_says_for_the_search_that_was_sent(
    code: str, with_member_id: InquiryAnswer, demographic: InquiryAnswer
) -> None:
    """When a 271 rejects, Then the meaning depends on whether the 270 carried a member id."""
    assert aaa_meaning(code, demographic=False) is with_member_id
    assert aaa_meaning(code, demographic=True) is demographic


def test_the_most_telling_answer_wins_when_a_271_has_several_aaa() -> None:
    """Given AAA 75 with AAA 71 (DOB mismatch), Then the request needs fixing: asking another
    payer with the same wrong birth date would spend money on a guess."""
    assert answer_for(["75", "71"], demographic=True) is InquiryAnswer.FIX_REQUEST
    assert answer_for(["75"], demographic=True) is InquiryAnswer.NOT_FOUND
    assert answer_for([], demographic=True) is InquiryAnswer.UNKNOWN


@pytest.mark.parametrize(
    ("codes", "other_payers"),
    [
        (["75"], True),  # not found: discovery
        (["67"], True),  # patient not found: discovery
        (["75", "72"], False),  # a bad id too: a person fixes the card first
        (["77"], False),  # subscriber found, patient not on the policy: a person checks
        (["15"], False),  # required data missing: fix the request
        ([], False),
    ],
)
def test_only_a_clean_not_found_on_the_card_sends_discovery_to_other_payers(
    codes: list[str], other_payers: bool
) -> None:
    assert member_not_found(codes) is other_payers


def test_the_demographic_search_sends_the_option_fields_and_adds_only_what_is_known() -> None:
    """Given the Name/Date of Birth option (last, first, DOB), gender and address are added
    when the referral has them; a member id is never part of it."""
    assert demographic_fields(has_sex=True, has_address=True) == [
        "last_name",
        "first_name",
        "date_of_birth",
        "gender",
        "address",
    ]
    assert demographic_fields(has_sex=False, has_address=False) == [
        "last_name",
        "first_name",
        "date_of_birth",
    ]


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("1EG4-TE5-MK73", True),  # CMS's own example, with the card's dashes
        ("1eg4te5mk73", True),  # lower case is read as upper case (CMS)
        ("0EG4TE5MK73", False),  # position 1 is 1-9
        ("1SG4TE5MK73", False),  # S is never used
        ("1EG4TE5MK7", False),  # 10 characters
        ("1E44TE5MK73", True),  # position 3 may be a digit
        ("1EGATE5MK73", False),  # position 4 is numeric
        ("1EG4TE5MO73", False),  # O is never used (position 9)
        ("SBR000000131", False),  # the sandbox's Medicare ids are not MBIs
    ],
)
def test_mbi_format_is_checked_position_by_position(value: str, valid: bool) -> None:
    """The MBI's format from CMS ('Understanding the MBI Format'): C A AN N A AN N A A N N,
    letters without S, L, O, I, B, Z."""
    assert is_mbi(value) is valid
