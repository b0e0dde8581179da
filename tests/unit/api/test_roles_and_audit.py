"""Roles and the PHI access record, decided in one place (intake/api/audit.py).

No AWS: a refused call is refused before its route runs, and the guard is exercised on a small
resolver whose routes are named like the API's, with the access log as a list.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from intake.api import audit
from intake.api.audit import ROUTES, guard, note
from intake.api.identity import Role
from intake.api.routes import app
from intake.workspace.service import AccessEntry
from tests.conftest import FakeLambdaContext, load_event


def event(
    method: str,
    path: str,
    *,
    groups: str | None = "[liaison]",
    claims: dict[str, str] | None = None,
    body: Any = None,
) -> dict[str, Any]:
    """An HTTP API event as API Gateway sends it behind the JWT authorizer."""
    e = copy.deepcopy(load_event("liaison_api/get-tasks"))
    e.update(rawPath=path, rawQueryString="", queryStringParameters=None)
    e["body"] = json.dumps(body) if body is not None else None
    e["requestContext"]["http"].update(method=method, path=path)
    token = {"sub": "u-7", "email": "ana@example.org", "email_verified": "true"}
    if groups is not None:
        token["cognito:groups"] = groups
    e["requestContext"]["authorizer"]["jwt"]["claims"] = claims if claims is not None else token
    return e


def concrete(pattern: str) -> str:
    """A path matching a route pattern (ids of the right shape)."""
    return (
        pattern.replace("<referral_id>", "ref-00000000000000000000")
        .replace("<task_id>", "ref-00000000000000000000.welcome_call.1")
        .replace("<document_id>", "original")
        .replace("<number>", "1")
    )


VALID_BODIES: dict[str, dict[str, Any]] = {
    "/course": {"first_infusion_date": "2027-01-04"},
    "/course/end": {"reason": "completed"},
    "/course/hold": {"reason": "patient in hospital"},
    "/move": {"day": "2027-01-04"},
    "/complete": {"outcome": "reached"},
    "/reassign": {"to": "u-2"},
    "/assessment": {"assessment": {}},
    "/visit": {
        "started_at": "2027-01-11T09:00:00+00:00",
        "ended_at": "2027-01-11T11:00:00+00:00",
        "vitals": [{"at": "2027-01-11T09:00:00+00:00", "pulse_bpm": 72}],
        "teaching": {
            "basics": True,
            "drug_and_supplies": True,
            "storage_and_handling": True,
            "side_effects": True,
        },
    },
    "/directory/imports": {"files": {}},
    "/directory/rollback": {"version": "v0001"},
}
"""A well-formed body per POST route (Powertools validates the shape before any middleware:
a malformed body is 422 whoever sends it; it reads no data)."""


def body_for(pattern: str) -> dict[str, Any]:
    return next((b for end, b in VALID_BODIES.items() if pattern.endswith(end)), {})


def declared_routes() -> set[str]:
    return {f"{r.method} {r.path}" for r in app._static_routes + app._dynamic_routes}


def test_every_route_of_the_api_has_a_rule_and_every_rule_a_route() -> None:
    """Why: a route missing from ROUTES would be refused to everyone, and a rule without a
    route means a rename slipped past the access rules."""
    assert declared_routes() == set(ROUTES)


def test_only_the_access_log_who_am_i_and_the_payer_directory_return_no_patient_data() -> None:
    """Why: every other route shows names, birth dates, notes or doses and must be recorded;
    the payer directory (issue 26) holds payers, contracts and policies, no patient."""
    assert {k for k, rule in ROUTES.items() if not rule.phi} == {
        "GET /me",
        "GET /access-log",
        "GET /directory/versions",
        "POST /directory/imports",
        "POST /directory/rollback",
        "GET /directory/export",
        "GET /directory/payers",
        "GET /directory/payers/<payer_id>",
    }


@pytest.mark.parametrize("key", sorted(k for k, r in ROUTES.items() if set(Role) - r.roles))
def test_a_caller_without_the_routes_role_gets_403_before_it_runs(key: str) -> None:
    """Given a signed-in user whose groups are not among the route's roles
    When they call it
    Then 403 forbidden (no store is touched: the route never runs)."""
    method, pattern = key.split(" ", 1)
    rule = ROUTES[key]
    outsiders = [r for r in Role if r not in rule.roles]
    groups = "[" + " ".join(r.value for r in outsiders) + "]"
    body = body_for(pattern) if method == "POST" else None
    reply = app.resolve(
        event(method, concrete(pattern), groups=groups, body=body), FakeLambdaContext()
    )
    assert reply["statusCode"] == 403, reply
    assert json.loads(reply["body"])["error"] == "forbidden"


@pytest.mark.parametrize(
    ("route", "allowed"),
    [
        ("GET /access-log", {Role.COMPLIANCE}),
        ("POST /referrals/<referral_id>/course/end", {Role.PHARMACIST}),
        ("POST /referrals/<referral_id>/course/hold", {Role.PHARMACIST}),
        ("POST /referrals/<referral_id>/doses/<number>/move", {Role.PHARMACIST}),
        ("POST /tasks/<task_id>/reassign", {Role.SUPERVISOR}),
        ("POST /tasks/<task_id>/claim", {Role.LIAISON, Role.PHARMACIST, Role.NURSE}),
        (
            "GET /referrals/<referral_id>",
            {Role.LIAISON, Role.PHARMACIST, Role.SUPERVISOR, Role.NURSE},
        ),
        ("POST /tasks/<task_id>/visit", {Role.NURSE}),
    ],
)
def test_the_issue_s_role_matrix(route: str, allowed: set[Role]) -> None:
    """Why: issue 24 names who does what: liaisons tasks, pharmacists therapy holds, ends and
    dose moves, supervisors reassignment, compliance the access log (and no patient data);
    issue 25 adds the nurse, who works her queue's tasks, reads the referral and alone
    documents a visit."""
    assert set(ROUTES[route].roles) == allowed


def test_a_token_without_groups_reads_nothing() -> None:
    """Given a valid token of a user in no group, When they list tasks, Then 403."""
    reply = app.resolve(event("GET", "/tasks", groups=None), FakeLambdaContext())
    assert reply["statusCode"] == 403


def test_a_token_without_sub_is_refused_even_with_the_local_header() -> None:
    """Why: behind the authorizer the request's own words never stand in for a token."""
    e = event("GET", "/me", claims={"email": "x@example.org"})
    e["headers"]["x-intake-liaison"] = "x"
    reply = app.resolve(e, FakeLambdaContext())
    assert reply["statusCode"] == 400 and "sub" in json.loads(reply["body"])["message"]


# ------------------------------------------------------------------ the guard itself
def guarded_app(entries: list[AccessEntry]) -> APIGatewayHttpResolver:
    """A resolver with the API's guard and routes named like the API's."""
    small = APIGatewayHttpResolver()
    small.use([guard(entries.append)])
    router = APIGatewayHttpRouter()  # type: ignore[no-untyped-call]

    @router.get("/referrals/<referral_id>")
    def referral(referral_id: str) -> dict[str, str]:
        if referral_id == "ref-missing00000000000":
            return {"missing": referral_id}  # replaced below by a 404 response
        return {"referral_id": referral_id}

    @router.get("/tasks")
    def tasks() -> dict[str, int]:
        note(["ref-a", "ref-b", "ref-a"])
        return {"count": 3}

    @router.get("/me")
    def me() -> dict[str, str]:
        return {"me": audit.caller().id}

    small.include_router(router)
    return small


def test_a_phi_read_is_recorded_with_who_what_when_and_from_where() -> None:
    """Given a liaison signed in as u-7 from 10.0.0.1
    When she reads a referral
    Then one entry: her sub (not her e-mail), the route pattern, the path, the referral id
    from the path, the source IP and the request id; nothing of the patient."""
    entries: list[AccessEntry] = []
    reply = guarded_app(entries).resolve(
        event("GET", "/referrals/ref-11111111111111111111"), FakeLambdaContext()
    )
    assert reply["statusCode"] == 200
    [entry] = entries
    assert entry.user == "u-7"
    assert entry.action == "GET /referrals/<referral_id>"
    assert entry.path == "/referrals/ref-11111111111111111111"
    assert entry.referral_ids == ("ref-11111111111111111111",)
    assert (entry.source_ip, entry.request_id) == ("10.0.0.1", "JKJaXmPLvHcESHA=")


def test_a_listing_records_each_referral_it_showed_once() -> None:
    """Given a task list showing tasks of ref-a (twice) and ref-b, Then the entry names both,
    each once, in the order shown."""
    entries: list[AccessEntry] = []
    guarded_app(entries).resolve(event("GET", "/tasks"), FakeLambdaContext())
    assert [e.referral_ids for e in entries] == [("ref-a", "ref-b")]


def test_who_am_i_is_not_recorded_and_knows_the_caller() -> None:
    entries: list[AccessEntry] = []
    reply = guarded_app(entries).resolve(event("GET", "/me"), FakeLambdaContext())
    assert json.loads(reply["body"]) == {"me": "u-7"} and entries == []


def test_when_the_entry_cannot_be_written_the_answer_is_withheld() -> None:
    """Why: a read of PHI without its record must not happen; the caller gets an error, never
    the data."""

    def broken(entry: AccessEntry) -> None:
        raise RuntimeError("table unavailable")

    small = guarded_app([])
    small._router_middlewares = [guard(broken)]
    with pytest.raises(RuntimeError, match="table unavailable"):
        small.resolve(event("GET", "/referrals/ref-11111111111111111111"), FakeLambdaContext())
