"""A payer's echo without diacritics is the same person as the referral's accented name."""

from __future__ import annotations

from datetime import date

from intake.eligibility.benefits.interpret import _mismatches
from intake.models.benefits import ExpectedPatient, PersonEcho


def test_accents_case_and_punctuation_do_not_make_a_mismatch() -> None:
    expected = ExpectedPatient(first_name="Sofía", last_name="Muñoz-O'Neil", dob=date(1990, 5, 17))
    echo = PersonEcho(first_name="SOFIA", last_name="MUNOZ ONEIL", dob=date(1990, 5, 17))
    assert _mismatches(expected, echo) == ()


def test_a_different_name_or_birth_date_is_still_a_mismatch() -> None:
    expected = ExpectedPatient(first_name="Bob", last_name="Johnson", dob=date(1949, 4, 15))
    echo = PersonEcho(first_name="ROBERT", last_name="JOHNSON", dob=date(1949, 4, 5))
    assert _mismatches(expected, echo) == ("first_name", "dob")
