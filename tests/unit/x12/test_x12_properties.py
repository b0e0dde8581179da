"""Property: any delimiters and any data free of them round-trip through writer and reader."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from intake.x12.control_numbers import SequentialControlNumbers
from intake.x12.delimiters import Delimiters
from intake.x12.envelope import build_interchange, parse_interchange
from intake.x12.segments import ElementValue, Repeated, Segment

_CANDIDATES = "*|!^~+>:{}\\`\n#%@$"


@st.composite
def delimiters(draw: st.DrawFn) -> Delimiters:
    chars = draw(st.lists(st.sampled_from(_CANDIDATES), min_size=4, max_size=4, unique=True))
    return Delimiters(*chars)


def _values(d: Delimiters) -> st.SearchStrategy[str]:
    alphabet = st.characters(
        codec="ascii",
        exclude_characters="".join(d.chars) + "\r\n",
        exclude_categories=["Cc"],
    )
    return st.text(alphabet, min_size=1, max_size=8)


@st.composite
def interchanges(draw: st.DrawFn) -> tuple[Delimiters, list[Segment], str]:
    d = draw(delimiters())
    value = _values(d)
    body: list[Segment] = []
    for _ in range(draw(st.integers(1, 6))):
        elements = draw(
            st.lists(
                st.one_of(value, st.tuples(value, value), st.lists(value, min_size=2, max_size=3)),
                min_size=1,
                max_size=5,
            )
        )
        built: list[ElementValue] = [
            e if isinstance(e, str | tuple) else Repeated(tuple(e)) for e in elements
        ]
        body.append(Segment.build("REF", *built, delimiters=d))
    line_ending = draw(st.sampled_from(["", "\n", "\r\n"]))
    text = build_interchange(
        "HB",
        "271",
        "005010X279A1",
        [body],
        delimiters=d,
        control_numbers=SequentialControlNumbers(),
        line_ending=line_ending,
    )
    return d, body, text


@settings(max_examples=150, deadline=None)
@given(interchanges())
def test_given_random_delimiters_and_data_then_read_back_identical(
    case: tuple[Delimiters, list[Segment], str],
) -> None:
    d, body, text = case
    ic = parse_interchange(text)
    assert ic.delimiters == d
    [tx] = ic.groups[0].transactions
    assert tx.segments == body
    assert [s.structure() for s in tx.segments] == [s.structure() for s in body]
    again = parse_interchange(ic.to_x12(Delimiters("\x1d", "\x1f", "\x1e", "\x1c")))
    assert again.groups[0].transactions[0].segments == body
