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
        "/referrals/{referral_id}",
        "/referrals/{referral_id}/estimates",
        "/referrals/{referral_id}/doses",
        "/referrals/{referral_id}/course",
        "/referrals/{referral_id}/course/hold",
        "/referrals/{referral_id}/course/resume",
        "/referrals/{referral_id}/course/end",
        "/referrals/{referral_id}/doses/{number}/move",
        "/doses",
    }
