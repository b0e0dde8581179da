"""Delimiters come from the ISA, whatever they are; a malformed ISA is reported, not misread."""

from __future__ import annotations

import pytest

from intake.x12.delimiters import ISA_LENGTH, Delimiters
from intake.x12.errors import X12SyntaxError

ISA = (
    "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       "
    "*260105*0930*^*00501*000000001*0*T*:~"
)


def _with(isa: str, element: str, repetition: str, component: str, terminator: str) -> str:
    body = isa[:104].replace("*", element)
    body = body[:82] + repetition + body[83:]
    return body + component + terminator


def test_given_default_isa_when_reading_delimiters_then_star_caret_colon_tilde() -> None:
    assert len(ISA) == ISA_LENGTH
    assert Delimiters.from_isa(ISA) == Delimiters("*", "^", ":", "~")


@pytest.mark.parametrize(
    ("element", "repetition", "component", "terminator"),
    [
        ("|", "^", ">", "~"),
        ("!", "+", ">", "\n"),
        ("\x1d", "\x1f", "\x1e", "\x1c"),
        ("~", "{", "}", "\r"),
    ],
)
def test_given_non_default_isa_when_reading_then_each_delimiter_is_taken_from_it(
    element: str, repetition: str, component: str, terminator: str
) -> None:
    text = _with(ISA, element, repetition, component, terminator)
    assert Delimiters.from_isa(text) == Delimiters(element, repetition, component, terminator)


def test_given_004010_isa_with_u_when_reading_then_no_repetition_separator() -> None:
    text = ISA[:82] + "U" + ISA[83:]
    assert Delimiters.from_isa(text).repetition is None


def test_given_text_without_isa_when_reading_then_error_says_so() -> None:
    with pytest.raises(X12SyntaxError, match=r"segment 1: an interchange must start with an ISA"):
        Delimiters.from_isa("GS*HB*X~")


def test_given_short_isa_field_when_reading_then_error_names_the_element() -> None:
    """An ISA missing an element (here ISA06 and its separator) cannot be read: the error names
    where the fixed widths break. Adapted (issue 23): an ISA whose 16 elements are all there
    but padded wrong is read (the next test), so this one now drops a separator too."""
    broken = ISA.replace("SENDER         *", "SENDER")
    with pytest.raises(X12SyntaxError, match=r"segment 1 \(ISA\): wrong ISA length: ISA06"):
        Delimiters.from_isa(broken + "GS*HB~" * 20)


def test_given_padded_wrong_isa_with_all_elements_when_reading_then_read() -> None:
    """A sender id padded to 14 characters instead of 15 (a public 4010 sample does this):
    the 16 elements are all there, so the delimiters are read from them (the envelope check
    then warns that the ISA is not at its fixed widths)."""
    broken = ISA.replace("SENDER         ", "SENDER        ")
    assert Delimiters.from_isa(broken + "GS*HB~") == Delimiters.from_isa(ISA + "GS*HB~")


def test_given_truncated_isa_when_reading_then_error_mentions_truncation() -> None:
    with pytest.raises(X12SyntaxError, match="truncated"):
        Delimiters.from_isa(ISA[:60])


def test_given_same_char_twice_when_reading_then_error() -> None:
    with pytest.raises(X12SyntaxError, match="must all differ"):
        Delimiters.from_isa(_with(ISA, "*", "^", "*", "~"))


def test_given_letter_as_terminator_when_reading_then_error() -> None:
    with pytest.raises(X12SyntaxError, match="letter, digit or space"):
        Delimiters.from_isa(ISA[:105] + "G")
