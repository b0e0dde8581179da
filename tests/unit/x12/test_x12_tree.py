"""The one reader's rules, on a small grammar: segments a loop holds, nested loops opened by
their trigger, no way back to segments the guide places before a loop already left, repeats,
and bounded loops (LS … LE) that must close."""

from __future__ import annotations

import pytest

from intake.x12.errors import X12StructureError
from intake.x12.grammar import Loop, SegmentUse, uses
from intake.x12.node import Node
from intake.x12.segments import Segment
from intake.x12.tree import walk

RELATED = Loop("2120", uses("N3"), trigger=SegmentUse("NM1"))
BENEFIT = Loop(
    "2110",
    (*uses("MSG:2"), Loop("LS", (RELATED,), SegmentUse("LS"), "LE", label="2120 (inside LS…LE)")),
    trigger=SegmentUse("EB"),
)
MEMBER = Loop("2100", (*uses("NM1:1 DMG"), BENEFIT))


def _segments(*ids: str) -> list[Segment]:
    return [Segment(sid, (), position=n) for n, sid in enumerate(ids, start=1)]


def _shape(node: Node) -> object:
    return (node.loop.id, [s.id for s in node.segments], [_shape(c) for c in node.children])


def test_given_a_member_with_benefits_when_walked_then_loops_nest_as_the_guide_says() -> None:
    """Given header segments, benefit lines with messages and an LS…LE related entity, when
    walked, then each EB opens its own 2110 and the entity sits inside its LS loop."""
    tree = walk(MEMBER, _segments("NM1", "DMG", "EB", "MSG", "LS", "NM1", "N3", "LE", "EB"), "271")
    assert _shape(tree) == (
        "2100",
        ["NM1", "DMG"],
        [
            ("2110", ["EB", "MSG"], [("LS", ["LS", "LE"], [("2120", ["NM1", "N3"], [])])]),
            ("2110", ["EB"], []),
        ],
    )


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        (("NM1", "EB", "DMG"), r"segment 3 \(DMG\): not expected in 271 loop 2110"),
        (("NM1", "NM1"), r"segment 2 \(NM1\): not expected in 271 loop 2100 \(a second NM1\)"),
        (("EB", "MSG", "MSG", "MSG"), r"segment 4 \(MSG\): .* loop 2110 \(over 2 MSG\)"),
        (("EB", "LS", "NM1", "EB"), r"segment 4 \(EB\): not expected in 271 loop 2120"),
        (("EB", "LS", "NM1"), r"segment 2 \(LS\): LS has no matching LE"),
        (("ZZ",), r"segment 1 \(ZZ\): not expected in 271 loop 2100"),
    ],
)
def test_given_segments_the_grammar_forbids_when_walked_then_error_names_segment_and_loop(
    ids: tuple[str, ...], message: str
) -> None:
    """Given a header segment after the first benefit line, a second NM1, more MSGs than the
    guide allows, an EB inside LS…LE, an LS never closed or an unknown segment, when walked,
    then the error names the segment and the loop it could not join."""
    with pytest.raises(X12StructureError, match=message):
        walk(MEMBER, _segments(*ids), "271")
