"""Workspace routes of the liaison API: search, document links, the PHI access log, who am I.

A powertools ``Router`` included by ``intake.api.routes`` (errors map through its handlers).
"""

from __future__ import annotations

import functools
from datetime import date, datetime
from typing import Annotated, Any, Self

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, Field

from intake.api.audit import caller, note
from intake.api.params import DocumentId, ReferralId
from intake.core.clock import utcnow
from intake.models.records import ReferralStatus
from intake.workspace.service import LINK_SECONDS, Document, Workspace, patient_of

router = APIGatewayHttpRouter()  # type: ignore[no-untyped-call]


@functools.cache
def _workspace() -> Workspace:
    from intake.adapters.s3_links import S3LinkSigner
    from intake.wiring import store

    return Workspace(store(), S3LinkSigner())


@functools.cache
def _access_log() -> Any:
    from intake.adapters.dynamodb_access import DynamoDbAccessLog
    from intake.core.settings import AccessLogSettings, load_settings

    return DynamoDbAccessLog(load_settings(AccessLogSettings).access_log_table)


class SearchHit(BaseModel):
    referral_id: str
    status: ReferralStatus
    stage: str
    first_name: str | None
    last_name: str | None
    date_of_birth: date | None
    drug: str | None
    uploaded_at: datetime


class SearchResult(BaseModel):
    results: list[SearchHit]
    count: int


class DocumentView(BaseModel):
    document_id: str
    label: str
    content_type: str

    @classmethod
    def of(cls, doc: Document, **extra: Any) -> Self:
        """The document as a liaison sees it; ``extra``: the subclass's own fields."""
        return cls(
            document_id=doc.document_id, label=doc.label, content_type=doc.content_type, **extra
        )


class DocumentList(BaseModel):
    referral_id: str
    documents: list[DocumentView]


class DocumentLink(DocumentView):
    url: str = Field(description="a signed S3 GET; works for `expires_in` seconds")
    expires_in: int


class DocumentPreview(DocumentView):
    text: str = Field(description="the document as text, one HL7 segment a line, JSON indented")


class AccessEntryView(BaseModel):
    at: datetime
    user: str = Field(description="the caller's stable id (the token's sub)")
    action: str = Field(description="the route: method and pattern")
    path: str | None = Field(description="the path called (ids only, never a query)")
    referral_ids: list[str]
    document_id: str | None
    search_by: str | None = Field(description="referral_id or name_dob; never the terms")
    source_ip: str | None


class AccessLog(BaseModel):
    day: date
    entries: list[AccessEntryView]
    next: str | None = Field(default=None, description="more entries: pass as `next`")


class Me(BaseModel):
    liaison: str = Field(description="your stable user id (what tasks and the log record)")
    name: str = Field(description="the name shown: set by an administrator, or a verified e-mail")
    roles: list[str] = Field(description="liaison, pharmacist, supervisor, compliance")


@router.get("/me", summary="Who the API takes you for, and your roles (from the sign-in token)")
def me() -> Me:
    who = caller()
    return Me(liaison=who.id, name=who.name, roles=sorted(r.value for r in who.roles))


@router.get(
    "/search",
    summary="Find referrals by id, or by patient last name and date of birth (recorded)",
)
def search(
    referral_id: Annotated[str | None, Query(max_length=64)] = None,
    last_name: Annotated[str | None, Query(max_length=80)] = None,
    first_name: Annotated[str | None, Query(max_length=80)] = None,
    dob: Annotated[date | None, Query(description="date of birth, YYYY-MM-DD")] = None,
) -> SearchResult:
    records, by = _workspace().search(
        referral_id=referral_id,
        last_name=last_name,
        first_name=first_name,
        date_of_birth=dob,
    )
    note((r.referral_id for r in records), search_by=by)
    hits = []
    for r in records:
        patient = patient_of(r)
        therapy = r.referral.therapy if r.referral else None
        hits.append(
            SearchHit(
                referral_id=r.referral_id,
                status=r.status,
                stage=r.stage,
                first_name=patient[0] if patient else None,
                last_name=patient[1] if patient else None,
                date_of_birth=patient[2] if patient else None,
                drug=therapy.drug_name if therapy else None,
                uploaded_at=r.uploaded_at,
            )
        )
    return SearchResult(results=hits, count=len(hits))


@router.get("/referrals/<referral_id>/documents", summary="The documents of a referral")
def list_documents(referral_id: ReferralId) -> DocumentList:
    docs = _workspace().documents(referral_id)
    return DocumentList(
        referral_id=referral_id,
        documents=[DocumentView.of(d) for d in docs],
    )


@router.get(
    "/referrals/<referral_id>/documents/<document_id>",
    summary="A short-lived signed link to one document (recorded in the access log)",
)
def document_link(referral_id: ReferralId, document_id: DocumentId) -> DocumentLink:
    doc, url = _workspace().link(referral_id, document_id)
    return DocumentLink.of(doc, url=url, expires_in=LINK_SECONDS)


@router.get(
    "/referrals/<referral_id>/documents/<document_id>/text",
    summary="A text document (HL7, FHIR, JSON, X12) shown readably (recorded in the access log)",
)
def document_text(referral_id: ReferralId, document_id: DocumentId) -> DocumentPreview:
    doc, text = _workspace().preview(referral_id, document_id)
    return DocumentPreview.of(doc, text=text)


@router.get(
    "/access-log",
    summary="Who read patient data on a day (compliance role only; a page at a time)",
)
def access_log(
    day: Annotated[date | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
    next_page: Annotated[str | None, Query(alias="next", max_length=400)] = None,
) -> AccessLog:
    when = day or utcnow().date()
    entries, more = _access_log().day(when, limit, next_page)
    return AccessLog(
        day=when,
        entries=[
            AccessEntryView(
                at=e.at,
                user=e.user,
                action=e.action,
                path=e.path,
                referral_ids=list(e.referral_ids),
                document_id=e.document_id,
                search_by=e.search_by,
                source_ip=e.source_ip,
            )
            for e in entries
        ],
        next=more,
    )
