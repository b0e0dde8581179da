"""271 structure errors name the segment; parse → write → parse gives equal segments."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from intake.x12.delimiters import Delimiters
from intake.x12.envelope import Interchange, parse_interchange
from intake.x12.errors import X12BuildError, X12StructureError, X12ValueError
from intake.x12.segments import Segment
from intake.x12.t271 import parse_271

Reader = Callable[[str], str]


@pytest.fixture
def ppo(local_x12: Reader) -> str:
    return local_x12("ppo-accumulators.271")


@pytest.mark.parametrize(
    ("old", "new", "error", "message"),
    [
        (
            "HL*3*2*22*0",
            "HL*3*2*99*0",
            X12StructureError,
            r"segment 10 \(HL\): HL03 level code '99' is not one of",
        ),
        (
            "HL*3*2*22*0",
            "HL*3*7*22*0",
            X12StructureError,
            r"segment 10 \(HL\): a subscriber HL \(22\) needs HL02 pointing",
        ),
        (
            "EB*1*FAM*30*PR",
            "ZZZ*1*FAM*30*PR",
            X12StructureError,
            r"segment 19 \(ZZZ\): not expected in 271 loop 2100C",
        ),
        (
            "EB*B*IND*88***27*15.00",
            "EB*B*IND*88***27*15,00",
            X12ValueError,
            r"segment 40 \(EB\): EB07 is not a number",
        ),
        (
            "DMG*D8*19800214*F",
            "DMG*D8*19801314*F",
            X12ValueError,
            r"segment 16 \(DMG\): DMG02 is not a real calendar date",
        ),
        (
            "MSG*PRIOR",
            "NM1*PRIOR",
            X12StructureError,
            r"segment 38 \(NM1\): not expected in 271 loop 2110C",
        ),
    ],
)
def test_given_broken_271_when_parsing_then_error_names_segment(
    ppo: str, old: str, new: str, error: type[Exception], message: str
) -> None:
    assert old in ppo
    with pytest.raises(error, match=message):
        parse_271(ppo.replace(old, new, 1))


def test_given_ls_without_le_when_parsing_then_error(shared_x12: Reader) -> None:
    text = shared_x12("lfh-subscriber-health-benefit-check.271").replace("LE*2120~\n", "")
    text = text.replace("SE*22*", "SE*21*")
    with pytest.raises(
        X12StructureError, match=r"segment 20 \(EB\): not expected in 271 loop 2120C"
    ):
        parse_271(text)
    lines = text.splitlines()
    ls = lines.index("LS*2120~")  # keep LS and its NM1; ST..NM1 is `ls` segments, +1 for SE
    at_end = "\n".join([*lines[: ls + 2], f"SE*{ls + 1}*4321~", "GE*1*1~", "IEA*1*000000907~"])
    with pytest.raises(X12StructureError, match=r"segment 18 \(LS\): LS has no matching LE"):
        parse_271(at_end)


def test_given_a_270_when_read_as_271_then_error(shared_x12: Reader) -> None:
    with pytest.raises(X12StructureError, match=r"segment 3 \(ST\): ST01 is '270'"):
        parse_271(shared_x12("lfh-subscriber-health-benefit-check.270"))


def _body(ic: Interchange) -> list[Segment]:
    return [s for s in ic.segments() if s.id != "ISA"]  # ISA11/ISA16 hold the delimiters


@pytest.mark.parametrize(
    "name",
    [
        "ppo-accumulators.271",
        "multi-patient.271",
        "custom-delimiters-pipe.271",
        "custom-delimiters-newline.271",
        "aaa-2100b.271",
    ],
)
@pytest.mark.parametrize("target", [None, Delimiters("\x1d", "\x1f", "\x1e", "\x1c")])
def test_given_271_when_parse_write_parse_then_equal(
    local_x12: Reader, name: str, target: Delimiters | None
) -> None:
    first = parse_interchange(local_x12(name))
    written = first.to_x12(target, line_ending="\n" if target is None else "")
    second = parse_interchange(written)
    assert _body(second) == _body(first)
    if target is None:
        assert second.header == first.header
    assert second.delimiters == (target or first.delimiters)


def test_given_data_holding_new_delimiters_when_rewriting_then_build_error(
    local_x12: Reader,
) -> None:
    ic = parse_interchange(local_x12("custom-delimiters-pipe.271"))  # "HMO*PLUS" is data
    with pytest.raises(X12BuildError, match="NM103 contains a delimiter"):
        ic.to_x12(Delimiters())
    assert "FICTIONAL HMO*PLUS" in ic.to_x12(Delimiters("|", "^", ">", "~"))


def test_an_isa12_other_than_00501_under_an_x279a1_group_is_read_with_a_warning(
    ppo: str,
) -> None:
    """Given the PPO 271 with its ISA12 changed from 00501 to 00602 (as xiaoerge/X12Healthcare's
    United Concordia answer in the public corpus sends it), when read, then the content is read
    as its GS08 005010X279A1 group says, and a warning names ISA12: X279A1 allows only 00501
    there, so the sender's envelope disagrees with itself; the unchanged file has no such
    warning."""
    assert "*^*00501*" in ppo
    changed = ppo.replace("*^*00501*", "*^*00602*", 1)

    warnings = parse_271(changed).interchange.warnings

    assert [w for w in warnings if w.startswith("ISA12 00602 is not 00501")], warnings
    assert not [w for w in parse_271(ppo).interchange.warnings if w.startswith("ISA12")]
