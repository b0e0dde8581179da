"""What discovery needs from the outside: which payers to ask, and (for Original Medicare) an
MBI lookup. The payer directory (issue 26, item 1) offers ``likely_payers``; until it is wired
in, ``intake.discovery.profiles`` answers from today's payer profiles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol


@dataclass(frozen=True, slots=True)
class PayerCandidate:
    """A payer discovery may ask, in the directory's order."""

    name: str
    payer_id: str
    """The clearinghouse's payer id (NM109 of 2100A)."""
    plan_type: str | None
    """commercial, medicare_advantage, medicaid, original_medicare, medigap...; None: unknown."""
    answers_demographic_270: bool | None
    """Whether the payer takes the Name/Date of Birth search (005010X279A1 section 1.4.8);
    None: not known, so it is asked (its AAA answer says, RFI 1913)."""
    order: int


class LikelyPayers(Protocol):
    def likely_payers(self, state: str | None, limit: int) -> list[PayerCandidate]:
        """At most ``limit`` payers for a patient living in ``state`` (None: unknown), most
        likely first."""
        ...


@dataclass(frozen=True, slots=True)
class PersonSearch:
    """Who is searched for: the patient's details as the referral gives them."""

    first_name: str
    last_name: str
    dob: date
    sex: str | None
    postal_code: str | None


class MbiLookup(Protocol):
    def find_mbi(self, person: PersonSearch) -> str | None:
        """The Medicare Beneficiary Identifier of the person, where the clearinghouse finds
        exactly one; None when it finds none."""
        ...
