"""The template's share of issue 24: the authorizer on every route, throttling, an API access
log naming the caller and the path, Cognito groups, an append-only access-log table kept six
years, a keyed search hash and the web app's Content-Security-Policy."""

from __future__ import annotations

import json
from typing import Any

import pytest

from intake.api.identity import Role
from intake_local.template import load_template

SIX_YEARS_DAYS = 2192
"""CloudWatch Logs' retention value for six years (6 x 365 + 2 leap days); HIPAA keeps
documentation six years (45 CFR 164.316(b)(2)(i))."""


@pytest.fixture(scope="module")
def resources() -> dict[str, Any]:
    found: dict[str, Any] = load_template()["Resources"]
    return found


def test_every_api_route_needs_a_token_and_bursts_are_throttled(resources: dict[str, Any]) -> None:
    """Why: without the authorizer the API would take the local sign-in header at its word."""
    api = resources["LiaisonHttpApi"]["Properties"]
    assert api["Auth"]["DefaultAuthorizer"] == "LiaisonJwt"
    event = resources["LiaisonApiFunction"]["Properties"]["Events"]["Api"]["Properties"]
    assert "Auth" not in event  # no route opts out of the default authorizer
    assert api["DefaultRouteSettings"] == {"ThrottlingBurstLimit": 50, "ThrottlingRateLimit": 20}


def test_the_api_access_log_names_the_caller_and_the_path_and_is_kept_six_years(
    resources: dict[str, Any],
) -> None:
    fmt = json.loads(resources["LiaisonHttpApi"]["Properties"]["AccessLogSettings"]["Format"])
    assert fmt["caller"] == "$context.authorizer.claims.sub"
    assert fmt["path"] == "$context.path" and fmt["sourceIp"] == "$context.identity.sourceIp"
    assert resources["LiaisonApiAccessLogs"]["Properties"]["RetentionInDays"] == SIX_YEARS_DAYS


def test_one_cognito_group_per_role_and_no_client_writes_who_a_user_is(
    resources: dict[str, Any],
) -> None:
    groups = {
        r["Properties"]["GroupName"]
        for r in resources.values()
        if r["Type"] == "AWS::Cognito::UserPoolGroup"
    }
    assert groups == {r.value for r in Role}
    for client in ("LiaisonUserPoolClient", "LiaisonWebClient"):
        writable = set(resources[client]["Properties"]["WriteAttributes"])
        assert not writable & {"name", "email", "email_verified"}, client


def test_the_access_log_table_is_append_only_and_kept_six_years(
    resources: dict[str, Any],
) -> None:
    table = resources["AccessLogTable"]
    props = table["Properties"]
    assert table["DeletionPolicy"] == "Retain" and props["DeletionProtectionEnabled"] is True
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    [deny] = props["ResourcePolicy"]["PolicyDocument"]["Statement"]
    assert deny["Effect"] == "Deny" and deny["Principal"] == "*"
    assert {"dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"} <= set(
        deny["Action"]
    )


def _statements(resource: dict[str, Any]) -> list[dict[str, Any]]:
    props = resource.get("Properties", {})
    found: list[dict[str, Any]] = []
    for policy in props.get("Policies", []) if isinstance(props.get("Policies"), list) else []:
        document = policy.get("PolicyDocument", policy) if isinstance(policy, dict) else {}
        found += document.get("Statement", []) if isinstance(document, dict) else []
    if "PolicyDocument" in props:
        found += props["PolicyDocument"].get("Statement", [])
    return found


def test_no_role_may_update_or_delete_access_entries(resources: dict[str, Any]) -> None:
    """Given every IAM statement in the template, Then none that names the access-log table
    allows more than PutItem (the API, with a condition on attributes) and reads."""
    allowed = {"dynamodb:PutItem", "dynamodb:Query", "dynamodb:GetItem", "dynamodb:DescribeTable"}
    naming = []
    for name, resource in resources.items():
        for statement in _statements(resource):
            if statement.get("Effect") == "Allow" and "AccessLogTable" in json.dumps(statement):
                actions = statement["Action"]
                naming.append(name)
                assert set([actions] if isinstance(actions, str) else actions) <= allowed, name
    assert {"LiaisonApiFunction", "ComplianceAuditRole"} <= set(naming)


def test_the_search_key_is_made_by_secrets_manager_never_typed(
    resources: dict[str, Any],
) -> None:
    props = resources["SearchKeySecret"]["Properties"]
    assert "SecretString" not in props
    assert props["GenerateSecretString"]["PasswordLength"] >= 32


def test_the_web_app_is_served_with_a_content_security_policy(
    resources: dict[str, Any],
) -> None:
    config = resources["WebSecurityHeaders"]["Properties"]["ResponseHeadersPolicyConfig"]
    csp = config["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    text = json.dumps(csp)
    assert "script-src 'self';" in text and "unsafe-inline" not in text
    assert "frame-ancestors 'none'" in text and "object-src 'none'" in text
    cache = resources["WebDistribution"]["Properties"]["DistributionConfig"]
    assert cache["DefaultCacheBehavior"]["ResponseHeadersPolicyId"] == {"Ref": "WebSecurityHeaders"}
