"""Routes of the clinic statuses (``intake.clinic``): the staff's list on the referral page, and
the referring clinic's own poll by its reference (a status, or the FHIR Task and Communications).

Who a clinic is: a user in the ``clinic`` group whose token carries ``custom:clinic_id`` (set by
an administrator: the clinic's account, the folder it uploads under), or locally the
``x-intake-clinic`` header. A clinic sees only the referrals it uploaded: any other reference
answers 404, the same as one that does not exist (no probing of other clinics' references).
"""

from __future__ import annotations

import functools
import json
from datetime import datetime
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, Field

from intake.api.audit import note
from intake.api.params import ReferralId
from intake.clinic.fhir import communications, task_resource
from intake.clinic.model import ClinicStatusRecord, clinic_account
from intake.core.errors import InvalidRequest, NotFound
from intake.core.ids import is_referral_id
from intake.models.records import Scalar

router = APIGatewayHttpRouter()  # type: ignore[no-untyped-call]

CLINIC_HEADER = "x-intake-clinic"
CLINIC_CLAIM = "custom:clinic_id"
ClinicReference = Annotated[str, Path(max_length=64)]
FHIR_JSON = "application/fhir+json"


class ClinicStatusView(BaseModel):
    key: str
    milestone: str
    wording: str
    at: datetime
    state: str
    channel: str | None = None
    task_status: str
    detail: dict[str, Scalar] = Field(default_factory=dict)
    document: str | None = None
    note_state: str | None = None
    note_document: str | None = None
    reason: str | None = None
    note_reason: str | None = None
    attempts: int = 0

    @classmethod
    def of(cls, status: ClinicStatusRecord) -> ClinicStatusView:
        return cls.model_validate(status.model_dump(mode="json"))


class ClinicStatusList(BaseModel):
    referral_id: str
    statuses: list[ClinicStatusView]


class ClinicReferralStatus(BaseModel):
    """What a clinic reads of its referral: its reference, our id and the milestones."""

    reference: str
    referral_id: str
    milestone: str | None
    wording: str | None
    at: datetime | None
    statuses: list[ClinicStatusView]


@functools.cache
def _deps() -> Any:
    from intake.adapters.dynamodb_clinic import DynamoDbClinicStatuses
    from intake.wiring import store

    table = store()
    return table, DynamoDbClinicStatuses(table._table_name, table.table)


@router.get(
    "/referrals/<referral_id>/clinic-statuses",
    summary="The statuses the referring clinic was sent (or is due), oldest first",
)
def list_clinic_statuses(referral_id: ReferralId) -> ClinicStatusList:
    store, statuses = _deps()
    if store.get_referral(referral_id) is None:
        raise NotFound(f"referral {referral_id} does not exist")
    return ClinicStatusList(
        referral_id=referral_id,
        statuses=[ClinicStatusView.of(s) for s in statuses.of(referral_id)],
    )


def _clinic_of_caller() -> str:
    event = router.current_event
    claims = (event.request_context.get("authorizer") or {}).get("jwt", {}).get("claims") or {}
    clinic = claims.get(CLINIC_CLAIM) if claims else event.headers.get(CLINIC_HEADER)
    if not clinic:
        raise InvalidRequest("the caller names no clinic (custom:clinic_id)")
    return str(clinic)


def _own_referral(reference: str) -> tuple[str, str, str | None, list[ClinicStatusRecord]]:
    """(clinic, referral id, the clinic's reference, statuses) of the caller's own referral."""
    clinic = _clinic_of_caller()
    store, statuses = _deps()
    referral_id = statuses.referral_for(clinic, reference)
    if referral_id is None and is_referral_id(reference):
        referral_id = reference  # our id, as the faxed status prints it
    record = store.get_referral(referral_id) if referral_id else None
    if record is None or clinic_account(record) != clinic:
        raise NotFound(f"no referral {reference} from this clinic")
    own = record.referral.clinic_reference if record.referral is not None else None
    note([record.referral_id])
    return clinic, record.referral_id, own, statuses.of(record.referral_id)


@router.get(
    "/clinic/referrals/<clinic_reference>/status",
    summary="For the referring clinic: its referral's milestones, by its own reference",
)
def clinic_status(clinic_reference: ClinicReference) -> ClinicReferralStatus:
    _, referral_id, own, found = _own_referral(clinic_reference)
    latest = found[-1] if found else None
    return ClinicReferralStatus(
        reference=own or clinic_reference,
        referral_id=referral_id,
        milestone=latest.milestone if latest else None,
        wording=latest.wording if latest else None,
        at=latest.at if latest else None,
        statuses=[ClinicStatusView.of(s) for s in found],
    )


@router.get(
    "/clinic/referrals/<clinic_reference>/fhir/Task",
    summary="For a clinic that sent FHIR: its referral's Task (status, businessStatus)",
)
def clinic_task(clinic_reference: ClinicReference) -> Response[str]:
    clinic, referral_id, own, found = _own_referral(clinic_reference)
    if not found:
        raise NotFound(f"referral {clinic_reference} has no status yet")
    body = task_resource(referral_id, clinic, own, found)
    return Response(200, FHIR_JSON, json.dumps(body))


@router.get(
    "/clinic/referrals/<clinic_reference>/fhir/Communication",
    summary="For a clinic that sent FHIR: each milestone as a Communication about its Task",
)
def clinic_communications(clinic_reference: ClinicReference) -> Response[str]:
    _, referral_id, _, found = _own_referral(clinic_reference)
    return Response(200, FHIR_JSON, json.dumps(communications(referral_id, found)))
