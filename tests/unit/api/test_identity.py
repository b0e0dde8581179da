"""Who the caller is (intake/api/identity.py): the token's sub, a name users cannot change,
roles from the Cognito groups; locally the sign-in's header and picked roles."""

from __future__ import annotations

import copy
from typing import Any

from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from intake.api.identity import LOCAL_DEFAULT_ROLES, Role, caller_of
from tests.conftest import load_event


def with_claims(claims: dict[str, Any] | None, headers: dict[str, str] | None = None) -> Any:
    e = copy.deepcopy(load_event("liaison_api/get-tasks"))
    if claims is None:
        e["requestContext"].pop("authorizer")
    else:
        e["requestContext"]["authorizer"]["jwt"]["claims"] = claims
    e["headers"].update(headers or {})
    return APIGatewayProxyEventV2(e)


def test_the_caller_is_the_sub_and_an_unverified_email_is_never_shown() -> None:
    """Why: a user can change their e-mail and nothing requires it verified; the sub is stable.
    Given a token whose e-mail is not verified and no name, Then id and name are the sub."""
    who = caller_of(with_claims({"sub": "u-9", "email": "boss@example.org"}))
    assert (who.id, who.name, who.email) == ("u-9", "u-9", None)


def test_the_name_shown_is_the_administrator_set_name() -> None:
    claims = {"sub": "u-9", "name": "Ana Ruiz", "email": "a@x.org", "email_verified": "true"}
    who = caller_of(with_claims(claims))
    assert (who.id, who.name, who.email) == ("u-9", "Ana Ruiz", "a@x.org")


def test_groups_read_as_api_gateway_passes_them_and_as_a_list() -> None:
    """API Gateway's JWT authorizer passes a list claim as the text ``[a b]``; unknown groups
    give no role."""
    text = caller_of(with_claims({"sub": "u", "cognito:groups": "[pharmacist admins]"}))
    listed = caller_of(with_claims({"sub": "u", "cognito:groups": ["supervisor", "liaison"]}))
    assert text.roles == {Role.PHARMACIST}
    assert listed.roles == {Role.SUPERVISOR, Role.LIAISON}


def test_a_claim_stored_under_the_verified_email_is_still_mine() -> None:
    """Known care: tasks claimed before the switch name their liaison by e-mail."""
    claims = {"sub": "u-9", "email": "a@x.org", "email_verified": "true"}
    who = caller_of(with_claims(claims))
    assert who.is_me("u-9") and who.is_me("a@x.org") and not who.is_me("b@x.org")
    unverified = caller_of(with_claims({"sub": "u-9", "email": "a@x.org"}))
    assert not unverified.is_me("a@x.org")


def test_locally_the_sign_in_names_the_caller_and_picks_roles() -> None:
    picked = caller_of(
        with_claims(None, {"x-intake-liaison": "bob", "x-intake-roles": "compliance"})
    )
    assert (picked.id, picked.roles) == ("bob", {Role.COMPLIANCE})
    unpicked = caller_of(with_claims(None, {"x-intake-liaison": "bob"}))
    assert unpicked.roles == LOCAL_DEFAULT_ROLES and Role.COMPLIANCE not in unpicked.roles
