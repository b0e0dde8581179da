"""The visit record: vitals within their documented bounds, no expired lot, start before stop,
and the nursing units billed from the documented start and stop (CPT 99601/+99602)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from intake.visit.record import VisitDocumentation, visit_record

START = "2027-01-11T15:00:00+00:00"


def documentation(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "started_at": START,
        "ended_at": "2027-01-11T18:31:00+00:00",
        "vitals": [
            {
                "at": START,
                "temperature_c": 36.8,
                "pulse_bpm": 72,
                "systolic_mmhg": 118,
                "diastolic_mmhg": 76,
                "spo2_percent": 98,
            }
        ],
        "given": [
            {
                "product": "infliximab 100 mg vial",
                "lot": "A12345",
                "expiry": "2027-06",
                "amount": "400 mg",
            }
        ],
        "teaching": {
            "basics": True,
            "drug_and_supplies": True,
            "storage_and_handling": True,
            "side_effects": False,
        },
        "home": {"refrigeration_ok": True, "caregiver_present": True},
        "next_visit": "2027-01-25",
    }
    base.update(changes)
    return base


def test_given_3h31_when_recorded_then_99601_and_two_99602() -> None:
    """Given a visit from 15:00 to 18:31, when it is recorded, then 211 minutes:
    211 - 120 = 91 = 60 (one 99602) + 31 (mid-point passed, a second 99602) -> 99601 x1,
    99602 x2; the teaching not done is listed."""
    # Given
    doc = VisitDocumentation.model_validate(documentation())
    # When
    record = visit_record(
        doc,
        visit_id="r.visit.1.1",
        referral_id="r",
        task_id="r.first_visit.1",
        dose=1,
        nurse=None,
        by="nurse-1",
        at=datetime(2027, 1, 11, 19, tzinfo=UTC),
    )
    # Then
    assert record.visit_minutes == 211
    assert record.nursing_units == {"99601": 1, "99602": 2}
    assert record.teaching_missing == ["side_effects"]


def test_given_2h30_when_recorded_then_99601_alone() -> None:
    """Given 15:00 to 17:30 (150 min; 30 past two hours does not pass the mid-point), then
    99601 alone."""
    doc = VisitDocumentation.model_validate(documentation(ended_at="2027-01-11T17:30:00+00:00"))
    record = visit_record(
        doc,
        visit_id="v",
        referral_id="r",
        task_id="t",
        dose=1,
        nurse=None,
        by="n",
        at=datetime(2027, 1, 11, tzinfo=UTC),
    )
    assert (record.visit_minutes, record.nursing_units) == (150, {"99601": 1})


def test_given_a_lot_expired_before_the_visit_when_documented_then_refused() -> None:
    """Given a lot that expired in December 2026 (month-only expiry: the month's last day,
    2026-12-31), when a January 11, 2027 visit documents it, then it is refused."""
    given = [{"product": "infliximab 100 mg vial", "lot": "OLD1", "expiry": "2026-12"}]
    with pytest.raises(ValidationError, match="lot OLD1 expired on 2026-12-31"):
        VisitDocumentation.model_validate(documentation(given=given))


def test_given_a_lot_expiring_the_month_of_the_visit_when_documented_then_kept() -> None:
    """Given "2027-01" on a January 11 visit: usable through January 31, so kept."""
    given = [{"product": "infliximab", "lot": "JAN", "expiry": "2027-01"}]
    doc = VisitDocumentation.model_validate(documentation(given=given))
    assert str(doc.given[0].expiry) == "2027-01-31"


@pytest.mark.parametrize(
    ("field", "value"),
    [("temperature_c", 98.6), ("pulse_bpm", 400), ("spo2_percent", 101), ("systolic_mmhg", 20)],
)
def test_given_a_vital_outside_its_bounds_when_documented_then_refused(
    field: str, value: float
) -> None:
    """A Fahrenheit temperature in the Celsius field (98.6), a slipped digit: refused, naming
    the field and the bounds file."""
    vitals = [{"at": START, field: value}]
    with pytest.raises(ValidationError, match=field):
        VisitDocumentation.model_validate(documentation(vitals=vitals))


def test_given_no_vitals_value_when_documented_then_refused_rather_than_filled() -> None:
    """A set of vitals with nothing in it is refused (nothing is filled in for the nurse)."""
    with pytest.raises(ValidationError, match="at least one value"):
        VisitDocumentation.model_validate(documentation(vitals=[{"at": START}]))


def test_given_a_stop_before_the_start_when_documented_then_refused() -> None:
    with pytest.raises(ValidationError, match="ends before it starts"):
        VisitDocumentation.model_validate(documentation(ended_at="2027-01-11T14:00:00+00:00"))
