"""Who is calling, and what their role lets them do: the one rule, used by every router.

In AWS every route sits behind the HTTP API's JWT authorizer (Cognito ID tokens), so the caller
is the token's ``sub``: a stable id the user cannot change (an ``email`` can be changed by its
user and nothing requires it to be verified). The name shown comes from ``name``, an attribute
only administrators write (the app clients' ``WriteAttributes`` leave it out), else from
``email`` only when ``email_verified`` is true, else the id. Roles are the token's
``cognito:groups`` (API Gateway passes a list claim as the text ``[a b]``).

Locally (no authorizer; the local stack's sign-in) the caller names themselves in
``x-intake-liaison`` and picks roles in ``x-intake-roles``; a body's ``liaison`` stands in when
neither a token nor the header is there (the CLI). An event that carries an authorizer but no
``sub`` is refused: a token never falls back to what the request says.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from intake.core.errors import IntakeError, InvalidRequest

LIAISON_HEADER = "x-intake-liaison"
"""Locally (no authorizer) the web app's plain sign-in names the caller in this header."""
ROLES_HEADER = "x-intake-roles"
"""Locally, the roles the sign-in picked, comma-separated (``liaison,pharmacist``)."""


class Role(StrEnum):
    """The Cognito groups (template.yaml ``LiaisonUserPool*Group``) and what each may do."""

    LIAISON = "liaison"
    """Works tasks: claims, unclaims, completes calls and reviews; starts a course."""
    PHARMACIST = "pharmacist"
    """Therapy holds, resumes and ends, dose moves, clinical reviews."""
    SUPERVISOR = "supervisor"
    """Reassigns work: may give back a task another user claimed."""
    COMPLIANCE = "compliance"
    """Reads the PHI access log (and no patient data)."""
    NURSE = "nurse"
    """The nurse's queue: the scheduling call, the first visit (documents it), the check-ins."""
    CLINIC = "clinic"
    """A referring clinic: reads the statuses of its own referrals (``intake.api.clinic``)."""


STAFF = frozenset({Role.LIAISON, Role.PHARMACIST, Role.SUPERVISOR, Role.NURSE})
"""Roles that read patient data (every read is recorded in the access log)."""
LOCAL_DEFAULT_ROLES = frozenset(STAFF)
"""Locally, a caller who picks no role (the CLI, in-process tests) works as staff; compliance
is never a default."""


class Forbidden(IntakeError):
    """The caller is known but their role does not allow this (403)."""


@dataclass(frozen=True)
class Caller:
    id: str
    """The stable user id (the token's ``sub``); what tasks, timelines and the log record."""
    name: str
    """What the board shows: an administrator-set name, a verified e-mail, or the id."""
    roles: frozenset[Role]
    email: str | None = None
    """A verified e-mail: items stored before the switch to ``sub`` name the user by it."""

    def can(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))

    def require(self, *roles: Role) -> Caller:
        if not self.can(*roles):
            wanted = " or ".join(r.value for r in roles)
            raise Forbidden(f"this needs the {wanted} role")
        return self

    def is_me(self, stored: str | None) -> bool:
        """Whether a stored ``claimed_by``/``completed_by`` names this user (by id, or by the
        verified e-mail that items written before the switch carry)."""
        return stored is not None and stored in (self.id, self.email)


def _groups(value: Any) -> frozenset[Role]:
    if isinstance(value, str):
        value = value.strip("[]").replace(",", " ").split()
    if not isinstance(value, list | tuple | set | frozenset):
        return frozenset()
    known = {r.value for r in Role}
    return frozenset(Role(str(v).strip()) for v in value if str(v).strip() in known)


def _verified(claims: dict[str, Any]) -> bool:
    return str(claims.get("email_verified", "")).lower() == "true"


def caller_of(event: APIGatewayProxyEventV2, given: str | None = None) -> Caller:
    """The caller behind ``event``: the token's claims in AWS, the local sign-in otherwise."""
    request_context = event.get("requestContext") or {}
    if "authorizer" in request_context:
        claims = (request_context.get("authorizer") or {}).get("jwt", {}).get("claims") or {}
        sub = claims.get("sub")
        if not sub:
            raise InvalidRequest("the sign-in token names no user (sub)")
        email = str(claims["email"]) if claims.get("email") and _verified(claims) else None
        name = str(claims.get("name") or email or sub)
        return Caller(str(sub), name, _groups(claims.get("cognito:groups")), email)
    who = event.headers.get(LIAISON_HEADER) or given
    if not who:
        raise InvalidRequest("say who you are: sign in, or give 'liaison' in the body")
    picked = event.headers.get(ROLES_HEADER)
    roles = _groups(picked.split(",")) if picked is not None else LOCAL_DEFAULT_ROLES
    return Caller(str(who), str(who), roles, None)


def liaison_of(event: APIGatewayProxyEventV2, given: str | None) -> str:
    """The caller's stable id (kept for the routes that only need who)."""
    return caller_of(event, given).id
