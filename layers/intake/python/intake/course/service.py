"""The therapy calendar kept in the table: created when the referral is scheduled, then moved,
held, resumed or ended by a nurse or liaison. Every change is on the timeline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from intake.core.clock import utcnow
from intake.core.errors import Conflict, InvalidRequest, NotFound
from intake.course.calendar import (
    CalendarRules,
    ahead,
    build_calendar,
    ended,
    held,
    moved,
    plan_year_start_from,
    resumed,
)
from intake.course.model import DoseRecord, DoseStatus
from intake.course.ports import DoseStore
from intake.models.ports import ReferralStore

EndReason = Literal["discontinued", "completed"]


@dataclass
class Course:
    store: ReferralStore
    doses: DoseStore
    rules: CalendarRules = field(default_factory=CalendarRules)
    clock: Callable[[], datetime] = utcnow

    def start(self, referral_id: str, first_day: date) -> list[DoseRecord]:
        """The calendar from the first infusion date (idempotent: existing doses are kept)."""
        record = self.store.get_referral(referral_id)
        if record is None or record.referral is None:
            raise NotFound(f"referral {referral_id} does not exist or is not validated")
        now = self.clock()
        rules = CalendarRules(
            self.rules.check_lead,
            self.rules.ship_lead,
            plan_year_start_from(record.benefits.answer.plan if record.benefits else None),
        )
        doses = [
            d.model_copy(update={"referral_id": referral_id})
            for d in build_calendar(record.referral, first_day, rules, now)
        ]
        created = sum(self.doses.put_if_new(d) for d in doses)
        if created:
            self.store.record(
                referral_id,
                "course_calendar",
                at=now,
                doses=len(doses),
                first=doses[0].day.isoformat(),
                last=doses[-1].day.isoformat(),
                loading=sum(d.kind == "loading" for d in doses),
            )
        return self.doses.of(referral_id)

    def move(self, referral_id: str, number: int, day: date, by: str) -> DoseRecord:
        dose = self._dose(referral_id, number)
        now = self.clock()
        if day < now.date():
            raise InvalidRequest(f"cannot move a dose into the past ({day.isoformat()})")
        try:
            new = moved(dose, day, self.rules, now)
        except ValueError as exc:
            raise InvalidRequest(str(exc)) from exc
        self.doses.save(new, expect_version=dose.version)
        self.store.record(
            referral_id,
            "dose_moved",
            at=now,
            actor=by,
            dose=number,
            day_from=dose.day.isoformat(),
            day_to=day.isoformat(),
            version=new.version,
        )
        return new

    def hold(self, referral_id: str, reason: str, by: str) -> list[DoseRecord]:
        """Hold the therapy: every dose ahead stops being checked or shipped."""
        return self._each_ahead(
            referral_id, lambda d, now: held(d, reason, now), "course_held", by, reason
        )

    def resume(self, referral_id: str, by: str) -> list[DoseRecord]:
        now = self.clock()
        changed = []
        for dose in self.doses.of(referral_id):
            if dose.status is DoseStatus.HELD and dose.day >= now.date():
                new = resumed(dose, self.rules, now)
                self.doses.save(new, expect_version=dose.version)
                changed.append(new)
        self.store.record(referral_id, "course_resumed", at=now, actor=by, doses=len(changed))
        return changed

    def end(self, referral_id: str, reason: EndReason, by: str) -> list[DoseRecord]:
        return self._each_ahead(
            referral_id, lambda d, now: ended(d, reason, now), "course_ended", by, reason
        )

    def _each_ahead(
        self,
        referral_id: str,
        change: Callable[[DoseRecord, datetime], DoseRecord],
        event: str,
        by: str,
        reason: str,
    ) -> list[DoseRecord]:
        now = self.clock()
        doses = self.doses.of(referral_id)
        if not doses:
            raise NotFound(f"referral {referral_id} has no therapy calendar")
        changed = []
        for dose in ahead(doses, now.date()):
            new = change(dose, now)
            try:
                self.doses.save(new, expect_version=dose.version, expect_status=dose.status.value)
            except Conflict:
                continue  # its check moved it meanwhile; the check re-reads before writing
            changed.append(new)
        self.store.record(referral_id, event, at=now, actor=by, reason=reason, doses=len(changed))
        return changed

    def _dose(self, referral_id: str, number: int) -> DoseRecord:
        dose = self.doses.get(referral_id, number)
        if dose is None:
            raise NotFound(f"referral {referral_id} has no dose {number}")
        return dose
