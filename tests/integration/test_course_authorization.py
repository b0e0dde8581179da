"""The dose check's authorization step against the real table (moto in-process): units used by
cleared doses, a re-authorization task ahead of time, a held dose, and the liaison's recorded
certification putting it back into the checks."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from intake import wiring
from intake.core.ids import task_id_for
from intake.course.dose_check import DoseCheck, DoseCheckRequest
from intake.course.model import DoseStatus
from intake.models.records import AuthorizationRecord, TaskType
from intake.tasks.service import Completion
from tests.integration.conftest import IntakeResources, ingested

pytestmark = pytest.mark.integration


def _unused() -> Any:
    raise AssertionError("the authorization step calls no payer and makes no estimate")


@pytest.fixture
def ivig(resources: IntakeResources, lambda_context: Any) -> str:
    """Sample 15 (IVIG 0.4 g/kg x 70 kg = 28 g = 56 units of J1569 every 4 weeks for 6 months)
    ingested, its authorization gate passed, its calendar from 2026-12-10, and a certification
    for 2026-12-10..2027-06-09 of 170 units (3 doses of 56, 2 units over)."""
    referral_id = ingested(resources, "15-prior-auth-certified.json", lambda_context)
    store = wiring.store()
    store.update_referral(referral_id, prior_auth={"required": True, "gate": "passed"})
    wiring.course().start(referral_id, date(2026, 12, 10))
    store.put_authorization(
        AuthorizationRecord(
            referral_id=referral_id,
            auth_id="PA1",
            status="certified",
            drug="J1569",
            payer_id="SBX01",
            reasons=[],
            documentation=[],
            packet={},
            decision={
                "effective_from": "2026-12-10",
                "effective_to": "2027-06-09",
                "lines": [{"procedure_code": "J1569", "modifiers": [], "approved_units": 170}],
            },
            submitted_at=datetime(2026, 12, 1, tzinfo=UTC),
            deadline_at=datetime(2026, 12, 8, tzinfo=UTC),
        )
    )
    return referral_id


def _dose_check() -> DoseCheck:
    """The dose check as wired, with no payer and no estimator: authorizing a dose uses neither."""
    return DoseCheck(
        wiring.store(),
        wiring.doses(),
        wiring.task_service(),
        _unused,
        _unused,
        wiring.calendar_rules(),
    )


def _clear(referral_id: str, number: int) -> None:
    doses = wiring.doses()
    dose = doses.get(referral_id, number)
    assert dose is not None
    doses.save(dose.model_copy(update={"status": DoseStatus.CLEARED}), expect_version=dose.version)


def _authorize(check: DoseCheck, referral_id: str, number: int) -> dict[str, Any]:
    dose = wiring.doses().get(referral_id, number)
    assert dose is not None
    return check.run(
        DoseCheckRequest(
            action="authorize", referral_id=referral_id, dose=number, version=dose.version
        )
    )


def test_units_run_out_then_a_recorded_reauthorization_clears_the_next_dose(ivig: str) -> None:
    check = _dose_check()
    # Given doses 1 and 2 cleared: 2 x 56 = 112 of the 170 units used
    _clear(ivig, 1)
    _clear(ivig, 2)
    # When dose 3 (2027-02-04) is checked: 170 - 112 = 58 left, 56 needed: covered
    third = _authorize(check, ivig, 3)
    assert (third["next"], third["units_left"], third["units_needed"]) == ("continue", 58, 56)
    # And the next dose would find 58 - 56 = 2 left: a re-authorization task opens now
    ahead = task_id_for(ivig, TaskType.DOSE_REAUTHORIZATION, 301)
    assert third["reauthorization_task"] == ahead
    _clear(ivig, 3)
    # When dose 4 (2027-03-04) is checked with 170 - 168 = 2 units left
    fourth = _authorize(check, ivig, 4)
    # Then it is held with a task; nothing goes on to the call
    assert fourth["next"] == "stop" and fourth["units_left"] == 2
    held = wiring.doses().get(ivig, 4)
    assert held is not None and held.status is DoseStatus.HELD
    assert held.hold_reason == "the certification has 2 units left; this dose needs 56"
    assert held.tasks == [task_id_for(ivig, TaskType.DOSE_REAUTHORIZATION, 401)]
    # When the liaison records the payer's new certification on the task opened ahead
    tasks = wiring.task_service()
    tasks.complete(
        ahead,
        Completion(
            outcome="resolved",
            liaison="course-test@local",
            corrections={
                "certification_number": "SBX-RA-1",
                "effective_from": "2027-01-15",
                "effective_to": "2027-12-31",
                "approved_units": 400,
            },
        ),
    )
    # Then dose 4 is back in the checks (version 2) and its check finds 170 + 400 - 168 = 402
    resumed = wiring.doses().get(ivig, 4)
    assert resumed is not None and (resumed.status, resumed.version) == (DoseStatus.SCHEDULED, 2)
    again = _authorize(check, ivig, 4)
    assert (again["next"], again["units_approved"], again["units_left"]) == ("continue", 570, 402)
    events = [e.event for e in wiring.store().timeline(ivig)]
    assert "reauthorization_recorded" in events and "dose_held" in events


def test_a_dose_outside_every_certification_is_held(ivig: str) -> None:
    check = _dose_check()
    # Given dose 7 moved past the certification's end (2027-06-09) to 2027-06-12
    wiring.course().move(ivig, 7, date(2027, 6, 12), "nurse@local")
    # When it is checked
    result = _authorize(check, ivig, 7)
    # Then it is held: no certification covers its day
    assert result["next"] == "stop" and result["authorization"] == "not_covered"
    dose = wiring.doses().get(ivig, 7)
    assert dose is not None and dose.hold_reason == "no certification covers 2027-06-12"
