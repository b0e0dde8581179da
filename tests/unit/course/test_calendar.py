"""The therapy calendar: doses from the prescription and the first infusion date, each with
its check time and ship-by date; moved, held, resumed and ended doses."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from intake.course import calendar as cal
from intake.course.model import DoseStatus
from intake.models.benefits import Plan
from intake.models.referral import Referral

EVENTS = Path(__file__).resolve().parents[3] / "events" / "referrals"
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
RULES = cal.CalendarRules()  # check 7 days ahead, ship 3 days ahead, plan year from January 1


def _referral(name: str, **therapy: Any) -> Referral:
    referral = Referral.model_validate_json((EVENTS / name).read_text(encoding="utf-8"))
    data = referral.model_dump(mode="json")
    data["therapy"].update(therapy)
    return Referral.model_validate(data)


def test_given_monthly_ivig_for_6_months_when_planned_then_7_maintenance_doses_4_weeks_apart() -> (
    None
):
    # Given IVIG every 4 weeks for 6 months, first infusion on Thursday 2026-12-10
    referral = _referral("15-prior-auth-certified.json")
    # When the calendar is built
    doses = cal.build_calendar(referral, date(2026, 12, 10), RULES, NOW)
    # Then 2026-12-10 + 0, 28, ... 168 days: 7 doses (the 8th, 2027-06-24, is past 6 months)
    assert [d.day for d in doses] == [date(2026, 12, 10) + timedelta(days=28 * i) for i in range(7)]
    assert [d.number for d in doses] == [1, 2, 3, 4, 5, 6, 7]
    assert {d.kind for d in doses} == {"maintenance"}
    # And each check is due 7 days before at 13:00 UTC, each ships 3 days before
    assert doses[0].check_at == datetime(2026, 12, 3, 13, 0, tzinfo=UTC)
    assert doses[0].ship_by == date(2026, 12, 7)
    # And 0.4 g/kg x 70 kg = 28 g = 56 units of J1569 (500 mg each) given per dose
    assert {d.drug_units for d in doses} == {56}
    # And the doses from 2027-01-07 on fall in the 2027 plan year (January 1)
    assert [d.plan_year for d in doses] == [2026, 2027, 2027, 2027, 2027, 2027, 2027]
    assert {d.status for d in doses} == {DoseStatus.SCHEDULED} and {d.version for d in doses} == {1}


def test_given_loading_weeks_0_2_6_then_every_8_weeks_when_planned_then_3_loading_doses() -> None:
    # Given infliximab induction at weeks 0, 2 and 6, then every 8 weeks, for 12 months
    referral = _referral(
        "01-ppo-deductible-coinsurance.json",
        frequency="weeks 0, 2 and 6, then every 8 weeks",
    )
    doses = cal.build_calendar(referral, date(2027, 1, 4), RULES, NOW)
    # Then days 0, 14, 42 are loading; maintenance from day 42 + 56 = 98 every 56 days
    start = date(2027, 1, 4)
    assert [d.kind for d in doses[:4]] == ["loading", "loading", "loading", "maintenance"]
    assert [(d.day - start).days for d in doses[:5]] == [0, 14, 42, 98, 154]


def test_given_a_short_check_lead_when_shipping_needs_longer_then_the_check_runs_earlier() -> None:
    # Given checks 2 days ahead but shipping 3 days ahead
    rules = cal.CalendarRules(check_lead=timedelta(days=2), ship_lead=timedelta(days=3))
    # Then the check runs ship lead + 1 = 4 days before the dose (a day to call and clear)
    assert rules.check_at(date(2027, 3, 10)) == datetime(2027, 3, 6, 13, 0, tzinfo=UTC)
    assert rules.ship_by(date(2027, 3, 10)) == date(2027, 3, 7)


def test_given_a_271_plan_begin_of_july_when_read_then_the_plan_year_starts_july_1() -> None:
    assert cal.plan_year_start_from(Plan(begin=date(2026, 7, 1))) == (7, 1)
    assert cal.plan_year_start_from(Plan()) == (1, 1)
    rules = cal.CalendarRules(plan_year_start=(7, 1))
    assert rules.plan_year(date(2027, 6, 30)) == 2026
    assert rules.plan_year(date(2027, 7, 1)) == 2027


def test_given_a_dose_when_moved_then_a_new_version_due_again_from_the_new_day() -> None:
    dose = cal.build_calendar(
        _referral("15-prior-auth-certified.json"), date(2026, 12, 10), RULES, NOW
    )[1]
    # Given dose 2 on 2027-01-07 whose check found something
    checked = dose.model_copy(update={"status": DoseStatus.CHECKING, "check": {"benefits": {}}})
    # When the nurse moves it to 2027-01-12
    new = cal.moved(checked, date(2027, 1, 12), RULES, NOW)
    # Then version 2, checked again 7 days before the new day, ships 3 days before it
    assert (new.version, new.status, new.check) == (2, DoseStatus.SCHEDULED, {})
    assert new.check_at == datetime(2027, 1, 5, 13, 0, tzinfo=UTC)
    assert (new.ship_by, new.moved_from) == (date(2027, 1, 9), date(2027, 1, 7))
    assert new.check_name() == f"{new.referral_id}-dose-2-2"


def test_given_an_ended_dose_when_moved_then_refused() -> None:
    dose = cal.build_calendar(
        _referral("15-prior-auth-certified.json"), date(2026, 12, 10), RULES, NOW
    )[0]
    with pytest.raises(ValueError, match="ended"):
        cal.moved(cal.ended(dose, "discontinued", NOW), date(2026, 12, 20), RULES, NOW)


def test_given_held_doses_when_resumed_then_checked_again_not_before_now() -> None:
    doses = cal.build_calendar(
        _referral("15-prior-auth-certified.json"), date(2026, 12, 10), RULES, NOW
    )
    # Given the therapy held on 2026-12-08 (dose 1 on 12-10 had its check on 12-03)
    later = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
    on_hold = [cal.held(d, "hospitalized", later) for d in cal.ahead(doses, later.date())]
    assert len(on_hold) == 7 and {d.status for d in on_hold} == {DoseStatus.HELD}
    # When resumed on 12-08: dose 1's check time (12-03) is past, so it is due now
    back = [cal.resumed(d, RULES, later) for d in on_hold]
    assert back[0].check_at == later and back[0].version == 2
    # And dose 2 (2027-01-07) keeps its own check time, 2026-12-31 13:00
    assert back[1].check_at == datetime(2026, 12, 31, 13, 0, tzinfo=UTC)


def test_given_doses_when_some_are_past_or_ended_then_only_the_rest_are_ahead() -> None:
    doses = cal.build_calendar(
        _referral("15-prior-auth-certified.json"), date(2026, 12, 10), RULES, NOW
    )
    doses[2] = cal.ended(doses[2], "completed", NOW)
    # On 2027-01-07: dose 1 (12-10) is past, dose 2 is today, dose 3 ended: 2, 4, 5, 6, 7 ahead
    assert [d.number for d in cal.ahead(doses, date(2027, 1, 7))] == [2, 4, 5, 6, 7]
