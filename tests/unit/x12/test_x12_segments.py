"""Segments: element, repetition and component access; building; delimiter-free equality."""

from __future__ import annotations

import pytest

from intake.x12.delimiters import DEFAULT_DELIMITERS, Delimiters
from intake.x12.errors import X12BuildError
from intake.x12.segments import Segment, repeated

PIPES = Delimiters("|", "{", "}", "\n")


@pytest.fixture
def eb() -> Segment:
    return Segment.build(
        "EB",
        "B",
        "IND",
        repeated("1", "42", "88"),
        "HM",
        "",
        "27",
        "20.00",
        "",
        "",
        "",
        "",
        "Y",
        ("HC", "J1745", "JA"),
    )


def test_given_built_segment_when_accessing_then_elements_are_1_based(eb: Segment) -> None:
    assert eb.element(1) == "B"
    assert eb[7] == "20.00"
    assert eb.element(99) == ""
    assert eb.element(0) == ""


def test_given_repeated_element_when_splitting_then_each_repeat(eb: Segment) -> None:
    assert eb.repeats(3) == ["1", "42", "88"]
    assert eb.repeats(4) == ["HM"]
    assert eb.repeats(5) == []


def test_given_composite_when_splitting_then_components(eb: Segment) -> None:
    assert eb.components(13) == ["HC", "J1745", "JA"]
    assert eb.component(13, 2) == "J1745"
    assert eb.component(13, 9) == ""


def test_given_trailing_empties_when_building_then_they_are_dropped() -> None:
    seg = Segment.build("NM1", "03", "1", "DOE", "", "", "", "")
    assert seg.render() == "NM1*03*1*DOE"


def test_given_other_delimiters_when_rendering_then_reencoded_and_still_equal(
    eb: Segment,
) -> None:
    text = eb.render(PIPES)
    assert text == "EB|B|IND|1{42{88|HM||27|20.00|||||Y|HC}J1745}JA"
    again = Segment("EB", tuple(text.split("|")[1:]), PIPES)
    assert again == eb
    assert hash(again) == hash(eb)


def test_given_value_holding_a_delimiter_when_building_then_build_error() -> None:
    with pytest.raises(X12BuildError, match="NM103 contains a delimiter"):
        Segment.build("NM1", "IL", "1", "O*BRIEN")


def test_given_value_free_of_new_delimiters_when_building_then_old_ones_are_data() -> None:
    seg = Segment.build("NM1", "IL", "1", "O*BRIEN", delimiters=PIPES)
    assert seg.element(3) == "O*BRIEN"
    with pytest.raises(X12BuildError):
        seg.render(DEFAULT_DELIMITERS)
