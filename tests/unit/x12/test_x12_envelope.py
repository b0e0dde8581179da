"""Envelope reading: counts and control numbers checked, malformed input named by position."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from intake.x12.control_numbers import ClockSeededControlNumbers, SequentialControlNumbers
from intake.x12.envelope import EnvelopeParties, build_interchange, parse_interchange
from intake.x12.errors import X12EnvelopeError, X12Error, X12SyntaxError
from intake.x12.reader import tokenize
from intake.x12.segments import Segment

Reader = Callable[[str], str]


@pytest.fixture
def subscriber_271(shared_x12: Reader) -> str:
    return shared_x12("lfh-subscriber-health-benefit-check.271")


def test_given_lfh_271_when_parsing_then_envelopes_and_body_are_split(
    subscriber_271: str,
) -> None:
    ic = parse_interchange(subscriber_271)
    assert ic.control_number == "000000907"
    [group] = ic.groups
    assert group.functional_id == "HB"
    [tx] = group.transactions
    assert (tx.set_id, tx.control_number, tx.implementation) == ("271", "4321", "005010X279A1")
    assert len(tx.segments) == 20
    assert tx.segments[0].id == "BHT"


@pytest.mark.parametrize("line_ending", ["", "\n", "\r\n"])
def test_given_terminators_with_or_without_line_breaks_when_parsing_then_same_segments(
    subscriber_271: str, line_ending: str
) -> None:
    text = subscriber_271.replace("~\n", "~").replace("~", "~" + line_ending)
    assert list(parse_interchange(text).segments()) == list(
        parse_interchange(subscriber_271).segments()
    )


def test_given_wrong_se01_when_parsing_then_error_names_se_and_both_counts(
    subscriber_271: str,
) -> None:
    broken = subscriber_271.replace("SE*22*4321", "SE*12*4321")
    with pytest.raises(
        X12EnvelopeError,
        match=r"^segment 24 \(SE\): SE01 says 12 segments but the transaction has 22$",
    ):
        parse_interchange(broken)


def test_given_wrong_ge01_and_iea01_when_parsing_then_errors_name_them(
    subscriber_271: str,
) -> None:
    with pytest.raises(X12EnvelopeError, match=r"segment 25 \(GE\): GE01 says 2 transactions"):
        parse_interchange(subscriber_271.replace("GE*1*1", "GE*2*1"))
    with pytest.raises(X12EnvelopeError, match=r"segment 26 \(IEA\): IEA01 says 3 functional"):
        parse_interchange(subscriber_271.replace("IEA*1*", "IEA*3*"))


def test_given_control_number_mismatch_when_strict_then_error_else_warning(
    shared_x12: Reader,
) -> None:
    text = shared_x12("lfh-subscriber-health-benefit-check-error.271")  # SE02 4323 vs ST02 4321
    with pytest.raises(X12EnvelopeError, match=r"segment 10 \(SE\): SE02 control number"):
        parse_interchange(text, strict=True)
    ic = parse_interchange(text, strict=False)
    assert ic.warnings == ["segment 10 (SE): SE02 control number does not match ST02 of segment 3"]


def test_given_public_278_with_wrong_se01_when_parsing_then_the_real_count_is_reported(
    shared_x12: Reader,
) -> None:
    with pytest.raises(
        X12EnvelopeError,
        match=r"segment 22 \(SE\): SE01 says 19 segments but the transaction has 20",
    ):
        parse_interchange(shared_x12("stupidedi-278-request-home-health-care.edi"))
    assert parse_interchange(shared_x12("stupidedi-278-referral-response.edi")).groups


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda t: t[: t.index("IEA")], r"no IEA \(truncated\?\)"),
        (lambda t: t[: t.index("SE*")], r"has no SE \(truncated\?\)"),
        (lambda t: t.rstrip("\n")[:-4], r"segment 26 \(IEA\): the segment has no terminator"),
        (lambda t: t + "GS*HB*X~", r"segment 27 \(GS\): GS is not expected after IEA"),
        (lambda t: t.replace("HL*1**20*1", "hl*1**20*1"), r"segment 5: a segment id is 2 or 3"),
        (lambda t: t.replace("GS*HB", "XX*HB"), r"segment 2 \(XX\): XX is not expected"),
        (lambda t: "", "empty"),
        (lambda t: "hello world", r"segment 1: an interchange must start with an ISA"),
    ],
)
def test_given_malformed_interchange_when_parsing_then_clear_positioned_error(
    subscriber_271: str, mutate: Callable[[str], str], message: str
) -> None:
    with pytest.raises(X12Error, match=message):
        parse_interchange(mutate(subscriber_271))


def test_given_any_truncation_when_parsing_then_only_x12_errors(subscriber_271: str) -> None:
    # Given every prefix of a valid 271, When parsed, Then never IndexError/ValueError leaks
    for cut in range(len(subscriber_271) - 2):
        with pytest.raises(X12Error):
            parse_interchange(subscriber_271[:cut])


def test_given_tokenizer_when_reading_then_positions_are_1_based(subscriber_271: str) -> None:
    _, segments = tokenize(subscriber_271)
    assert [(s.position, s.id) for s in segments[:3]] == [(1, "ISA"), (2, "GS"), (3, "ST")]


def test_given_bodies_when_building_interchange_then_counts_are_correct() -> None:
    bodies = [[Segment.build("BHT", "0022", "13")], [Segment.build("BHT", "0022", "13")] * 3]
    text = build_interchange(
        "HS", "270", "005010X279A1", bodies, control_numbers=SequentialControlNumbers(41)
    )
    ic = parse_interchange(text)
    assert ic.control_number == "000000041"
    assert ic.trailer.element(1) == "1"
    [group] = ic.groups
    assert group.trailer.element(1) == "2"
    assert [tx.trailer.element(1) for tx in group.transactions] == ["3", "5"]
    assert [tx.control_number for tx in group.transactions] == ["0041", "0042"]


def test_given_long_sender_id_when_building_then_build_error() -> None:
    with pytest.raises(X12Error, match="ISA06 is at most 15"):
        build_interchange(
            "HS", "270", "005010X279A1", [[]], parties=EnvelopeParties(sender_id="X" * 16)
        )


def test_given_default_control_numbers_when_drawn_then_unique_and_9_digits() -> None:
    source = ClockSeededControlNumbers(seed_ms=999_999_990)
    drawn = [source.next_interchange() for _ in range(50)]
    assert len(set(drawn)) == 50
    assert all(0 < n <= 999_999_999 for n in drawn)


def test_given_truncated_isa_only_when_parsing_then_syntax_error() -> None:
    with pytest.raises(X12SyntaxError, match="truncated"):
        parse_interchange("ISA*00*")
