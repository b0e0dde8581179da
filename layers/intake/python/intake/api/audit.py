"""The one place the API decides who may call a route and records every read of patient data.

``ROUTES`` names, per route (method and pattern, as the routers declare them), the roles that
may call it and whether its answer carries PHI (names, dates of birth, phones, notes, doses,
documents). One global middleware (``guard``) checks the role before the route runs and, when a
PHI route answered with success, writes an access entry: who (the caller's stable id), what
(the route, the path, the referral ids read, a document), when, and from where (source IP). If
the entry cannot be written the answer is withheld (the request fails): no unrecorded read.

Routes that read ids only their handler knows (a listing, a search) say which with ``note``;
otherwise the referral id comes from the path (``referral_id``, or the one a ``task_id`` embeds).
A route missing from ``ROUTES`` is refused (403), so a new route cannot skip the check.
"""

from __future__ import annotations

import contextvars
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aws_lambda_powertools.event_handler import Response

from intake.api.identity import STAFF, Caller, Forbidden, Role, caller_of
from intake.core.clock import utcnow
from intake.core.ids import referral_of_task
from intake.core.observability import logger
from intake.workspace.service import AccessEntry

ALL = frozenset(Role)


@dataclass(frozen=True)
class Rule:
    roles: frozenset[Role]
    phi: bool = True


_TASK_WORK = Rule(frozenset({Role.LIAISON, Role.PHARMACIST, Role.NURSE}))
_THERAPY = Rule(frozenset({Role.PHARMACIST}))
_READ = Rule(STAFF)
_CLINIC = Rule(frozenset({Role.CLINIC}))

ROUTES: dict[str, Rule] = {
    "GET /me": Rule(ALL, phi=False),
    "GET /access-log": Rule(frozenset({Role.COMPLIANCE}), phi=False),
    "GET /tasks": _READ,
    "GET /tasks/<task_id>": _READ,
    "POST /tasks/<task_id>/claim": _TASK_WORK,
    "POST /tasks/<task_id>/unclaim": _TASK_WORK,
    "POST /tasks/<task_id>/complete": _TASK_WORK,
    "POST /tasks/<task_id>/reassign": Rule(frozenset({Role.SUPERVISOR})),
    "GET /referrals/<referral_id>": _READ,
    "GET /referrals/<referral_id>/estimates": _READ,
    "GET /referrals/<referral_id>/documents": _READ,
    "GET /referrals/<referral_id>/documents/<document_id>": _READ,
    "GET /referrals/<referral_id>/documents/<document_id>/text": _READ,
    "GET /referrals/<referral_id>/doses": _READ,
    "GET /doses": _READ,
    "GET /search": _READ,
    "POST /referrals/<referral_id>/course": Rule(frozenset({Role.LIAISON, Role.PHARMACIST})),
    "POST /referrals/<referral_id>/doses/<number>/move": _THERAPY,
    "POST /referrals/<referral_id>/course/hold": _THERAPY,
    "POST /referrals/<referral_id>/course/resume": _THERAPY,
    "POST /referrals/<referral_id>/course/end": _THERAPY,
    "POST /tasks/<task_id>/assessment": _TASK_WORK,
    "GET /referrals/<referral_id>/assessments": _READ,
    "POST /tasks/<task_id>/visit": Rule(frozenset({Role.NURSE})),
    "POST /referrals/<referral_id>/doses/<number>/visit": Rule(frozenset({Role.NURSE})),
    "GET /referrals/<referral_id>/visits": _READ,
    "GET /directory/versions": Rule(STAFF, phi=False),
    "POST /directory/imports": Rule(frozenset({Role.PHARMACIST, Role.SUPERVISOR}), phi=False),
    "POST /directory/rollback": Rule(frozenset({Role.PHARMACIST, Role.SUPERVISOR}), phi=False),
    "GET /directory/export": Rule(frozenset({Role.PHARMACIST, Role.SUPERVISOR}), phi=False),
    "GET /directory/payers": Rule(STAFF, phi=False),
    "GET /directory/payers/<payer_id>": Rule(STAFF, phi=False),
    # the clinic statuses (intake/api/clinic.py): a referral's milestones, recorded like any
    # read of a referral (a clinic's reads too: the log names who saw whose care, and when)
    "GET /referrals/<referral_id>/clinic-statuses": _READ,
    "GET /clinic/referrals/<clinic_reference>/status": _CLINIC,
    "GET /clinic/referrals/<clinic_reference>/fhir/Task": _CLINIC,
    "GET /clinic/referrals/<clinic_reference>/fhir/Communication": _CLINIC,
}
"""Every route: who may call it, and whether it returns patient data (then it is recorded)."""

CLINICAL_TASKS = frozenset({"clinical_review", "dose_review"})
"""Task types only a pharmacist completes (the task routes check): clinical reviews, by the
names issue 22's readers give them; a type not defined yet simply matches no task."""


@dataclass
class _Notes:
    caller: Caller | None = None
    referral_ids: tuple[str, ...] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


_notes: contextvars.ContextVar[_Notes] = contextvars.ContextVar("intake_access_notes")


def note(
    referral_ids: Iterable[str] | None = None,
    *,
    document_id: str | None = None,
    search_by: str | None = None,
) -> None:
    """A route says what it read when the path alone does not (a listing, a search)."""
    current = _notes.get(None)
    if current is None:
        return
    if referral_ids is not None:
        current.referral_ids = tuple(dict.fromkeys(referral_ids))
    if document_id is not None:
        current.extra["document_id"] = document_id
    if search_by is not None:
        current.extra["search_by"] = search_by


def caller() -> Caller:
    """The caller of the current request, resolved once by ``guard``."""
    current = _notes.get(None)
    if current is not None and current.caller is not None:
        return current.caller
    raise RuntimeError("caller() outside a guarded request")


def _given_liaison(body: str | None) -> str | None:
    """A body's ``liaison`` (the local CLI names itself so); a token always wins over it."""
    if not body or not body.lstrip().startswith("{"):
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    given = data.get("liaison") if isinstance(data, dict) else None
    return str(given) if given else None


def _path_referrals(args: dict[str, str]) -> tuple[str, ...]:
    if args.get("referral_id"):
        return (args["referral_id"],)
    if args.get("task_id"):
        referral = referral_of_task(args["task_id"])
        return (referral,) if referral else ()
    return ()


def guard(
    record: Callable[[AccessEntry], None],
) -> Callable[[Any, Callable[[Any], Response[Any]]], Response[Any]]:
    """The global middleware, writing entries with ``record`` (the access-log table)."""

    def middleware(app: Any, next_middleware: Callable[[Any], Response[Any]]) -> Response[Any]:
        route = app.context.get("_route")
        key = f"{route.method} {route.path}" if route is not None else ""
        rule = ROUTES.get(key)
        if rule is None:
            raise Forbidden("this route is not open to anyone")
        event = app.current_event
        given = _given_liaison(event.body)
        who = caller_of(event, given)
        who.require(*rule.roles)
        token = _notes.set(_Notes(caller=who))
        try:
            result = next_middleware(app)
            notes = _notes.get()
        finally:
            _notes.reset(token)
        status = int(getattr(result, "status_code", 200))
        if rule.phi and status < 400:
            args = app.context.get("_route_args") or {}
            ids = notes.referral_ids if notes.referral_ids is not None else _path_referrals(args)
            http = event.request_context.http
            entry = AccessEntry(
                at=utcnow(),
                user=who.id,
                action=key,
                path=event.raw_path,
                referral_ids=ids,
                document_id=notes.extra.get("document_id") or args.get("document_id"),
                search_by=notes.extra.get("search_by"),
                source_ip=http.source_ip,
                request_id=event.request_context.request_id,
            )
            record(entry)
            logger.info(
                "phi access",
                extra={"route": key, "referrals": len(ids), "request_id": entry.request_id},
            )
        return result

    return middleware
