"""The visit items and the roster in the table (moto, in-process): what is written reads back
typed, a repeated booking writes nothing, and a visit changed meanwhile is a conflict."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from intake.adapters.dynamodb_visits import DynamoDbVisits
from intake.core.errors import Conflict
from intake.visit.model import Visit, VisitStatus
from intake.visit.roster import Roster
from tests.integration.conftest import IntakeResources
from tests.unit.visit.test_service import ROSTER

pytestmark = pytest.mark.integration

NOW = datetime(2027, 1, 4, 15, tzinfo=UTC)


def test_the_roster_and_a_visit_read_back_as_written(resources: IntakeResources) -> None:
    """Given the sample roster saved and a booked visit put, when read back, then the same
    roster (every nurse, windows and all) and the same visit; putting it again writes nothing;
    saving it while expecting another status is refused."""
    table = DynamoDbVisits(resources.table_name)
    assert table.roster() == Roster()  # none loaded: empty, never invented
    roster = Roster.model_validate_json(ROSTER.read_text("utf-8"))
    table.save_roster(roster)
    assert table.roster() == roster
    visit = Visit(
        visit_id="r.visit.1.1",
        referral_id="r",
        round=1,
        dose=1,
        day=date(2027, 1, 11),
        ship_by=date(2027, 1, 8),
        booked_at=NOW,
        updated_at=NOW,
    )
    assert table.put_visit(visit) is True
    assert table.put_visit(visit) is False
    assert table.get_visit("r", visit.visit_id) == visit
    assert table.visits_of("r") == [visit]
    missed = visit.model_copy(update={"status": VisitStatus.MISSED})
    table.save_visit(missed, expect_status="booked")
    with pytest.raises(Conflict):
        table.save_visit(visit, expect_status="booked")
