"""The nurse roster the pharmacy maintains, and the booking rule (pure).

A roster entry is a nurse or a nursing agency: who, where they go (states, and optionally ZIP
codes or 3-digit ZIP prefixes within them), which languages they speak with patients, and when
they can visit (weekly windows, optionally between two dates). The pharmacy edits the roster
as a JSON file (``intake roster load`` writes it to the table; the local stack loads
``infra/local/intake_local/sandbox/nurse_roster.json``).

Booking: of the entries that serve the patient's state and ZIP and speak the patient's language,
the one whose window on the booked day starts earliest (roster order breaks a tie). None
matches: the booking says why, and a person books the visit by hand. A nurse is never
invented.
"""

from __future__ import annotations

from datetime import date, time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from intake.models.referral import Language

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class Availability(BaseModel):
    """When a nurse can start a visit: on these weekdays, between ``start`` and ``end``, and
    (optionally) only from ``valid_from`` through ``valid_to`` (a contract, a leave)."""

    model_config = ConfigDict(extra="forbid")

    days: list[Weekday] = Field(min_length=1)
    start: time
    end: time
    valid_from: date | None = None
    valid_to: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Availability:
        if self.end <= self.start:
            raise ValueError("an availability window ends after it starts")
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self

    def on(self, day: date) -> bool:
        if WEEKDAYS[day.weekday()] not in self.days:
            return False
        if self.valid_from is not None and day < self.valid_from:
            return False
        return self.valid_to is None or day <= self.valid_to


class RosterEntry(BaseModel):
    """A nurse (``kind: nurse``, possibly of an agency) or an agency booked as a whole."""

    model_config = ConfigDict(extra="forbid")

    nurse_id: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9._-]+$")
    name: str = Field(min_length=1, max_length=120)
    kind: Literal["nurse", "agency"]
    agency: str | None = Field(default=None, max_length=120)
    phone: str | None = Field(default=None, max_length=20)
    states: list[str] = Field(min_length=1, description="USPS state codes served")
    zips: list[str] = Field(
        default_factory=list,
        description="ZIP codes (5 digits) or prefixes (3 digits) served; empty: the whole states",
    )
    languages: list[Language] = Field(min_length=1)
    availability: list[Availability] = Field(min_length=1)
    active: bool = True

    def serves(self, state: str, postal_code: str) -> bool:
        if state.upper() not in {s.upper() for s in self.states}:
            return False
        return not self.zips or any(postal_code.startswith(z) for z in self.zips)

    def window_on(self, day: date) -> Availability | None:
        """The earliest-starting window the entry has on ``day``, if any."""
        windows = [w for w in self.availability if w.on(day)]
        return min(windows, key=lambda w: w.start) if windows else None


class Roster(BaseModel):
    """The whole roster as the pharmacy keeps it (the JSON file's shape)."""

    model_config = ConfigDict(extra="forbid")

    updated: date | None = Field(default=None, description="when the pharmacy last edited it")
    nurses: list[RosterEntry] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> Roster:
        ids = [n.nurse_id for n in self.nurses]
        if len(ids) != len(set(ids)):
            raise ValueError("each roster entry needs its own nurse_id")
        return self


class Booked(BaseModel):
    """A visit booked with a roster entry: who, which day, the window's start and end."""

    nurse_id: str
    name: str
    kind: Literal["nurse", "agency"]
    agency: str | None = None
    phone: str | None = None
    day: date
    window_start: time
    window_end: time


class NotBooked(BaseModel):
    """No roster entry fits: why, for the person who books by hand."""

    day: date
    why: str


def book(
    roster: Roster, *, state: str, postal_code: str, language: Language, day: date
) -> Booked | NotBooked:
    """The booking rule: region, then language, then the earliest window on ``day``."""
    active = [n for n in roster.nurses if n.active]
    if not active:
        return NotBooked(day=day, why="the nurse roster is empty: book a nurse or agency by hand")
    local = [n for n in active if n.serves(state, postal_code)]
    if not local:
        return NotBooked(
            day=day,
            why=f"no roster nurse or agency serves {state} {postal_code[:3]}xx: "
            "book one by hand (or add one to the roster)",
        )
    speaking = [n for n in local if language in n.languages]
    if not speaking:
        return NotBooked(
            day=day,
            why=f"no roster nurse in the patient's region speaks {language.value}: "
            "book one by hand (an interpreter, or an agency)",
        )
    open_ = [(n, w) for n in speaking if (w := n.window_on(day)) is not None]
    if not open_:
        return NotBooked(
            day=day,
            why=f"no roster nurse in the region who speaks {language.value} is available on "
            f"{day.isoformat()} ({WEEKDAYS[day.weekday()]}): book one by hand or move the visit",
        )
    nurse, window = min(open_, key=lambda pair: pair[1].start)  # stable: roster order on ties
    return Booked(
        nurse_id=nurse.nurse_id,
        name=nurse.name,
        kind=nurse.kind,
        agency=nurse.agency,
        phone=nurse.phone,
        day=day,
        window_start=window.start,
        window_end=window.end,
    )
