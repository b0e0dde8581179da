"""Sample 49 (issue 25) through the local stack on its own: the nurse's first visit records an
infusion reaction. It ends in the status the samples' README documents.

Why apart from ``test_intake_run``: that module runs every sample; this one can be checked alone
(``-m stack -k visit_samples``) when only the first visit changed.
"""

from __future__ import annotations

from typing import Any

import pytest

from intake_local import pipeline
from tests.conftest import EVENTS
from tests.e2e.test_intake_run import documented_statuses

pytestmark = pytest.mark.e2e

SAMPLE = "49-first-visit-infusion-reaction.json"


@pytest.fixture(scope="module")
def run(local_stack: Any) -> dict[str, Any]:
    files = [EVENTS / "referrals" / SAMPLE]
    result = pipeline.run(local_stack, files, timeout_s=2 * pipeline.default_timeout(len(files)))
    return result.referrals[0]


def test_the_first_visit_records_the_infusion_reaction(
    local_stack: Any, run: dict[str, Any]
) -> None:
    """Given sample 49 run with the auto-liaison (the nurse plays from ``_liaison.json``), then
    it ends where its README row says, its first visit was scheduled and documented under one
    visit id, and the record keeps the reaction (rate halved after a pause, per OCREVUS PI 2.4)
    and the units of 4 h 30 min: 270 - 120 = 150 = 60 + 60 + 30 -> 99601 x1, 99602 x2."""
    assert run["status"] == documented_statuses()[SAMPLE]
    events = {e["event"]: e["detail"] for e in run["timeline"]}
    assert events["first_visit_scheduled"]["visit_id"] == events["visit_documented"]["visit_id"]
    assert events["visit_documented"]["reactions"] == 1
    api = pipeline.LiaisonClient(local_stack.outputs.api_url)
    reply = api.http.get(f"{api.base_url}/referrals/{run['referral_id']}/visits", timeout=30)
    record = reply.json()["visits"][0]["record"]
    assert record["nursing_units"] == {"99601": 1, "99602": 2}
    reaction = record["reactions"][0]
    assert (reaction["severity"], reaction["rate_action"], reaction["resolved"]) == (
        "moderate",
        "slowed",
        True,
    )
    assert "2.4" in reaction["guidance"]
