"""The fax provider port's local implementation: each fax is recorded as a transmission entry
in the documents bucket (``fax-outbox/<reference>.json``: number, document, time), where a
person or a provider integration picks it up. No patient value is in the entry: the number is
the clinic's or prescriber's, the document is named by its s3 URI."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from intake.clinic.ports import DocumentStore


class OutboxFax:
    def __init__(self, documents: DocumentStore, clock: Callable[[], datetime]) -> None:
        self._documents = documents
        self._clock = clock

    def send(self, to: str, document_uri: str, *, reference: str) -> str:
        entry = {"to": to, "document": document_uri, "queued_at": self._clock().isoformat()}
        return self._documents.put(
            f"fax-outbox/{reference}.json", json.dumps(entry).encode(), "application/json"
        )
