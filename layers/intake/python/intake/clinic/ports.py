"""What the clinic statuses depend on (adapters in ``intake.adapters``)."""

from __future__ import annotations

from typing import Any, Protocol

from intake.clinic.model import ClinicStatusRecord


class ClinicStatuses(Protocol):
    def of(self, referral_id: str) -> list[ClinicStatusRecord]: ...
    def pending(self, limit: int = 100) -> list[ClinicStatusRecord]: ...
    def update(
        self, status: ClinicStatusRecord, fields: dict[str, Any]
    ) -> ClinicStatusRecord | None:
        """None when the status was no longer pending (another run delivered it)."""

    def referral_for(self, clinic: str, reference: str) -> str | None: ...


class FaxProvider(Protocol):
    """Sends a stored document by fax; returns the provider's id for the transmission."""

    def send(self, to: str, document_uri: str, *, reference: str) -> str: ...


class DocumentStore(Protocol):
    def put(self, key: str, body: bytes, content_type: str) -> str: ...


class VisitRecords(Protocol):
    """The nurse's visit records (issue 25 item 2, built by another capability): a visit as
    stored, or None when there is no record of it."""

    def visit(self, referral_id: str, visit_id: str) -> dict[str, Any] | None: ...
