"""The liaison workspace: find a referral, open its documents, and record who did either.

Search never scans: a ``PATIENT#<HMAC-SHA256 of last name and date of birth>`` item per
referral (written with the referral) is read with one Query. The hash is keyed (a secret in
Secrets Manager, ``intake.adapters.search_key``): an unkeyed hash of a name and a birth date is
recovered by trying every date of birth with common names in under a second, a keyed one not
without the key.
Documents are never read by the API: it signs a short-lived S3 GET for an address taken from
the stored records (never from the request), after checking the referral exists. Who read what
is recorded by the API for every route that returns patient data (``intake.api.audit``) as an
``AccessEntry`` in the append-only access-log table: the search terms are never stored (PHI).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from intake.core.clock import utcnow
from intake.core.errors import InvalidRequest, NotFound
from intake.core.names import comparable_name
from intake.models.records import AuthorizationRecord, ReferralRecord

LINK_SECONDS = 300
"""How long a signed document link works: long enough to open it, too short to share."""
MAX_RESULTS = 50
PREVIEW_BYTES = 256 * 1024
"""Largest original shown as text in the browser (HL7, FHIR, JSON referrals are a few KB)."""


def patient_key(last_name: str, date_of_birth: date, secret: bytes) -> str:
    """The search key of a patient: HMAC-SHA256 under ``secret`` of the last name (compared as
    names are) and the date of birth. Without the secret the key says nothing."""
    if len(secret) < 32:
        raise ValueError("the search key secret is shorter than 32 bytes")
    raw = f"{comparable_name(last_name)}|{date_of_birth.isoformat()}"
    return hmac.new(secret, raw.encode("utf-8"), hashlib.sha256).hexdigest()


def patient_of(record: ReferralRecord) -> tuple[str, str, date] | None:
    """(first, last, dob) of a referral, or of its draft when it is in review."""
    if record.referral is not None:
        p = record.referral.patient
        return p.first_name, p.last_name, p.date_of_birth
    patient = (record.draft or {}).get("patient")
    if not isinstance(patient, dict):
        return None
    try:
        dob = date.fromisoformat(str(patient.get("date_of_birth")))
    except ValueError:
        return None
    last = patient.get("last_name")
    if not last:
        return None
    return str(patient.get("first_name") or ""), str(last), dob


class WorkspaceStore(Protocol):
    def get_referral(self, referral_id: str) -> ReferralRecord | None: ...
    def referrals_of_patient(self, last_name: str, date_of_birth: date) -> list[str]: ...
    def authorizations_of(self, referral_id: str) -> list[AuthorizationRecord]: ...


class LinkSigner(Protocol):
    def sign(self, uri: str, expires_in: int, content_type: str, filename: str) -> str: ...
    def read(self, uri: str, max_bytes: int) -> bytes: ...


@dataclass(frozen=True)
class AccessEntry:
    """One read of patient data: who, what, when, from where (never the data itself)."""

    at: datetime
    user: str
    """The caller's stable id (the token's ``sub``); entries before it: the e-mail given."""
    action: str
    """The route, as declared: ``GET /referrals/<referral_id>``."""
    referral_ids: tuple[str, ...]
    path: str | None = None
    """The path called (ids only: a search's terms are in its query, never recorded)."""
    document_id: str | None = None
    search_by: str | None = None
    """``referral_id`` or ``name_dob``: which kind of search, never its terms."""
    source_ip: str | None = None
    request_id: str | None = None


@dataclass(frozen=True)
class Document:
    document_id: str
    label: str
    content_type: str
    uri: str
    filename: str


@dataclass(frozen=True)
class Found:
    record: ReferralRecord


_SOURCE_TYPES = {
    "pdf": "application/pdf",
    "tiff": "image/tiff",
    "hl7": "text/plain",
    "hl7v2": "text/plain",
    "fhir": "application/json",
    "json": "application/json",
}
_EXTENSIONS = {"hl7v2": "hl7", "fhir": "json"}


def documents_of(record: ReferralRecord, auths: list[AuthorizationRecord]) -> list[Document]:
    """What a liaison may open for a referral: the original upload, then per authorization
    request its packet PDF, X12 278, PAS bundle and appeal letter (oldest request first)."""
    source = record.source
    bucket_key = source.quarantine_key or source.key
    fmt = source.format.lower()
    docs = [
        Document(
            document_id="original",
            label=f"Original referral ({fmt.upper()})",
            content_type=_SOURCE_TYPES.get(fmt, "application/octet-stream"),
            uri=f"s3://{source.bucket}/{bucket_key}",
            filename=f"referral-{record.referral_id[:12]}.{_EXTENSIONS.get(fmt, fmt)}",
        )
    ]
    kinds = (
        ("pdf", "prior-authorization packet (PDF)", "application/pdf", "packet.pdf"),
        ("x12", "X12 278 request", "text/plain", "request.278"),
        ("pas", "PAS bundle (FHIR)", "application/json", "pas-bundle.json"),
    )
    for auth in sorted(auths, key=lambda a: a.submitted_at):
        prefix = "Appeal " if auth.kind == "appeal" else ""
        for kind, label, ctype, name in kinds:
            uri = auth.packet.get(kind)
            if uri and uri.startswith("s3://"):
                docs.append(
                    Document(
                        document_id=f"{auth.auth_id}.{kind}",
                        label=f"{prefix}{label[0].upper()}{label[1:]}, request {auth.auth_id}",
                        content_type=ctype,
                        uri=uri,
                        filename=f"{auth.auth_id}-{name}",
                    )
                )
        if auth.appeal and auth.appeal.startswith("s3://"):
            docs.append(
                Document(
                    document_id=f"{auth.auth_id}.appeal",
                    label=f"Appeal letter (PDF), request {auth.auth_id}",
                    content_type="application/pdf",
                    uri=auth.appeal,
                    filename=f"{auth.auth_id}-appeal.pdf",
                )
            )
    summary = record.prior_auth
    uri = (summary.packet or {}).get("pdf") if summary is not None else None
    sent = {d.uri for d in docs}
    if uri and uri.startswith("s3://") and uri not in sent:
        # A packet that went out without a 278 (to a PBM) or is kept on file (Original Medicare)
        to_pbm = summary is not None and summary.status in ("sent_to_pbm", "pbm_approved")
        docs.append(
            Document(
                document_id="packet",
                label="Packet for the PBM (PDF)" if to_pbm else "Documentation on file (PDF)",
                content_type="application/pdf",
                uri=uri,
                filename=f"packet-{record.referral_id[:12]}.pdf",
            )
        )
    return docs


def readable(text: str, fmt: str) -> str:
    """An original shown to a person: HL7 one segment a line, JSON and FHIR indented."""
    if fmt == "hl7":
        return "\n".join(s for s in text.replace("\r\n", "\r").replace("\n", "\r").split("\r") if s)
    if fmt in ("json", "fhir"):
        try:
            return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
        except ValueError:
            return text
    return text


@dataclass
class Workspace:
    store: WorkspaceStore
    signer: LinkSigner
    clock: Callable[[], datetime] = utcnow

    def search(
        self,
        *,
        referral_id: str | None = None,
        last_name: str | None = None,
        first_name: str | None = None,
        date_of_birth: date | None = None,
    ) -> tuple[list[ReferralRecord], str]:
        """The referrals found, newest first, and which kind of search it was."""
        if referral_id:
            found = self.store.get_referral(referral_id.strip().lower())
            records = [found] if found else []
            by = "referral_id"
        elif last_name and date_of_birth:
            ids = self.store.referrals_of_patient(last_name, date_of_birth)
            records = [r for r in (self.store.get_referral(i) for i in ids[:MAX_RESULTS]) if r]
            if first_name:
                wanted = comparable_name(first_name)
                records = [
                    r
                    for r in records
                    if (p := patient_of(r)) and comparable_name(p[0]).startswith(wanted)
                ]
            by = "name_dob"
        else:
            raise InvalidRequest("search by referral id, or by last name and date of birth")
        records.sort(key=lambda r: r.uploaded_at, reverse=True)
        return records, by

    def documents(self, referral_id: str) -> list[Document]:
        record = self._referral(referral_id)
        return documents_of(record, self.store.authorizations_of(referral_id))

    def link(self, referral_id: str, document_id: str) -> tuple[Document, str]:
        doc = self._document(referral_id, document_id)
        url = self.signer.sign(doc.uri, LINK_SECONDS, doc.content_type, doc.filename)
        return doc, url

    def preview(self, referral_id: str, document_id: str) -> tuple[Document, str]:
        """A text document (HL7, FHIR, JSON, X12) shown readably in the page."""
        doc = self._document(referral_id, document_id)
        if doc.content_type not in ("text/plain", "application/json"):
            raise InvalidRequest(f"{document_id} is not a text document: open its link")
        data = self.signer.read(doc.uri, PREVIEW_BYTES)
        fmt = (
            "hl7" if doc.filename.endswith(".hl7") else "json" if "json" in doc.content_type else ""
        )
        text = readable(data.decode("utf-8", errors="replace"), fmt)
        if doc.filename.endswith(".278"):
            text = text.replace("~", "~\n")
        return doc, text

    def _referral(self, referral_id: str) -> ReferralRecord:
        record = self.store.get_referral(referral_id)
        if record is None:
            raise NotFound(f"referral {referral_id} does not exist")
        return record

    def _document(self, referral_id: str, document_id: str) -> Document:
        for doc in self.documents(referral_id):
            if doc.document_id == document_id:
                return doc
        raise NotFound(f"referral {referral_id} has no document {document_id}")


def access_item(entry: AccessEntry) -> dict[str, Any]:
    """The stored form of an entry (``None`` fields left out)."""
    item = {
        "at": entry.at.isoformat(),
        "user": entry.user,
        "action": entry.action,
        "path": entry.path,
        "referral_ids": list(entry.referral_ids),
        "document_id": entry.document_id,
        "search_by": entry.search_by,
        "source_ip": entry.source_ip,
        "request_id": entry.request_id,
    }
    return {k: v for k, v in item.items() if v is not None}


def entry_of(item: dict[str, Any]) -> AccessEntry:
    """An entry read back; items written before the switch name the caller ``liaison`` (the
    e-mail they gave) and the action by kind (``search``, ``document``, ``preview``)."""
    return AccessEntry(
        at=datetime.fromisoformat(str(item["at"])),
        user=str(item.get("user") or item.get("liaison") or ""),
        action=str(item["action"]),
        referral_ids=tuple(str(r) for r in item.get("referral_ids") or []),
        path=item.get("path"),
        document_id=item.get("document_id"),
        search_by=item.get("search_by"),
        source_ip=item.get("source_ip"),
        request_id=item.get("request_id"),
    )
