"""Booking the first visit, documenting a visit, and re-booking a missed one.

The workflow books the first visit once the referral is scheduled (``book_first``): the day the
nurse's scheduling call booked, a roster nurse or agency by the booking rule (or the reason
none fits, for a person), the delivery's ship-by day from the dose calendar. The nurse documents
the visit (``document``): the record is checked and kept, the nursing units computed from its
start and stop, and the ``first_visit`` task completed as ``documented``. A visit recorded
``missed`` or ``cancelled`` goes back to the nurse's call (``after_first_visit``); the call's new
date moves the dose calendar (every dose not yet given, by the same number of days: the
label intervals count from the first infusion) and books the visit again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from intake.core.clock import utcnow
from intake.core.errors import Conflict, InvalidRequest, NotFound
from intake.core.observability import logger
from intake.course.calendar import CalendarRules
from intake.course.model import DoseStatus
from intake.models.ports import ReferralStore
from intake.models.records import ReferralRecord, TaskRecord, TaskStatus, TaskType
from intake.models.task_details import FirstVisitDetails
from intake.visit.model import NURSE_CALL_SLA_DAYS, Visit, VisitStatus, visit_id_for
from intake.visit.ports import VisitStore
from intake.visit.record import TEACHING, Nurse, VisitDocumentation, visit_record
from intake.visit.roster import Booked, book

if TYPE_CHECKING:
    from intake.course.service import Course
    from intake.tasks.service import Completion

NURSE_CALL_SLA = timedelta(days=NURSE_CALL_SLA_DAYS)
DOCUMENT_BY = timedelta(days=1)
"""The visit is documented by the end of the day after it (the task's due time)."""
GATE_EVENTS = ("authorization_gate", "authorization_gate_passed")


@dataclass
class Visits:
    store: ReferralStore
    visits: VisitStore
    rules: CalendarRules = field(default_factory=CalendarRules)
    course: Callable[[], Course] | None = None
    clock: Callable[[], datetime] = utcnow

    # ------------------------------------------------------------------ the nurse's call
    def nurse_call_due(self, referral_id: str, sla: timedelta = NURSE_CALL_SLA) -> datetime:
        """Within a couple of days of the authorization in hand: ``sla`` (two days,
        ``NURSE_CALL_SLA``) from when the gate passed (the timeline's last gate event), or
        from now when none is recorded."""
        passed = [
            e.at
            for e in self.store.timeline(referral_id)
            if e.event in GATE_EVENTS
            and (
                e.event == "authorization_gate_passed"
                or e.detail.get("gate") in ("passed", "self_pay")
            )
        ]
        return (max(passed) if passed else self.clock()) + sla

    # ------------------------------------------------------------------ booking
    def book_first(self, referral_id: str, round_: int) -> dict[str, Any]:
        """Book the first visit of ``round_`` (idempotent: a repeated step returns the same
        booking); returns the plan the state machine queues the ``first_visit`` task with."""
        visit_id = visit_id_for(referral_id, 1, round_)
        visit = self.visits.get_visit(referral_id, visit_id)
        if visit is None:
            visit = self._book(self._referral(referral_id), visit_id, round_)
            if self.visits.put_visit(visit):
                self.store.update_referral(
                    referral_id, first_visit=VisitStatus.BOOKED.value, updated_at=self.clock()
                )
                self.store.record(
                    referral_id,
                    "first_visit_scheduled",
                    at=self.clock(),
                    visit_id=visit_id,
                    day=visit.day.isoformat() if visit.day else None,
                    nurse_id=visit.nurse.nurse_id if visit.nurse else None,
                    ship_by=visit.ship_by.isoformat() if visit.ship_by else None,
                    booked=visit.nurse is not None,
                )
            else:
                visit = self.visits.get_visit(referral_id, visit_id) or visit
        return self._plan(visit)

    def _book(self, record: ReferralRecord, visit_id: str, round_: int) -> Visit:
        now = self.clock()
        day = record.first_infusion
        if day is not None:
            self._move_course(record.referral_id, day)
        base: dict[str, Any] = {
            "visit_id": visit_id,
            "referral_id": record.referral_id,
            "round": round_,
            "dose": 1,
            "day": day,
            "booked_at": now,
            "updated_at": now,
        }
        if day is None:
            return Visit(**base, not_booked="the nurse's call booked no date: book the visit")
        base["ship_by"] = self._ship_by(record.referral_id, day)
        patient = record.referral.patient if record.referral else None
        if patient is None:
            return Visit(**base, not_booked="the referral has no patient details to book by")
        booking = book(
            self.visits.roster(),
            state=patient.address.state,
            postal_code=patient.address.postal_code,
            language=patient.preferred_language,
            day=day,
        )
        if not isinstance(booking, Booked):
            return Visit(**base, not_booked=booking.why)
        return Visit(
            **base,
            window_start=booking.window_start,
            window_end=booking.window_end,
            nurse=Nurse(
                nurse_id=booking.nurse_id,
                name=booking.name,
                kind=booking.kind,
                agency=booking.agency,
            ),
            nurse_phone=booking.phone,
        )

    def _ship_by(self, referral_id: str, day: date) -> date:
        """Dose 1's ship-by day from the calendar when it has one, else the calendar's rule."""
        if self.course is not None:
            first = self.course().doses.get(referral_id, 1)
            if first is not None and first.day == day and first.ship_by is not None:
                return first.ship_by
        return self.rules.ship_by(day)

    def _move_course(self, referral_id: str, day: date) -> None:
        """A re-booked first visit moves the calendar: every dose not given yet by the same
        number of days (the label intervals count from the first infusion)."""
        if self.course is None:
            return
        course = self.course()
        doses = course.doses.of(referral_id)
        first = next((d for d in doses if d.number == 1), None)
        if first is None or first.day == day:
            return
        delta = day - first.day
        today = self.clock().date()
        for dose in sorted(doses, key=lambda d: d.number, reverse=delta.days > 0):
            if dose.status is DoseStatus.ENDED or dose.day < min(first.day, today):
                continue
            course.move(referral_id, dose.number, dose.day + delta, "first visit re-booked")

    def _plan(self, visit: Visit) -> dict[str, Any]:
        now = self.clock()
        if visit.day is not None:
            due = datetime.combine(visit.day, time(0), tzinfo=UTC) + DOCUMENT_BY + timedelta(days=1)
        else:
            due = now + NURSE_CALL_SLA
        window = (
            f"{visit.window_start.isoformat('minutes')}-{visit.window_end.isoformat('minutes')}"
            if visit.window_start and visit.window_end
            else None
        )
        details = FirstVisitDetails(
            visit_id=visit.visit_id,
            dose=visit.dose,
            day=visit.day,
            window=window,
            nurse_id=visit.nurse.nurse_id if visit.nurse else None,
            nurse=visit.nurse.name if visit.nurse else None,
            agency=visit.nurse.agency if visit.nurse else None,
            nurse_phone=visit.nurse_phone,
            ship_by=visit.ship_by,
            booked=visit.nurse is not None,
            not_booked=visit.not_booked,
            teach=list(TEACHING),
        )
        return {
            "task_type": TaskType.FIRST_VISIT.value,
            "round": visit.round,
            "visit_id": visit.visit_id,
            "due_at": due.isoformat(),
            "timeout_seconds": max(1, int((due - now).total_seconds())),
            "details": details.model_dump(mode="json", exclude_none=True),
        }

    # ------------------------------------------------------------------ documenting
    def document(self, task: TaskRecord, documentation: VisitDocumentation, by: str) -> Visit:
        """Keep the visit record of an open ``first_visit`` task (the task is completed by the
        caller, see ``intake.api.visit``). Documenting again before the task closes replaces
        the record (a correction); once closed, it is refused."""
        if task.task_type is not TaskType.FIRST_VISIT:
            raise InvalidRequest(f"a {task.task_type.value} task has no visit to document")
        if task.status not in (TaskStatus.OPEN, TaskStatus.CLAIMED):
            raise Conflict(f"task {task.task_id} is already {task.status.value}")
        details = task.details_as(FirstVisitDetails)
        visit = self._visit(task.referral_id, details.visit_id)
        if visit.status not in (VisitStatus.BOOKED, VisitStatus.DOCUMENTED):
            raise Conflict(f"visit {visit.visit_id} is {visit.status.value}")
        now = self.clock()
        record = visit_record(
            documentation,
            visit_id=visit.visit_id,
            referral_id=visit.referral_id,
            task_id=task.task_id,
            dose=visit.dose,
            nurse=visit.nurse,
            by=by,
            at=now,
        )
        documented = visit.model_copy(
            update={"status": VisitStatus.DOCUMENTED, "record": record, "updated_at": now}
        )
        self.visits.save_visit(documented, expect_status=visit.status.value)
        self.store.update_referral(
            visit.referral_id, first_visit=VisitStatus.DOCUMENTED.value, updated_at=now
        )
        self.store.record(
            visit.referral_id,
            "visit_documented",
            at=now,
            actor=by,
            visit_id=visit.visit_id,
            task_id=task.task_id,
            dose=visit.dose,
            minutes=record.visit_minutes,
            nursing_units=[f"{code}x{n}" for code, n in record.nursing_units.items()],
            reactions=len(record.reactions),
            teaching_missing=record.teaching_missing,
        )
        logger.info("visit documented", extra={"visit_id": visit.visit_id})
        return documented

    def completion_check(
        self, task: TaskRecord, completion: Completion
    ) -> Callable[[], None] | None:
        """The ``first_visit`` task's completion hook: ``documented`` needs the record kept
        first; ``missed`` or ``cancelled`` marks the visit so (then the workflow re-books)."""
        details = task.details_as(FirstVisitDetails)
        visit = self._visit(task.referral_id, details.visit_id)
        if completion.outcome == VisitStatus.DOCUMENTED.value:
            if visit.status is not VisitStatus.DOCUMENTED:
                raise InvalidRequest(
                    "document the visit first (POST /tasks/{task_id}/visit with its record)"
                )
            return None
        status = VisitStatus(completion.outcome)

        def mark() -> None:
            current = self._visit(task.referral_id, details.visit_id)
            if current.status is status:
                return  # the reconciler running it again
            now = self.clock()
            self.visits.save_visit(
                current.model_copy(update={"status": status, "updated_at": now}),
                expect_status=current.status.value,
            )
            self.store.update_referral(task.referral_id, first_visit=status.value, updated_at=now)
            self.store.record(
                task.referral_id,
                f"first_visit_{status.value}",
                at=now,
                actor=completion.liaison,
                visit_id=current.visit_id,
                day=current.day.isoformat() if current.day else None,
            )

        return mark

    def after_first_visit(self, referral_id: str, round_: int, outcome: str) -> dict[str, Any]:
        """The workflow's step after the first-visit task: done when documented; a missed or
        cancelled visit goes back to the nurse's call (round + 1), due within the SLA."""
        now = self.clock()
        if outcome == VisitStatus.DOCUMENTED.value:
            return {"next": "done"}
        due = now + NURSE_CALL_SLA
        self.store.record(
            referral_id, "first_visit_rebooking", at=now, round=round_ + 1, outcome=outcome
        )
        return {
            "next": "rebook",
            "round": round_ + 1,
            "due_at": due.isoformat(),
            "timeout_seconds": int(NURSE_CALL_SLA.total_seconds()),
        }

    def document_dose(
        self, referral_id: str, number: int, documentation: VisitDocumentation, by: str
    ) -> Visit:
        """The visit of a later dose of the course (``intake run --follow-course``; a nurse's
        visit without a first-visit task): kept as ``<referral>.visit.<dose>.1`` with its
        record and units. The first dose's visit is the first-visit task's."""
        if number < 2:
            raise InvalidRequest("dose 1's visit is documented on its first_visit task")
        if self.course is None:
            raise InvalidRequest("no therapy calendar")
        dose = self.course().doses.get(referral_id, number)
        if dose is None:
            raise NotFound(f"referral {referral_id} has no dose {number}")
        if dose.status is not DoseStatus.CLEARED:
            raise Conflict(f"dose {number} is {dose.status.value}: only a cleared dose is given")
        now = self.clock()
        visit_id = visit_id_for(referral_id, number, 1)
        record = visit_record(
            documentation,
            visit_id=visit_id,
            referral_id=referral_id,
            task_id="",
            dose=number,
            nurse=None,
            by=by,
            at=now,
        )
        visit = Visit(
            visit_id=visit_id,
            referral_id=referral_id,
            round=1,
            dose=number,
            day=dose.day,
            ship_by=dose.ship_by,
            status=VisitStatus.DOCUMENTED,
            booked_at=now,
            updated_at=now,
            record=record,
        )
        if not self.visits.put_visit(visit):
            raise Conflict(f"visit {visit_id} is already documented")
        self.store.record(
            referral_id,
            "visit_documented",
            at=now,
            actor=by,
            visit_id=visit_id,
            dose=number,
            minutes=record.visit_minutes,
            nursing_units=[f"{code}x{n}" for code, n in record.nursing_units.items()],
            reactions=len(record.reactions),
            teaching_missing=record.teaching_missing,
        )
        return visit

    # ------------------------------------------------------------------ reading
    def of(self, referral_id: str) -> list[Visit]:
        return sorted(self.visits.visits_of(referral_id), key=lambda v: (v.dose or 0, v.round))

    def _visit(self, referral_id: str, visit_id: str) -> Visit:
        visit = self.visits.get_visit(referral_id, visit_id)
        if visit is None:
            raise NotFound(f"visit {visit_id} does not exist")
        return visit

    def _referral(self, referral_id: str) -> ReferralRecord:
        record = self.store.get_referral(referral_id)
        if record is None:
            raise NotFound(f"referral {referral_id} does not exist")
        return record
