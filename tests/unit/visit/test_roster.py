"""The booking rule: region, then language, then the earliest window on the booked day; no
match is said in words for a person to book, and a nurse is never invented."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest
from pydantic import ValidationError

from intake.models.referral import Language
from intake.visit.roster import Booked, NotBooked, Roster, book

MONDAY = date(2027, 1, 11)  # a Monday
SATURDAY = date(2027, 1, 16)


def entry(nurse_id: str, **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "nurse_id": nurse_id,
        "name": f"Nurse {nurse_id}",
        "kind": "nurse",
        "states": ["IL"],
        "zips": ["606"],
        "languages": ["en"],
        "availability": [
            {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "17:00"}
        ],
    }
    base.update(changes)
    return base


def roster(*entries: dict[str, Any]) -> Roster:
    return Roster.model_validate({"nurses": list(entries)})


def test_given_two_matching_nurses_when_booked_then_the_earliest_window_wins() -> None:
    """Given two nurses serving 606xx in English, one from 09:00 and one from 07:30, when a
    Monday visit is booked, then the 07:30 nurse is booked (earliest availability)."""
    # Given
    nurses = roster(
        entry("late"),
        entry("early", availability=[{"days": ["mon"], "start": "07:30", "end": "12:00"}]),
    )
    # When
    booked = book(nurses, state="IL", postal_code="60613", language=Language.ENGLISH, day=MONDAY)
    # Then
    assert isinstance(booked, Booked)
    assert (booked.nurse_id, booked.window_start) == ("early", time(7, 30))


def test_given_language_only_outside_the_region_when_booked_then_none_and_why() -> None:
    """Given a Spanish-speaking nurse in Indiana and an English one in Chicago, when a Spanish
    speaker in Chicago is booked, then nobody is booked and the reason names the language."""
    # Given
    nurses = roster(entry("chi"), entry("ind", states=["IN"], zips=[], languages=["es"]))
    # When
    result = book(nurses, state="IL", postal_code="60613", language=Language.SPANISH, day=MONDAY)
    # Then
    assert isinstance(result, NotBooked)
    assert "speaks es" in result.why


def test_given_no_window_on_the_day_when_booked_then_none_and_a_person_books() -> None:
    """Given weekday nurses only, when a Saturday visit is booked, then nobody is booked and
    the reason says the day, for a person to book by hand."""
    result = book(
        roster(entry("weekday")),
        state="IL",
        postal_code="60613",
        language=Language.ENGLISH,
        day=SATURDAY,
    )
    assert isinstance(result, NotBooked)
    assert "2027-01-16" in result.why and "by hand" in result.why


def test_given_a_leave_when_booked_then_the_nurse_is_not_booked_in_it() -> None:
    """Given a nurse whose window is valid only until January 10 and an agency always
    available, when January 11 is booked, then the agency is booked."""
    nurses = roster(
        entry(
            "leaving",
            availability=[
                {"days": ["mon"], "start": "08:00", "end": "12:00", "valid_to": "2027-01-10"}
            ],
        ),
        entry("agency", kind="agency", agency="Lakeshore Home Nursing"),
    )
    booked = book(nurses, state="IL", postal_code="60613", language=Language.ENGLISH, day=MONDAY)
    assert isinstance(booked, Booked) and booked.nurse_id == "agency"


def test_given_an_empty_roster_when_booked_then_nobody_is_invented() -> None:
    """Given no roster, when booked, then nobody: the reason says the roster is empty."""
    result = book(Roster(), state="IL", postal_code="60613", language=Language.ENGLISH, day=MONDAY)
    assert isinstance(result, NotBooked) and "empty" in result.why


def test_given_a_window_that_ends_before_it_starts_when_loaded_then_refused() -> None:
    """A roster the pharmacy mistyped is refused whole, not half-read."""
    with pytest.raises(ValidationError):
        roster(entry("x", availability=[{"days": ["mon"], "start": "17:00", "end": "09:00"}]))


def test_the_local_sample_roster_loads() -> None:
    """The local stack's roster (infra/local) is a valid roster and has an English, a
    Spanish and a Chinese speaker serving Chicago (the samples' patients)."""
    from pathlib import Path

    path = Path(__file__).parents[3] / "infra/local/intake_local/sandbox/nurse_roster.json"
    loaded = Roster.model_validate_json(path.read_text("utf-8"))
    for language in (Language.ENGLISH, Language.SPANISH, Language.CHINESE):
        assert isinstance(
            book(loaded, state="IL", postal_code="60613", language=language, day=MONDAY), Booked
        )
