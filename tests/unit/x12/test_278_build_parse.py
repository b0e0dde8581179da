"""278: our X217 request round-trips and has the stupidedi sample's skeleton; responses read."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest

from intake.x12 import t278
from intake.x12.control_numbers import SequentialControlNumbers
from intake.x12.errors import X12EnvelopeError, X12StructureError
from intake.x12.t278.loops import Read278

NOW = datetime(2026, 2, 2, 9, 30)
Read = Callable[[str], str]


def _request(dependent: t278.Member | None = None) -> t278.ReviewRequest:
    return t278.ReviewRequest(
        trace_number="PA0001",
        umo=t278.Party("SANDBOX PPO", "SBX01", "PI"),
        requester=t278.Party("SAMPLE HOME INFUSION", "1881000008", phone="312-555-0150"),
        subscriber=t278.Member("NOAH", "CHEN", date(1965, 11, 2), "M", "SBP000000102"),
        dependent=dependent,
        diagnoses=(t278.Diagnosis("D80.1", principal=True), t278.Diagnosis("J32.9")),
        services=(
            t278.ServiceLine("J1569", 392),
            t278.ServiceLine("S9338", 7),
            t278.ServiceLine("99601", 7),
        ),
        event_start=date(2026, 3, 1),
        event_end=date(2026, 8, 31),
        delivery=t278.DeliveryPattern("VS", 1, "WK", 4, "34", 6),
        providers=(
            ("DN", t278.Party("HART", "1234567893", first_name="AMELIA", is_person=True)),
            ("SJ", t278.Party("SAMPLE HOME INFUSION", "1881000008")),
        ),
        attachment_control_number="PA0001",
    )


def _skeleton(read: Read278) -> list[tuple[str, list[str]]]:
    """(HL level, segment ids in the loop) in order: the shape without the values."""
    tx = next(read.interchange.transactions())
    out: list[tuple[str, list[str]]] = []
    for seg in tx.segments:
        if seg.id == "HL":
            out.append((seg.element(3), []))
        elif out:
            out[-1][1].append(seg.id)
    return out


def _fixed_sample(shared_x12: Read) -> str:
    # the public sample's SE01 says 19 but the transaction has 20 segments
    return shared_x12("stupidedi-278-request-home-health-care.edi").replace("SE*19*", "SE*20*")


def test_given_public_request_when_parsed_as_is_then_wrong_se01_reported(
    shared_x12: Read,
) -> None:
    """A miscounted SE01 is an envelope mismatch like the control numbers: refused with
    --strict, read with a warning otherwise (the content itself is whole). Adapted when counts
    joined the other envelope mismatches (issue 23)."""
    text = shared_x12("stupidedi-278-request-home-health-care.edi")
    with pytest.raises(X12EnvelopeError, match="SE01 says 19 segments but the transaction has 20"):
        t278.parse_278(text, strict=True)
    read = t278.parse_278(text)
    assert any("SE01 says 19 segments but the transaction has 20" in w for w in read.warnings)


def test_given_our_request_when_compared_then_same_skeleton_as_public_sample(
    shared_x12: Read,
) -> None:
    # Given the public X217 home health request and ours
    sample = _skeleton(t278.parse_278(_fixed_sample(shared_x12)))
    ours = _skeleton(t278.parse_278(t278.build_278_request(_request(), now=NOW)))
    # Then the HL levels match (we ask for three services, the sample two), and each loop holds
    # the sample's segments in the same order
    assert [level for level, _ in ours] == [level for level, _ in sample] + ["SS"]
    for (level, theirs), (_, mine) in zip(sample, ours, strict=False):
        common = [s for s in theirs if s in mine and s != "CR6"]
        order = list(dict.fromkeys(s for s in mine if s in common))
        assert order == list(dict.fromkeys(common)), level
    assert ours[3][1][:2] == ["TRN", "UM"] and "HI" in ours[3][1] and "HSD" in ours[3][1]
    assert all(ids == ["SV1"] for level, ids in ours[4:] if level == "SS")


def test_given_request_when_built_then_round_trips_through_our_parser() -> None:
    text = t278.build_278_request(_request(), control_numbers=SequentialControlNumbers(), now=NOW)
    read = t278.parse_278(text, strict=True)
    tx = read.transactions[0]
    assert (tx.implementation, tx.is_inquiry, tx.is_response) == ("005010X217", False, False)
    assert tx.umo.entity is not None and tx.umo.entity.id == "SBX01"
    assert tx.requester is not None and tx.requester.entity is not None
    assert (tx.requester.entity.id_qualifier, tx.requester.entity.id) == ("XX", "1881000008")
    event = tx.events[0]
    assert event.diagnoses == [("ABK", "D801"), ("ABF", "J329")]
    assert event.um is not None and event.um.components(4) == ["12", "B"]
    assert [p.entity.entity_code for p in event.providers if p.entity] == ["DN", "SJ"]
    assert [
        (s.service.component(1, 2), s.service.element(4)) for s in event.services if s.service
    ] == [("J1569", "392"), ("S9338", "7"), ("99601", "7")]
    assert "HSD*VS*1*WK*4*34*6~" in text and "DTP*AAH*RD8*20260301-20260831~" in text
    assert "PWK*OZ*FX***AC*PA0001~" in text
    assert read.interchange.to_x12() == text


def test_given_dependent_when_built_then_event_hangs_under_hl_23() -> None:
    child = t278.Member("LUCAS", "MARTINEZ", date(2012, 7, 22), "M", relationship_code="19")
    read = t278.parse_278(t278.build_278_request(_request(child), now=NOW))
    levels = [lv for lv, _ in _skeleton(read)]
    assert levels[:5] == ["20", "21", "22", "23", "EV"]
    assert read.transactions[0].dependent is not None
    assert read.transactions[0].dependent.relationship == "19"


def test_given_public_response_when_interpreted_then_certified_with_period(
    shared_x12: Read,
) -> None:
    decision = t278.interpret_278_response(shared_x12("stupidedi-278-referral-response.edi"))
    assert decision.status == "certified" and decision.certification_number == "AUTH0001"
    assert (decision.effective_from, decision.effective_to) == (date(2005, 5, 2), date(2005, 6, 2))
    assert decision.trace_numbers == ("111099",)


@pytest.mark.parametrize(
    ("answer", "status", "expected"),
    [
        (t278.Answer278("A3", "R1", "09"), "denied", ("R1", "09", "Out of network")),
        (t278.Answer278("A4", "R2"), "pended", ("R2", None, "Pended")),
        (
            t278.Answer278(reject_loop="2000C", reject_code="75"),
            "rejected",
            (None, "75", "Subscriber/insured not found (loop 2000C)"),
        ),
        (
            t278.Answer278(reject_loop="2000A", reject_code="42", follow_up="R"),
            "rejected",
            (None, "42", "Unable to respond at current time (loop 2000A)"),
        ),
    ],
)
def test_given_answer_when_built_and_read_then_decision_matches(
    answer: t278.Answer278,
    status: str,
    expected: tuple[str | None, str | None, str],
) -> None:
    request = t278.parse_278(t278.build_278_request(_request(), now=NOW))
    decision = t278.interpret_278_response(t278.build_278_response(request, answer, now=NOW))
    assert decision.status == status
    assert (decision.review_number, decision.reason_code, decision.reason) == expected


def test_given_certified_answer_when_read_then_number_and_dates() -> None:
    request = t278.parse_278(t278.build_278_request(_request(), now=NOW))
    answer = t278.Answer278(
        "A1", "CERT9", effective_from=date(2026, 3, 1), effective_to=date(2026, 8, 31)
    )
    text = t278.build_278_response(request, answer, now=NOW)
    decision = t278.interpret_278_response(text)
    assert (decision.certification_number, decision.effective_to) == ("CERT9", date(2026, 8, 31))
    assert decision.trace_numbers == ("PA0001",)
    assert t278.parse_278(text).transactions[0].is_response


def test_given_service_level_decisions_only_when_read_then_combined() -> None:
    request = t278.parse_278(t278.build_278_request(_request(), now=NOW))
    text = t278.build_278_response(
        request, t278.Answer278("A1", "C1", effective_from=date(2026, 3, 1)), now=NOW
    )
    # drop the event-level HCR and deny one service line
    text = text.replace("HCR*A1*C1~DTP", "DTP", 1)
    lines = text.split("~")
    text = "~".join(lines).replace("HCR*A1*C1~SV1*HC:99601", "HCR*A3**09~SV1*HC:99601")
    segments = [s for s in text.split("~") if s]
    count = sum(1 for s in segments if not s.startswith(("ISA", "GS", "GE", "IEA")))
    text = (
        "~".join(
            s if not s.startswith("SE*") else f"SE*{count}*{s.split('*')[2]}" for s in segments
        )
        + "~"
    )
    decision = t278.interpret_278_response(text)
    # one certified line no longer certifies the whole request: lines mixing is partial
    assert decision.status == "partial" and decision.partial
    assert [(ln.procedure_code, ln.status) for ln in decision.lines] == [
        ("J1569", "certified"),
        ("S9338", "certified"),
        ("99601", "denied"),
    ]
    assert [ln.approved_units for ln in decision.lines] == [392, 7, 0]
    assert decision.lines[2].reason == "Out of network"


def test_given_status_inquiry_when_built_then_x215_pointing_at_original() -> None:
    inquiry = t278.StatusInquiry(
        trace_number="PAQ1",
        original_trace="PA0001",
        umo=t278.Party("SANDBOX PPO", "SBX01", "PI"),
        requester=t278.Party("SAMPLE HOME INFUSION", "1881000008"),
        subscriber=t278.Member("NOAH", "CHEN", date(1965, 11, 2), "M", "SBP000000102"),
        event_start=date(2026, 3, 1),
        review_number="SBXR1",
    )
    text = t278.build_278_inquiry(inquiry, now=NOW)
    tx = t278.parse_278(text, strict=True).transactions[0]
    assert tx.is_inquiry and tx.implementation == "005010X215"
    assert "GS*HI*" in text and "*005010X215~" in text
    event = tx.events[0]
    trace = event.trace("1")
    assert trace is not None and trace.element(2) == "PA0001"
    assert event.reference("NT") == "SBXR1"


def test_given_broken_hierarchy_when_parsed_then_structure_error() -> None:
    text = t278.build_278_request(_request(), control_numbers=SequentialControlNumbers(), now=NOW)
    with pytest.raises(X12StructureError, match="2000F"):
        t278.parse_278(text.replace("HL*5*4*SS*0", "HL*5*3*SS*0"))
    with pytest.raises(X12StructureError, match="not expected in 278 loop 2000F"):
        t278.parse_278(text.replace("SV1*HC:S9338**UN*7", "EB*1"))
