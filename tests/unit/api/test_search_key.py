"""The patient search key is a keyed hash (HMAC-SHA256), not a bare SHA-256."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

from intake.workspace.service import patient_key

KEY = b"k" * 48
DOB = date(1990, 5, 17)


def test_the_key_is_an_hmac_of_the_compared_name_and_the_birth_date() -> None:
    """Worked example: comparable_name("Nguyen") = "NGUYEN" (names compare upper-case), so
    the key is HMAC-SHA256(KEY, "NGUYEN|1990-05-17"); the bare SHA-256 of the same text (the
    old key, recovered by trying birth dates with common names) is not it."""
    import hmac

    expected = hmac.new(KEY, b"NGUYEN|1990-05-17", hashlib.sha256).hexdigest()
    assert patient_key("Nguyen", DOB, KEY) == expected
    assert patient_key("Nguyen", DOB, KEY) != hashlib.sha256(b"NGUYEN|1990-05-17").hexdigest()


def test_names_compare_as_names_and_another_secret_gives_another_key() -> None:
    assert patient_key("nguyen", DOB, KEY) == patient_key("NGUYEN", DOB, KEY)
    assert patient_key("Nguyen", DOB, KEY) != patient_key("Nguyen", DOB, b"j" * 48)


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        patient_key("Nguyen", DOB, b"short")
