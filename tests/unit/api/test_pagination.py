"""Lists come a page at a time, so no answer grows past what a Lambda response carries (6 MB)."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from typing import Any

import pytest

from intake.api import course, routes
from intake.core.clock import utcnow
from intake.course.model import DoseRecord, DoseStatus
from intake.workspace.service import AccessEntry
from tests.conftest import FakeLambdaContext, load_event


class FakeDoses:
    def __init__(self, doses: list[DoseRecord]) -> None:
        self.doses = doses

    def listed(self, status: DoseStatus, until: Any) -> list[DoseRecord]:
        return [d for d in self.doses if d.status is status]


class FakeReferrals:
    def tasks_of(self, referral_id: str) -> list[Any]:
        return []


def held(referral: str, number: int, in_days: int) -> DoseRecord:
    now = utcnow()
    return DoseRecord(
        referral_id=referral,
        number=number,
        day=(now + timedelta(days=in_days)).date(),
        kind="maintenance",
        plan_year=now.year,
        status=DoseStatus.HELD,
        check_at=now,
        updated_at=now,
    )


def get(path: str, query: dict[str, str]) -> dict[str, Any]:
    e = copy.deepcopy(load_event("liaison_api/get-tasks"))
    e.update(rawPath=path, queryStringParameters=query, rawQueryString="")
    e["requestContext"]["http"].update(method="GET", path=path)
    reply = routes.app.resolve(e, FakeLambdaContext())
    assert reply["statusCode"] == 200, reply
    body: dict[str, Any] = json.loads(reply["body"])
    return body


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> list[AccessEntry]:
    entries: list[AccessEntry] = []

    class Log:
        def record(self, entry: AccessEntry) -> None:
            entries.append(entry)

    monkeypatch.setattr(routes, "_access_log", Log)
    return entries


def test_upcoming_doses_page_by_page_in_day_order(
    monkeypatch: pytest.MonkeyPatch, recorded: list[AccessEntry]
) -> None:
    """Given five held doses (ref-b's on days 1 and 3, ref-a's on days 2, 4 and 5)
    When read two a page
    Then pages of 2, 2 and 1 in day order, each page's entry naming only its referrals."""
    doses = [held("ref-b", 1, 1), held("ref-a", 1, 2), held("ref-b", 2, 3)]
    doses += [held("ref-a", 2, 4), held("ref-a", 3, 5)]
    monkeypatch.setattr(course, "_deps", lambda: (None, FakeDoses(doses), FakeReferrals()))
    pages, query = [], {"status": "held", "limit": "2"}
    while True:
        page = get("/doses", query)
        pages.append([(d["referral_id"], d["number"]) for d in page["doses"]])
        if not page["next"]:
            break
        query = {**query, "next": page["next"]}
    assert pages == [[("ref-b", 1), ("ref-a", 1)], [("ref-b", 2), ("ref-a", 2)], [("ref-a", 3)]]
    assert [e.referral_ids for e in recorded] == [
        ("ref-b", "ref-a"),
        ("ref-b", "ref-a"),
        ("ref-a",),
    ]


def test_a_page_of_100_task_views_stays_far_below_the_6_mb_response_limit() -> None:
    """Worked example: a task view is about 2 KB (a call with its script and estimate can
    reach 20 KB); 100 x 20 KB = 2 MB < 6 MB."""
    assert routes.PAGE_SIZE * 20 * 1024 < 6 * 1024 * 1024
