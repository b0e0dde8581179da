"""`intake run --follow-course`: the auto-nurse documents each dose given (a cleared dose whose
day has come, from dose 2: dose 1's visit is the first visit's task), once, from the sample's
``dose_visit`` script; a dose not yet due, held or already documented gets nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

from intake_local import course_follow
from intake_local.pipeline import LiaisonScripts
from tests.integration.steps import default_visit

TODAY = date(2027, 3, 8)


class Reply:
    def __init__(self, status: int) -> None:
        self.status_code = status

    def json(self) -> dict[str, Any]:
        return {"record": {"nursing_units": {"99601": 1}}}


class Http:
    def __init__(self) -> None:
        self.posted: list[tuple[str, dict[str, Any]]] = []

    def post(self, url: str, json: dict[str, Any], timeout: int) -> Reply:
        self.posted.append((url, json))
        return Reply(200)


class Api:
    base_url = "http://local"
    liaison = "auto-liaison@local"

    def __init__(self) -> None:
        self.http = Http()


def test_each_dose_given_gets_one_visit_record(monkeypatch: Any) -> None:
    """Given doses 1-4 (1 cleared today, 2 cleared yesterday, 3 held, 4 cleared next week),
    when the follower looks twice, then dose 2 alone gets a visit (140 minutes from 10:00)."""
    doses = [
        {"number": 1, "day": "2027-03-08", "status": "cleared"},
        {"number": 2, "day": "2027-03-07", "status": "cleared"},
        {"number": 3, "day": "2027-03-01", "status": "held"},
        {"number": 4, "day": "2027-03-15", "status": "cleared"},
    ]
    monkeypatch.setattr(course_follow, "doses_of", lambda api, rid: doses)
    scripts = LiaisonScripts({"default": {"dose_visit": {**default_visit(), "minutes": 140}}})
    api = Api()
    visited: set[tuple[str, int]] = set()
    for _ in range(2):
        course_follow._document_given_doses(api, scripts, ["r"], TODAY, visited, lambda _: None)  # type: ignore[arg-type]
    assert [url for url, _ in api.http.posted] == ["http://local/referrals/r/doses/2/visit"]
    body = api.http.posted[0][1]
    assert (body["started_at"], body["ended_at"]) == (
        "2027-03-07T10:00:00+00:00",
        "2027-03-07T12:20:00+00:00",
    )
