"""Who is calling: the one rule for naming the liaison behind a request, used by every router."""

from __future__ import annotations

from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from intake.core.errors import InvalidRequest

LIAISON_HEADER = "x-intake-liaison"
"""Locally (no authorizer) the web app's plain sign-in names the liaison in this header."""


def liaison_of(event: APIGatewayProxyEventV2, given: str | None) -> str:
    """The signed-in liaison (JWT claims) wins over the header and what the body says. In AWS
    every route has the JWT authorizer, so a header or body cannot stand in for a token."""
    authorizer = event.request_context.authorizer
    claims = (authorizer.jwt_claim if authorizer else None) or {}
    header = None if claims else event.headers.get(LIAISON_HEADER)
    who = claims.get("email") or claims.get("sub") or given or header
    if not who:
        raise InvalidRequest("say who you are: sign in, or give 'liaison' in the body")
    return str(who)
