"""What the visit code needs from the table (``intake.adapters.dynamodb_visits``)."""

from __future__ import annotations

from typing import Protocol

from intake.visit.model import Visit
from intake.visit.roster import Roster


class VisitStore(Protocol):
    def roster(self) -> Roster:
        """The roster the pharmacy keeps (empty when none was loaded)."""
        ...

    def save_roster(self, roster: Roster) -> None: ...
    def put_visit(self, visit: Visit) -> bool:
        """Write a new visit; False when one with its id is stored (a repeated step)."""
        ...

    def save_visit(self, visit: Visit, *, expect_status: str) -> None:
        """Replace the visit while its status is ``expect_status`` (else ``Conflict``)."""
        ...

    def get_visit(self, referral_id: str, visit_id: str) -> Visit | None: ...
    def visits_of(self, referral_id: str) -> list[Visit]: ...
