"""The therapy calendar: doses from the prescription and the first infusion date (pure).

The dosing days are the ones the estimate and the 278 read (``intake.therapy``): loading
doses ("weeks 0, 2 and 6") then maintenance, a counted course, or an open-ended course planned
a year ahead. Each dose's check is due ``check_lead`` before it, and never later than the
shipping lead allows (ship-by = dose day - ``ship_lead``; the check must leave a day to call
and clear). Moving a dose re-plans only that dose; holding or ending takes every dose still
ahead out of the checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from intake.course.model import OPEN_STATUSES, DoseRecord, DoseStatus
from intake.models.benefits import Plan
from intake.models.billing import Component
from intake.models.referral import Referral

OPEN_ENDED_HORIZON = timedelta(days=365)
CHECK_HOUR = time(13, 0)  # 13:00 UTC: morning in every US time zone


@dataclass(frozen=True)
class CalendarRules:
    check_lead: timedelta = timedelta(days=7)
    ship_lead: timedelta = timedelta(days=3)
    plan_year_start: tuple[int, int] = (1, 1)  # month, day (the 271's plan begin when known)

    def check_at(self, day: date) -> datetime:
        lead = max(self.check_lead, self.ship_lead + timedelta(days=1))
        return datetime.combine(day - lead, CHECK_HOUR, tzinfo=UTC)

    def ship_by(self, day: date) -> date:
        return day - self.ship_lead

    def plan_year(self, day: date) -> int:
        month, dom = self.plan_year_start
        return day.year if (day.month, day.day) >= (month, dom) else day.year - 1


def plan_year_start_from(plan: Plan | None) -> tuple[int, int]:
    """The plan year's first month and day from the 271's plan dates (January 1 without)."""
    if plan is None or plan.begin is None:
        return 1, 1
    return plan.begin.month, plan.begin.day


def build_calendar(
    referral: Referral, first_day: date, rules: CalendarRules, now: datetime
) -> list[DoseRecord]:
    """Every dose of the course from ``first_day`` (a year of an open-ended course)."""
    from intake.therapy import plan_services  # the prescription reader, only here

    plan = plan_services(referral, first_day)
    if plan.open_ended:
        plan = plan_services(referral, first_day, through=first_day + OPEN_ENDED_HORIZON)
    frequency = plan.frequency
    loading = len(frequency.loading_days) if frequency and frequency.loading_days else 0
    if plan.dose_plan is not None and plan.dose_plan.loading is not None:
        loading = max(loading, plan.dose_plan.loading_count or 1)
    units = {  # drug units given (a JW line's discarded amount is not administered)
        d.day: sum(
            c.units for c in d.charges if c.component is Component.DRUG and "JW" not in c.modifiers
        )
        for d in plan.days
    }
    days = plan.dose_dates or (plan.start,)
    single = len(days) == 1
    return [
        DoseRecord(
            referral_id="",
            number=i + 1,
            day=day,
            kind="single" if single else "loading" if i < loading else "maintenance",
            drug_units=units.get(day) or None,
            plan_year=rules.plan_year(day),
            check_at=rules.check_at(day),
            ship_by=rules.ship_by(day),
            updated_at=now,
        )
        for i, day in enumerate(days)
    ]


def moved(dose: DoseRecord, day: date, rules: CalendarRules, now: datetime) -> DoseRecord:
    """The dose on another day: a new version, its check due again from the new day."""
    if dose.status is DoseStatus.ENDED:
        raise ValueError(f"dose {dose.number} is ended: it cannot be moved")
    return dose.model_copy(
        update={
            "day": day,
            "moved_from": dose.moved_from or dose.day,
            "version": dose.version + 1,
            "status": DoseStatus.SCHEDULED,
            "hold_reason": None,
            "check": {},
            "check_at": rules.check_at(day),
            "ship_by": rules.ship_by(day),
            "plan_year": rules.plan_year(day),
            "execution_name": None,
            "updated_at": now,
        }
    )


def ahead(doses: list[DoseRecord], today: date) -> list[DoseRecord]:
    """Doses not yet given (today's included) that are still checked or cleared."""
    return [
        d
        for d in doses
        if d.day >= today and (d.status in OPEN_STATUSES or d.status is DoseStatus.CLEARED)
    ]


def held(dose: DoseRecord, reason: str, now: datetime) -> DoseRecord:
    return dose.model_copy(
        update={"status": DoseStatus.HELD, "hold_reason": reason, "updated_at": now}
    )


def resumed(dose: DoseRecord, rules: CalendarRules, now: datetime) -> DoseRecord:
    """A held dose back in the checks (a new version: its earlier check is spent)."""
    return dose.model_copy(
        update={
            "status": DoseStatus.SCHEDULED,
            "hold_reason": None,
            "version": dose.version + 1,
            "check": {},
            "check_at": max(rules.check_at(dose.day), now),
            "execution_name": None,
            "updated_at": now,
        }
    )


def ended(dose: DoseRecord, reason: str, now: datetime) -> DoseRecord:
    return dose.model_copy(
        update={"status": DoseStatus.ENDED, "hold_reason": reason, "updated_at": now}
    )
