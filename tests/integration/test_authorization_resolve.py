"""The prior_auth handler acting on what a liaison decided, against moto and the sandbox
clearinghouse over real HTTP: the paths the state machine tests do not reach."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from intake.adapters.dynamodb_store import DynamoDbStore
from intake.clearinghouse import ClearinghouseError
from intake.eligibility.service import PayerUnavailable
from intake_local.sandbox.server import SandboxClearinghouse
from tests.conftest import load_handler
from tests.integration.conftest import IntakeResources


@pytest.fixture
def prior_auth(check: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("PHARMACY_PHONE", "3125550190")
    monkeypatch.setenv("PHARMACY_FAX", "3125550191")
    return load_handler("prior_auth").lambda_handler


@pytest.fixture
def payer_down_referral(
    verified: Callable[[str], str],
    prior_auth: Any,
    clearinghouse: SandboxClearinghouse,
    lambda_context: Any,
) -> str:
    """Given sample 15 verified, its 278 refused by the payer on every try: the submit step
    raises (the state machine retries it, then takes the payer-down path). Its referral id."""
    referral_id = verified("15-prior-auth-certified.json")
    clearinghouse.fail_next(1000)
    try:
        with pytest.raises((PayerUnavailable, ClearinghouseError)):
            prior_auth({"action": "submit", "referral_id": referral_id}, lambda_context)
    finally:
        clearinghouse.fail_next(0)
    return referral_id


def test_a_request_the_payer_never_received_is_certified_by_phone(
    payer_down_referral: str, resources: IntakeResources, prior_auth: Any, lambda_context: Any
) -> None:
    # Given a verified referral that needs authorization, and a payer refusing every 278
    referral_id = payer_down_referral
    # When the workflow gives up (payer down), Then a follow-up asks a person to fax the packet
    down = prior_auth({"action": "payer_down", "referral_id": referral_id}, lambda_context)
    assert down["route"] == "task" and down["task"]["task_type"] == "prior_auth_followup"
    assert down["auth_id"] is None
    # When the liaison records the payer's certification given by phone
    result = {
        "outcome": "certified",
        "task_id": f"{referral_id}.prior_auth_followup.1",
        "corrections": {
            "certification_number": "PHONE123",
            "effective_from": "2026-01-01",
            "effective_to": "2030-12-31",
        },
    }
    step = prior_auth(
        {"action": "resolve", "referral_id": referral_id, "result": result}, lambda_context
    )
    # Then the gate passes on those dates (they cover every planned dose), nothing crashes
    assert step["route"] == "proceed" and step["status"] == "certified"
    record = DynamoDbStore(resources.table_name).get_referral(referral_id)
    assert record is not None and record.prior_auth is not None
    assert record.prior_auth.gate == "passed"
    assert record.prior_auth.certification_number == "PHONE123"


def test_a_short_certification_by_phone_files_for_the_uncovered_doses(
    payer_down_referral: str, resources: IntakeResources, prior_auth: Any, lambda_context: Any
) -> None:
    # Given the same payer-down path, and a phone certification ending before the last doses
    referral_id = payer_down_referral
    record = DynamoDbStore(resources.table_name).get_referral(referral_id)
    assert record is not None
    first = record.uploaded_at.date()
    result = {
        "outcome": "certified",
        "task_id": f"{referral_id}.prior_auth_followup.1",
        "corrections": {
            "certification_number": "PHONE456",
            "effective_from": first.isoformat(),
            "effective_to": first.isoformat(),
        },
    }
    # When it is recorded, Then only the first dose is covered: a 278 goes out for the rest
    # (the sandbox certifies it), and the gate passes only then
    step = prior_auth(
        {"action": "resolve", "referral_id": referral_id, "result": result}, lambda_context
    )
    store = DynamoDbStore(resources.table_name)
    kinds = sorted(a.kind for a in store.authorizations_of(referral_id))
    assert kinds == ["extension", "initial"]
    events = [e.event for e in store.timeline(referral_id)]
    assert "authorization_does_not_cover_doses" in events
    assert step["route"] == "proceed"
    extension = next(a for a in store.authorizations_of(referral_id) if a.kind == "extension")
    assert extension.requested_from is not None and extension.requested_from > first


def test_out_of_network_needs_a_network_exception_before_any_request(
    resources: IntakeResources,
    verified: Callable[[str], str],
    prior_auth: Any,
    lambda_context: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from intake.authorization import gate as authorization
    from intake.authorization.packet import PaDecision

    # Given a referral whose payer has the pharmacy out of network, with no out-of-network
    # benefit (the policy decision says a network exception is needed)
    referral_id = verified("15-prior-auth-certified.json")
    monkeypatch.setattr(
        authorization,
        "decide_prior_auth",
        lambda referral, benefits: PaDecision(
            required=True,
            reasons=["the payer's medical policy requires prior authorization"],
            documentation=[],
            network_exception=True,
            network_exception_reason="out of network, and the plan has no out-of-network benefit",
        ),
    )
    # When the authorization step runs
    step = prior_auth({"action": "submit", "referral_id": referral_id}, lambda_context)
    # Then no 278 goes out: a liaison asks for a single-case agreement first
    assert step["route"] == "task" and step["task"]["task_type"] == "network_exception"
    store = DynamoDbStore(resources.table_name)
    assert store.authorizations_of(referral_id) == []
    record = store.get_referral(referral_id)
    assert record is not None and record.prior_auth is not None
    assert record.prior_auth.gate == "waiting"
    # When the payer grants it, Then the authorization is filed (and certified by the sandbox)
    approved = prior_auth(
        {
            "action": "resolve",
            "referral_id": referral_id,
            "result": {"outcome": "approved", "task_id": f"{referral_id}.network_exception.1"},
        },
        lambda_context,
    )
    assert approved["route"] == "proceed" and approved["status"] == "certified"
    assert [a.kind for a in store.authorizations_of(referral_id)] == ["initial"]


def test_a_denied_network_exception_goes_to_the_appeal_or_alternatives_task(
    verified: Callable[[str], str], prior_auth: Any, lambda_context: Any
) -> None:
    referral_id = verified("15-prior-auth-certified.json")

    def resolve(outcome: str, task: str) -> dict[str, Any]:
        result = {"outcome": outcome, "task_id": f"{referral_id}.{task}"}
        out: dict[str, Any] = prior_auth(
            {"action": "resolve", "referral_id": referral_id, "result": result}, lambda_context
        )
        return out

    # When the payer refuses the single-case agreement
    denied = resolve("denied", "network_exception.1")
    # Then the liaison decides on appeal or alternatives, and appealing the network decision
    # asks for the payer's answer on a new network-exception task (nothing was filed to appeal)
    assert denied["route"] == "task" and denied["task"]["task_type"] == "appeal_or_alternatives"
    appealed = resolve("appeal_submitted", "appeal_or_alternatives.1")
    assert appealed["route"] == "task" and appealed["task"]["task_type"] == "network_exception"


def test_a_suite_with_no_place_of_service_on_file_is_held_for_a_person(
    resources: IntakeResources,
    verified: Callable[[str], str],
    prior_auth: Any,
    lambda_context: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An infusion suite whose payer's profile names no place of service (CMS "Place of
    Service Code Set" has no suite code; NHIA: payers take 11, 12 or 49): the 278's UM04 is
    asked for, never guessed."""
    import dataclasses

    from intake.authorization import submission

    # Given sample 15 (authorization required), planned as in a suite whose payer states no
    # place of service (the plan's place_of_service is None)
    referral_id = verified("15-prior-auth-certified.json")
    real = submission.requested_plan
    monkeypatch.setattr(
        submission,
        "requested_plan",
        lambda referral: dataclasses.replace(real(referral), place_of_service=None),
    )
    # When the authorization step runs
    step = prior_auth({"action": "submit", "referral_id": referral_id}, lambda_context)
    # Then no 278 goes out: a follow-up asks a person to get the payer's code and file (its
    # outcomes, certified by phone included, are the payer-down follow-up's:
    # test_authorization_resolve.py)
    assert step["route"] == "task" and step["status"] == "place_of_service_needed"
    assert step["task"]["task_type"] == "prior_auth_followup"
    assert "place of service" in step["task"]["details"]["reason"]
    store = DynamoDbStore(resources.table_name)
    assert store.authorizations_of(referral_id) == []
    record = store.get_referral(referral_id)
    assert record is not None
