"""Which day the workflow plans from: receipt, never the document's own date."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from intake.authorization.coverage import planned_doses, requested_plan, uncovered
from intake.models.dates import TherapySchedule, order_age, planned
from intake.models.referral import Referral
from intake.therapy.plan import from_day
from tests.conftest import EVENTS

RECEIVED = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)


def referral(**therapy: object) -> Referral:
    data = json.loads((EVENTS / "referrals" / "01-ppo-deductible-coinsurance.json").read_text())
    data["therapy"].update(therapy)
    return Referral.model_validate(data)


def test_a_start_before_receipt_means_as_soon_as_possible() -> None:
    # Given a therapy prescribed to start on 2025-04-01, received 2026-11-30
    start = TherapySchedule.of(referral(start_date="2025-04-01"), RECEIVED)
    # Then the workflow plans from the receipt date, and says the prescriber must confirm
    assert start.planned_start == date(2026, 11, 30) and start.as_soon_as_possible
    assert start.prescribed_start == date(2025, 4, 1) and start.first_infusion is None
    assert "2025-04-01" in (start.note() or "") and "prescriber" in (start.note() or "")


def test_a_future_start_is_kept_and_needs_no_confirmation() -> None:
    start = TherapySchedule.of(referral(start_date="2026-12-14"), RECEIVED)
    assert start.planned_start == date(2026, 12, 14) and not start.as_soon_as_possible
    assert start.note() is None


def test_no_start_is_planned_from_receipt() -> None:
    start = TherapySchedule.of(referral(), RECEIVED)
    assert start.planned_start == RECEIVED.date() and start.as_soon_as_possible
    assert "no start date" in (start.note() or "")


def test_planned_referral_starts_on_or_after_receipt() -> None:
    # Given an old start, When planned, Then every dose the course plans is on or after receipt
    plan = planned(referral(start_date="2025-04-01"), RECEIVED)
    doses = planned_doses(requested_plan(plan))
    assert plan.therapy.start_date == RECEIVED.date()
    assert doses and min(doses) >= RECEIVED.date()


def test_order_age_comes_from_the_documents_own_date() -> None:
    written = RECEIVED - timedelta(days=120)
    aged = referral().model_copy(update={"received_at": written})
    assert order_age(aged, RECEIVED) == timedelta(days=120)
    # A document with no date of its own (intake filled in the upload time) has no age
    assert order_age(referral().model_copy(update={"received_at": RECEIVED}), RECEIVED) is None


def test_planned_doses_every_8_weeks_for_12_months() -> None:
    """2026-12-01 + k x 56 days while before 2027-12-01: k = 0..6 (day 336 = 2027-11-02;
    day 392 would be 2027-12-28) → 7 doses."""
    doses = planned_doses(requested_plan(referral(start_date="2026-12-01")))
    assert len(doses) == 7
    assert doses[0] == date(2026, 12, 1) and doses[-1] == date(2027, 11, 2)


def test_uncovered_doses_and_the_request_for_them() -> None:
    # Given 7 doses, and a certification covering 2026-12-01 to 2027-05-31 (doses 1-4:
    # Dec 1, Jan 26, Mar 23, May 18)
    plan = requested_plan(referral(start_date="2026-12-01"))
    doses = planned_doses(plan)
    missing = uncovered(doses, [(date(2026, 12, 1), date(2027, 5, 31))])
    assert missing == doses[4:] and len(missing) == 3
    # When the uncovered part is requested, Then the request covers exactly those doses, and
    # its drug units are those 3 doses' (5 mg/kg x 70 kg = 350 mg: 4 vials of 100 mg, 40
    # units a dose of which 35 given and 5 wasted; 3 doses: 105 given, 15 wasted)
    rest = from_day(plan, missing[0])
    assert planned_doses(rest) == missing
    given = next(line for line in rest.lines if line.code == "J1745" and "JW" not in line.modifiers)
    wasted = next(line for line in rest.lines if line.code == "J1745" and "JW" in line.modifiers)
    assert (given.units, wasted.units) == (105, 15)


def test_loading_doses_are_not_restarted_for_the_uncovered_part() -> None:
    """Weeks 0, 2 and 6, then every 8 weeks, from 2026-12-01: Dec 1, Dec 15, Jan 12, then
    Mar 9, May 4, Jun 29, Aug 24, Oct 19 (8 doses in 12 months). A certification through
    2027-03-31 covers 4; the rest (May 4 on) keep their 8-week spacing."""
    plan = requested_plan(
        referral(start_date="2026-12-01", frequency="weeks 0, 2 and 6, then every 8 weeks")
    )
    doses = planned_doses(plan)
    assert len(doses) == 8 and doses[3] == date(2027, 3, 9)
    missing = uncovered(doses, [(date(2026, 12, 1), date(2027, 3, 31))])
    assert planned_doses(from_day(plan, missing[0])) == doses[4:]
