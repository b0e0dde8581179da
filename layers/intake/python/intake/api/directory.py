"""Liaison API routes of the payer directory (docs/directory.md): upload the CSV files (a new
version), list versions, roll back, export, search payers and read one.

A ``Router`` included into the app in ``intake.api.routes``. Uploading, rolling back and
exporting are the pharmacist's or the supervisor's (``intake.api.audit.ROUTES``); reading is
every staff role's. Nothing here is patient data. The directory's modules are imported by the
handlers, not here: the API's cold start does not pay for them.
"""

from __future__ import annotations

import functools
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, Field

from intake.api.audit import caller
from intake.core.errors import NotFound
from intake.directory.model import PayerEntry, PlanType, VersionRecord

router = APIGatewayHttpRouter()  # type: ignore[no-untyped-call]

DIRECTORY_BODY_BYTES = 5 * 1024 * 1024
"""Largest upload (the CSV files as JSON): a 1,000-payer directory is about 3.3 MB; a Lambda
request carries at most 6 MB."""


class DirectoryFiles(BaseModel):
    files: dict[str, str] = Field(description="file name (payers.csv, ...) → its CSV text")


class VersionList(BaseModel):
    current: str | None = Field(description="the version lookups read (shipped: the layer's)")
    versions: list[VersionRecord]


class RollbackRequest(BaseModel):
    version: str = Field(pattern=r"^v[0-9]{4,}$")


class RollbackResult(BaseModel):
    current: str
    replaced: str | None


class PayerSummary(BaseModel):
    payer_id: str
    name: str
    plan_type: PlanType
    states: tuple[str, ...]
    directory_order: int


class PayerSearch(BaseModel):
    status: str = Field(description="resolved | ambiguous | unknown")
    how: str | None = None
    reason: str | None = None
    payers: list[PayerSummary] = Field(description="the payer found, or the candidates")
    version: str | None


@functools.cache
def _directory() -> Any:
    """The table's directory (the shipped one until a first import), built on first use."""
    from intake.adapters.dynamodb_directory import DynamoDbDirectory
    from intake.core.settings import TableSettings, load_settings
    from intake.directory.runtime import TableOrShipped
    from intake.directory.service import PayerDirectory

    table = DynamoDbDirectory(load_settings(TableSettings).table_name)
    return PayerDirectory(TableOrShipped(table), pointer_seconds=0)


@router.get("/directory/versions", summary="The payer directory's imports, and the current one")
def list_versions() -> VersionList:
    current, versions = _directory().versions()
    return VersionList(current=current, versions=versions)


@router.post(
    "/directory/imports",
    summary="Upload the directory's CSV files: every row checked, a new version if all are good",
    description="422 with `problems` (file, line, reason) when any row is bad: nothing applied.",
)
def import_directory(body: DirectoryFiles) -> Response[str]:
    from intake.directory.csvfiles import DirectoryInvalid

    files = {name: text.encode("utf-8") for name, text in body.files.items()}
    try:
        record = _directory().import_files(files, caller().id)
    except DirectoryInvalid as exc:
        problems = [{"file": p.file, "line": p.line, "reason": p.reason} for p in exc.problems]
        return Response(
            status_code=422,
            content_type=content_types.APPLICATION_JSON,
            body=_json({"error": "invalid_directory", "message": str(exc), "problems": problems}),
        )
    return Response(
        status_code=201,
        content_type=content_types.APPLICATION_JSON,
        body=record.model_dump_json(),
    )


def _json(data: dict[str, Any]) -> str:
    import json

    return json.dumps(data)


@router.post("/directory/rollback", summary="Make an earlier directory version current again")
def rollback_directory(body: RollbackRequest) -> RollbackResult:
    replaced = _directory().rollback(body.version)
    return RollbackResult(current=body.version, replaced=replaced)


@router.get("/directory/export", summary="A directory version's CSV files (default: current)")
def export_directory(
    version: Annotated[str | None, Query(pattern=r"^(v[0-9]{4,}|shipped)$")] = None,
) -> DirectoryFiles:
    files = _directory().export(version)
    return DirectoryFiles(files={name: data.decode("utf-8") for name, data in files.items()})


@router.get("/directory/payers", summary="Find a payer by id, name or alias (or candidates)")
def search_payers(
    q: Annotated[str | None, Query(max_length=120, description="id, name or alias")] = None,
) -> PayerSearch:
    directory = _directory()
    if not (q or "").strip():
        return PayerSearch(status="unknown", reason="no id or name", payers=[], version=None)
    index = directory.index()
    found = directory.resolve(q, None)
    if not found.resolved:
        found = directory.resolve(None, q)
    ids = (found.payer_id,) if found.payer_id else found.candidates
    by_id = {p.payer_id: p for p in index.payers}
    return PayerSearch(
        status=found.status,
        how=found.how,
        reason=found.reason,
        payers=[
            PayerSummary.model_validate(by_id[i].model_dump(include=set(PayerSummary.model_fields)))
            for i in ids
            if i in by_id
        ],
        version=directory.version(),
    )


@router.get("/directory/payers/<payer_id>", summary="Everything the directory has on a payer")
def get_payer(payer_id: str) -> PayerEntry:
    entry: PayerEntry | None = _directory().payer(payer_id)
    if entry is None:
        raise NotFound(f"payer {payer_id} is not in the directory")
    return entry
