"""The clinic status sender's parts (the PDF stack loads here only, on first use)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from intake.clinic.copy import ClinicCopy
from intake.clinic.model import ClinicStatusRecord
from intake.clinic.sender import ClinicSender


def build_clinic_sender() -> ClinicSender:
    """Built once per process by ``intake.wiring.clinic_sender``."""
    from intake.adapters.dynamodb_clinic import DynamoDbClinicStatuses
    from intake.adapters.dynamodb_visits import DynamoDbVisits
    from intake.adapters.fax_outbox import OutboxFax
    from intake.adapters.s3_packets import S3PacketDocuments
    from intake.authorization.packet.models import Pharmacy
    from intake.clinic.fax import render_status_fax, render_visit_note
    from intake.clinic.settings import ClinicSenderSettings
    from intake.core.clock import utcnow
    from intake.core.settings import load_settings
    from intake.wiring import store, task_service

    settings = load_settings(ClinicSenderSettings)
    table = store()
    documents = S3PacketDocuments(settings.documents_bucket, settings.data_key_arn)
    pharmacy = Pharmacy(
        name=settings.pharmacy_name,
        npi=settings.pharmacy_npi,
        phone=settings.pharmacy_phone,
        fax=settings.pharmacy_fax,
    )

    def status_pdf(status: ClinicStatusRecord, copy: ClinicCopy, now: datetime) -> bytes:
        return render_status_fax(status, copy, pharmacy, now)

    def note_pdf(visit: dict[str, Any], copy: ClinicCopy, status: ClinicStatusRecord) -> bytes:
        return render_visit_note(visit, copy, status, pharmacy)

    return ClinicSender(
        statuses=DynamoDbClinicStatuses(table._table_name, table.table),
        store=table,
        documents=documents,
        fax=OutboxFax(documents, utcnow),
        visits=DynamoDbVisits(table._table_name, table.table),
        tasks=task_service(),
        render_status=status_pdf,
        render_note=note_pdf,
        clock=utcnow,
    )
