"""The clinic status sender's settings (read on first use, never at import time)."""

from __future__ import annotations

from pydantic import Field

from intake.core.settings import NotifySettings


class ClinicSenderSettings(NotifySettings):
    documents_bucket: str = Field(min_length=1)
    data_key_arn: str | None = None
    pharmacy_name: str = Field(min_length=1, max_length=60)
    pharmacy_npi: str = Field(pattern=r"^\d{10}$")
    pharmacy_phone: str = Field(min_length=10)
    pharmacy_fax: str = Field(min_length=10)
    clinic_status_batch: int = Field(default=100, ge=1, le=500)
