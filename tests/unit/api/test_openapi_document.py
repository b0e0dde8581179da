"""The published OpenAPI document is the one the code generates."""

from __future__ import annotations

import json

from intake.api.routes import openapi_json
from tests.conftest import PROJECT_ROOT


def test_published_openapi_matches_the_routes() -> None:
    published = json.loads((PROJECT_ROOT / "docs" / "openapi.json").read_text("utf-8"))
    generated = json.loads(openapi_json())
    assert published == generated, "run `make openapi` to refresh docs/openapi.json"
    assert set(generated["paths"]) == {
        "/tasks",
        "/tasks/{task_id}",
        "/tasks/{task_id}/claim",
        "/tasks/{task_id}/unclaim",
        "/tasks/{task_id}/complete",
        "/tasks/{task_id}/reassign",
        "/referrals/{referral_id}",
        "/referrals/{referral_id}/estimates",
        "/tasks/{task_id}/assessment",
        "/referrals/{referral_id}/assessments",
        "/me",
        "/search",
        "/referrals/{referral_id}/documents",
        "/referrals/{referral_id}/documents/{document_id}",
        "/referrals/{referral_id}/documents/{document_id}/text",
        "/access-log",
        "/referrals/{referral_id}/doses",
        "/referrals/{referral_id}/course",
        "/referrals/{referral_id}/course/hold",
        "/referrals/{referral_id}/course/resume",
        "/referrals/{referral_id}/course/end",
        "/referrals/{referral_id}/doses/{number}/move",
        "/doses",
        "/tasks/{task_id}/visit",  # issue 25: the nurse documents a visit
        "/referrals/{referral_id}/visits",
        "/referrals/{referral_id}/doses/{number}/visit",
        "/directory/versions",
        "/directory/imports",
        "/directory/rollback",
        "/directory/export",
        "/directory/payers",
        "/directory/payers/{payer_id}",
        "/referrals/{referral_id}/clinic-statuses",
        "/clinic/referrals/{clinic_reference}/status",
        "/clinic/referrals/{clinic_reference}/fhir/Task",
        "/clinic/referrals/{clinic_reference}/fhir/Communication",
    }


def test_every_route_declares_the_jwt_scheme_and_one_error_shape() -> None:
    # Given the generated document
    doc = json.loads(openapi_json())
    # Then the JWT scheme applies to every route, and every operation's 4xx is the ErrorBody
    assert doc["components"]["securitySchemes"]["cognito"]["bearerFormat"] == "JWT"
    assert doc["security"] == [{"cognito": []}]
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "422" not in responses, f"{method} {path}"
            schema = responses["4XX"]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorBody"}, f"{method} {path}"
    assert set(doc["components"]["schemas"]["ErrorBody"]["required"]) == {"error", "message"}


def test_every_operation_names_its_roles_and_whether_it_is_recorded() -> None:
    """Why: a client (the board) and a reviewer read who may call what from the document."""
    generated = json.loads(openapi_json())
    for path, operations in generated["paths"].items():
        for method, operation in operations.items():
            assert operation["x-intake-roles"], f"{method} {path}"
            assert isinstance(operation["x-intake-phi-recorded"], bool)
    claim = generated["paths"]["/tasks/{task_id}/claim"]["post"]
    assert claim["x-intake-roles"] == ["liaison", "nurse", "pharmacist"]  # issue 25: the nurse
    assert claim["x-intake-phi-recorded"] is True
