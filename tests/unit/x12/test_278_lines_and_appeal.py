"""278 answers per service line (A1/A2/A3/A6/C, approved units and dates) and the appeal request
built from a stored request, both round-tripped through our parser."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from intake.x12.errors import X12BuildError
from intake.x12.t278 import (
    Answer278,
    Diagnosis,
    LineAnswer,
    Member,
    Party,
    ReviewRequest,
    ServiceLine,
    build_278_appeal,
    build_278_request,
    build_278_response,
    interpret_278_response,
    parse_278,
)

NOW = datetime(2026, 2, 2, 9, 30)
START, END = date(2026, 3, 1), date(2027, 2, 28)


def _request_x12() -> str:
    request = ReviewRequest(
        trace_number="PA0001",
        umo=Party("SANDBOX PPO", "SBX01", "PI"),
        requester=Party("SAMPLE HOME INFUSION", "1881000008"),
        subscriber=Member("PAT", "LINES", date(1970, 1, 1), "F", "SBP000000108"),
        diagnoses=(Diagnosis("G35", principal=True),),
        services=(
            ServiceLine("J2350", 1800),
            ServiceLine("S9379", 3, modifiers=("SS",)),
            ServiceLine("99601", 3),
        ),
        event_start=START,
        event_end=END,
    )
    return build_278_request(request, now=NOW)


def _answer(answer: Answer278) -> str:
    return build_278_response(parse_278(_request_x12()), answer, now=NOW)


def test_given_lines_certified_and_not_when_read_then_partial_with_per_line_units() -> None:
    # Given drug and per diem certified (A1) and nursing not certified (A3), no event HCR
    answer = Answer278(
        lines=(
            LineAnswer("A1", "CERT1", effective_from=START, effective_to=END),
            LineAnswer("A1", "CERT1", effective_from=START, effective_to=END),
            LineAnswer("A3", "REV1", "09"),
        )
    )
    # When the response is read
    decision = interpret_278_response(_answer(answer))
    # Then the request is partial and each line says what it got
    assert decision.status == "partial" and decision.partial
    assert decision.certification_number == "CERT1"
    assert [(ln.procedure_code, ln.modifiers, ln.status) for ln in decision.lines] == [
        ("J2350", (), "certified"),
        ("S9379", ("SS",), "certified"),
        ("99601", (), "denied"),
    ]
    assert [(ln.requested_units, ln.approved_units) for ln in decision.lines] == [
        (1800, 1800),
        (3, 3),
        (3, 0),
    ]
    nursing = decision.lines[2]
    assert (nursing.review_number, nursing.reason_code, nursing.reason) == (
        "REV1",
        "09",
        "Out of network",
    )
    assert decision.lines[0].effective_to == END


def test_given_modified_line_when_read_then_approved_units_and_dates_differ() -> None:
    # Given the drug approved for half the units and six months (A6), the rest certified
    six_months = date(2026, 8, 31)
    answer = Answer278(
        "A6",
        "CERT2",
        effective_from=START,
        effective_to=six_months,
        lines=(
            LineAnswer(
                "A6", "CERT2", approved_units=900, effective_from=START, effective_to=six_months
            ),
            LineAnswer("A1", "CERT2", effective_from=START, effective_to=END),
            LineAnswer("A1", "CERT2", effective_from=START, effective_to=END),
        ),
    )
    decision = interpret_278_response(_answer(answer))
    # Then the request is modified (not certified), with the approved units and period
    assert decision.status == "modified" and decision.action_code == "A6"
    drug = decision.lines[0]
    assert (drug.status, drug.requested_units, drug.approved_units) == ("modified", 1800, 900)
    assert (drug.effective_from, drug.effective_to) == (START, six_months)
    assert (decision.effective_from, decision.effective_to) == (START, six_months)
    assert decision.lines[1].status == "certified"


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("A1", "certified"),
        ("A2", "partial"),
        ("A6", "modified"),
        ("A3", "denied"),
        ("A4", "pended"),
        ("C", "cancelled"),
    ],
)
def test_given_event_action_when_read_then_status(action: str, status: str) -> None:
    decision = interpret_278_response(_answer(Answer278(action, "N1", effective_from=START)))
    assert decision.status == status
    assert all(ln.status == status for ln in decision.lines)


def test_given_event_certified_over_a_denied_line_when_read_then_partial() -> None:
    # Given an event A1 whose nursing line says A3
    answer = Answer278(
        "A1",
        "CERT3",
        effective_from=START,
        lines=(LineAnswer("A1"), LineAnswer("A1"), LineAnswer("A3", "", "09")),
    )
    # Then the whole request is not certified as asked
    assert interpret_278_response(_answer(answer)).status == "partial"


def test_given_stored_request_when_appealed_then_standard_appeal_referencing_the_review() -> None:
    # Given the request we sent and the review number of its denial
    original = _request_x12()
    # When the appeal is built
    appeal = build_278_appeal(original, review_number="SBXREV123", trace_number="PA0001A1", now=NOW)
    # Then it is an X217 request: UM02 2, REF*NT to the review, a new trace, the same services
    tx = parse_278(appeal, strict=True).transactions[0]
    event = tx.events[0]
    assert not tx.is_response and tx.bht is not None and tx.bht.element(3) == "PA0001A1"
    assert event.um is not None and event.um.element(2) == "2"
    assert event.reference("NT") == "SBXREV123" and event.reference("BB") == ""
    trace = event.trace("1")
    assert trace is not None and trace.element(2) == "PA0001A1"
    original_event = parse_278(original).transactions[0].events[0]
    assert [s.service for s in event.services] == [s.service for s in original_event.services]
    assert event.dates == original_event.dates


def test_given_immediate_appeal_of_a_modification_when_built_then_um02_1_and_ref_bb() -> None:
    appeal = build_278_appeal(
        _request_x12(),
        review_number="SBXREV9",
        trace_number="PA0001A2",
        now=NOW,
        immediate=True,
        certification_number="CERT2",
    )
    event = parse_278(appeal).transactions[0].events[0]
    assert event.um is not None and event.um.element(2) == "1"
    assert (event.reference("NT"), event.reference("BB")) == ("SBXREV9", "CERT2")
    # And its answer is matched by the appeal's own trace
    answer = build_278_response(parse_278(appeal), Answer278("A1", "CERT4"), now=NOW)
    assert interpret_278_response(answer).trace_numbers == ("PA0001A2",)


def test_given_appeal_of_an_appeal_when_built_then_one_reference_each() -> None:
    once = build_278_appeal(_request_x12(), review_number="R1", trace_number="T1", now=NOW)
    twice = build_278_appeal(once, review_number="R2", trace_number="T2", now=NOW)
    event = parse_278(twice).transactions[0].events[0]
    assert [r.element(2) for r in event.references if r.element(1) == "NT"] == ["R2"]


@pytest.mark.parametrize(
    ("review", "trace", "message"),
    [("", "T1", "review_number"), ("R*1", "T1", "review_number"), ("R1", "T~", "trace_number")],
)
def test_given_bad_numbers_when_appealed_then_build_error(
    review: str, trace: str, message: str
) -> None:
    with pytest.raises(X12BuildError, match=message):
        build_278_appeal(_request_x12(), review_number=review, trace_number=trace, now=NOW)


def test_given_a_response_when_appealed_then_build_error() -> None:
    response = _answer(Answer278("A3", "R1", "09"))
    with pytest.raises(X12BuildError, match="not a response"):
        build_278_appeal(response, review_number="R1", trace_number="T1", now=NOW)
