"""The case book's visit-record cases (``visit_record.yaml``): the nursing units a documented
visit bills. Commercial payers: CPT 99601 / +99602 from the documented start and stop (pauses
counted, across midnight as one visit, none without a stop time). Original Medicare: one HIT
G-code per infusion drug administration calendar day with a professional visit, the initial-visit
code first and again only after more than 60 days, and none for a drug outside the DME pump
benefit.

Why: the record's start and stop are what the nursing line of the claim is built from; a case
written from the CPT descriptors and MBPM Ch.15 §320.8 without reading the code catches a
duration taken from clock times without their dates, a pause subtracted, a default duration
for a missing stop, two G-codes on one day or one on a day without a visit.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

import pytest

from intake.visit.billing import hit_claims, visit_units
from tests.casebook.book import Case, load, params

COMMERCIAL = {c.id for c in load("visit_record.yaml") if c.input.get("payer") == "commercial"}
MEDICARE = {c.id for c in load("visit_record.yaml") if c.id not in COMMERCIAL}


def _at(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@pytest.mark.parametrize("case", params("visit_record.yaml", ids=COMMERCIAL))
def test_given_a_documented_visit_when_billed_to_a_commercial_payer_then_cpt_units(
    case: Case,
) -> None:
    """Given the documented start and stop, when coded, then the case's minutes and units
    (e.g. 22:40 -> 01:25 = 80 + 85 = 165 min; 165 - 120 = 45 >= 31 -> 99601 + 99602 x1; a
    missing stop: no minutes, no units, a review item)."""
    # Given
    start, end = _at(case.input["visit_start"]), _at(case.input.get("visit_end"))
    # When
    units = visit_units(start, end)
    # Then
    assert units.minutes == case.expected["visit_minutes"], case.hand_computation
    expected = case.expected["cpt"]
    assert units.cpt == (
        None if expected is None else {code: n for code, n in expected.items() if n}
    ), case.hand_computation
    if "date_of_service_accepted" in case.expected:
        accepted = [str(d) for d in case.expected["date_of_service_accepted"]]
        assert str(units.date_of_service) in accepted
    if case.expected.get("review_items"):
        assert any("stop time missing" in item for item in units.review)


def _drug(case: Case) -> tuple[str | None, list[str]]:
    text = str(case.raw.get("drug") or case.input.get("drug") or "")
    code = re.search(r"\b[JQ]\d{4}\b", text)
    return (code.group(0) if code else None), [text.lower()]


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


@pytest.mark.parametrize("case", params("visit_record.yaml", ids=MEDICARE))
def test_given_original_medicare_visits_when_billed_then_one_hit_code_per_visit_day(
    case: Case,
) -> None:
    """Given the visits (a day without a start has no professional visit), when billed to
    Original Medicare, then one G-code per calendar day with a visit, initial first (G0088 for
    category 1, G0089 for 2), subsequent after (G0068, G0069), initial again only after more
    than 60 days (2027-06-01 + 61 days = 2027-08-01); no CPT 99601/99602; a drug outside the
    DME pump benefit bills nothing and says why."""
    hcpcs, names = _drug(case)
    if "scenarios" in case.input:  # a restart after the last G-code
        last = _day(case.input["last_g_code_date"])
        for scenario, expected in zip(
            case.input["scenarios"], case.expected["scenarios"], strict=True
        ):
            day = _day(scenario["restart_visit"])
            claims = hit_claims(hcpcs, names, [(day, True)], last_visit_before=last)
            assert [c.code for c in claims.claims] == [expected["code"]], expected["reason"]
        return
    # Given
    days = [(_day(v["date"]), v.get("start") is not None) for v in case.input["visits"]]
    # When
    claims = hit_claims(hcpcs, names, days)
    # Then
    expected = [(_day(c["date"]), c["code"]) for c in case.expected["claims"]]
    assert [(c.day, c.code) for c in claims.claims] == expected, case.raw.get("quote")
    for claim, wanted in zip(claims.claims, case.expected["claims"], strict=True):
        if "category" in wanted:
            assert claim.category == wanted["category"]
    if "no_claim_dates" in case.expected:
        billed = {c.day for c in claims.claims}
        assert not billed & {_day(d) for d in case.expected["no_claim_dates"]}
    if case.expected.get("review_items"):
        assert claims.review and "not an external infusion pump drug" in claims.review[0]


def test_the_visit_record_keeps_the_units_of_its_start_and_stop() -> None:
    """The stored record and the case book agree: a record's units are ``visit_units`` of its
    own start and stop (09:00 -> 12:40 = 220 min: 220 - 120 = 100 = 60 + 40 -> 99602 x2)."""
    from datetime import UTC

    start = datetime.combine(date(2027, 1, 11), time(9, 0), tzinfo=UTC)
    end = datetime.combine(date(2027, 1, 11), time(12, 40), tzinfo=UTC)
    assert visit_units(start, end).cpt == {"99601": 1, "99602": 2}
