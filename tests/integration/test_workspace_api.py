"""The workspace routes against moto: search, document links, the PHI access log, one error shape."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest

from intake.adapters.dynamodb_store import DynamoDbStore
from tests.integration import test_tasks_and_api as tasks_api
from tests.integration.conftest import REGION, IntakeResources
from tests.integration.test_tasks_and_api import api

# The API module's fixtures, shared by name: a referral waiting on its welcome call.
handlers = tasks_api.handlers
welcome_call = tasks_api.welcome_call

ALICE = {
    "email": "alice@pharmacy.example",
    "email_verified": "true",
    "sub": "u-1",
    "cognito:groups": "[liaison]",
}


def access_log(resources: IntakeResources | None = None) -> list[dict[str, Any]]:
    """Today's entries in the access-log table (its own table: append-only)."""
    table = boto3.resource("dynamodb", region_name=REGION).Table("access-log")
    day = datetime.now(UTC).date().isoformat()
    items: list[dict[str, Any]] = table.query(
        KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": f"ACCESS#{day}"}
    )["Items"]
    return items


def test_search_by_last_name_and_birth_date_finds_the_referral_and_is_logged_without_terms(
    resources: IntakeResources, handlers: dict[str, Any], lambda_context: Any, welcome_call: str
) -> None:
    # Given sample 02 (Sofía Nguyen, born 1990-05-17) ingested
    referral_id = welcome_call.split(".", maxsplit=1)[0]
    handler = handlers["liaison_api"]
    # When Alice searches by last name (any case, accents aside) and date of birth
    status, found = api(
        handler,
        lambda_context,
        "GET",
        "/search",
        query={"last_name": "nguyen", "dob": "1990-05-17", "first_name": "sofia"},
        claims=ALICE,
    )
    # Then she finds the one referral, with the patient and drug to recognise it
    assert status == 200, found
    assert [r["referral_id"] for r in found["results"]] == [referral_id]
    assert found["results"][0]["first_name"] == "Sofía"
    # And another birth date, or another first name, finds nothing
    for query in (
        {"last_name": "Nguyen", "dob": "1990-05-18"},
        {"last_name": "Nguyen", "dob": "1990-05-17", "first_name": "Ana"},
    ):
        assert (
            api(handler, lambda_context, "GET", "/search", query=query, claims=ALICE)[1]["count"]
            == 0
        )
    # And by referral id
    by_id = api(
        handler, lambda_context, "GET", "/search", query={"referral_id": referral_id}, claims=ALICE
    )[1]
    assert by_id["count"] == 1
    # And each of the four searches is in the access log with who and which ids, never the terms
    log = [e for e in access_log(resources) if e["action"] == "GET /search"]
    assert len(log) == 4
    assert {e["user"] for e in log} == {ALICE["sub"]}
    assert {e["path"] for e in log} == {"/search"}
    assert [e["referral_ids"] for e in log if e["referral_ids"]] == [[referral_id], [referral_id]]
    assert "Nguyen" not in json.dumps(log, default=str) and "1990" not in json.dumps(
        log, default=str
    )


def test_a_search_without_a_key_is_400_in_the_error_shape(
    resources: IntakeResources, handlers: dict[str, Any], lambda_context: Any
) -> None:
    status, error = api(
        handlers["liaison_api"],
        lambda_context,
        "GET",
        "/search",
        query={"last_name": "Nguyen"},
        claims=ALICE,
    )
    assert status == 400
    assert error == {
        "error": "invalid_request",
        "message": "search by referral id, or by last name and date of birth",
    }


def test_the_original_opens_through_a_short_signed_link_and_is_logged(
    resources: IntakeResources, handlers: dict[str, Any], lambda_context: Any, welcome_call: str
) -> None:
    # Given the referral's documents (a JSON upload: only the original, no packet yet)
    referral_id = welcome_call.split(".", maxsplit=1)[0]
    handler = handlers["liaison_api"]
    status, docs = api(
        handler, lambda_context, "GET", f"/referrals/{referral_id}/documents", claims=ALICE
    )
    assert status == 200
    assert [(d["document_id"], d["content_type"]) for d in docs["documents"]] == [
        ("original", "application/json")
    ]
    # When Alice opens it
    status, link = api(
        handler,
        lambda_context,
        "GET",
        f"/referrals/{referral_id}/documents/original",
        claims=ALICE,
    )
    # Then she gets a signed GET of the stored key that expires in 300 s
    assert status == 200, link
    url = urlsplit(link["url"])
    query = parse_qs(url.query)
    record = DynamoDbStore(resources.table_name).get_referral(referral_id)
    assert record is not None
    assert url.path.endswith(record.source.key)
    assert query["X-Amz-Expires"] == ["300"] and link["expires_in"] == 300
    assert query["response-content-type"] == ["application/json"]
    # And the readable text is the JSON indented (two spaces), the same document
    status, text = api(
        handler,
        lambda_context,
        "GET",
        f"/referrals/{referral_id}/documents/original/text",
        claims=ALICE,
    )
    assert status == 200
    assert json.loads(text["text"])["patient"]["last_name"] == "Nguyen"
    assert '\n  "patient": {' in text["text"]
    # And the listing and both openings are logged for Alice, the openings with the document id
    opened = [(e["action"], e.get("document_id"), e["user"]) for e in access_log(resources)]
    document = "GET /referrals/<referral_id>/documents"
    assert opened == [
        (document, None, "u-1"),
        (f"{document}/<document_id>", "original", "u-1"),
        (f"{document}/<document_id>/text", "original", "u-1"),
    ]


def test_an_unknown_document_or_referral_is_404_in_the_error_shape(
    resources: IntakeResources, handlers: dict[str, Any], lambda_context: Any, welcome_call: str
) -> None:
    referral_id = welcome_call.split(".", maxsplit=1)[0]
    for path in (
        f"/referrals/{referral_id}/documents/nothing.pdf",
        "/referrals/ref-00000000000000000000/documents/original",
    ):
        status, error = api(handlers["liaison_api"], lambda_context, "GET", path, claims=ALICE)
        assert status == 404 and error["error"] == "not_found" and error["message"]


@pytest.mark.parametrize(
    ("path", "query", "body", "field"),
    [
        ("/tasks", {"type": "lunch"}, None, "type"),
        ("/search", {"last_name": "Nguyen", "dob": "17/05/1990"}, None, "dob"),
        ("/tasks/ref-00000000000000000000.welcome_call.1/complete", None, {"note": "x"}, "outcome"),
    ],
)
def test_422_has_the_error_shape_naming_the_field_never_its_value(
    resources: IntakeResources,
    handlers: dict[str, Any],
    lambda_context: Any,
    path: str,
    query: dict[str, str] | None,
    body: Any,
    field: str,
) -> None:
    method = "POST" if body is not None else "GET"
    status, error = api(
        handlers["liaison_api"], lambda_context, method, path, body, query=query, claims=ALICE
    )
    assert status == 422
    assert set(error) == {"error", "message"} and error["error"] == "invalid_input"
    assert error["message"].startswith(f"{field}: ")
    assert "lunch" not in error["message"] and "17/05/1990" not in error["message"]


def test_locally_the_liaison_header_names_who_you_are_and_a_token_wins(
    resources: IntakeResources, handlers: dict[str, Any], lambda_context: Any
) -> None:
    from tests.conftest import load_event

    event = load_event("liaison_api/get-tasks")
    event.update(rawPath="/me", queryStringParameters=None, rawQueryString="", body=None)
    event["requestContext"]["http"].update(method="GET", path="/me")
    event["headers"]["x-intake-liaison"] = "bob"
    # With a token (AWS), the token's sub (stable, not the changeable e-mail) wins over the
    # header; the name shown is the verified e-mail (no administrator-set name here)
    event["requestContext"]["authorizer"]["jwt"]["claims"] = ALICE
    reply = handlers["liaison_api"](event, lambda_context)
    assert json.loads(reply["body"]) == {
        "liaison": "u-1",
        "name": ALICE["email"],
        "roles": ["liaison"],
    }
    # Without an authorizer (the local stack), the header names the liaison and the roles
    event["requestContext"].pop("authorizer")
    event["headers"]["x-intake-roles"] = "pharmacist"
    reply = handlers["liaison_api"](event, lambda_context)
    assert json.loads(reply["body"]) == {"liaison": "bob", "name": "bob", "roles": ["pharmacist"]}
