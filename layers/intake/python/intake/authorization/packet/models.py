"""The pharmacy asking for authorization, and the packet it sends."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from intake.models.codes import Npi, Phone
from intake.models.referral import Address

if TYPE_CHECKING:
    from intake.therapy import ServicePlan


class Pharmacy(BaseModel):
    """The home infusion pharmacy: the 278 requester and the fax's sender."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=60)
    npi: Npi
    phone: Phone
    fax: Phone
    address: Address | None = None
    contact_name: str | None = Field(default=None, max_length=60)


@dataclass(frozen=True, slots=True)
class Addressee:
    """Who the packet goes to when it is not the medical payer's utilization management: a
    PBM for a drug on the pharmacy benefit, reached by fax or portal."""

    name: str
    department: str = "Pharmacy Prior Authorization"
    fax: str | None = None
    portal: str | None = None


@dataclass(frozen=True, slots=True)
class RequestedService:
    """One line asked for: code, plain-words name, units (None: to be confirmed) and how the
    units were worked out (printed for the reviewer)."""

    code: str
    description: str
    quantity: int | None
    basis: str
    modifiers: tuple[str, ...] = ()
    """JW/JZ on drug lines, SS on an infusion suite's per diem."""
    component: str = ""
    """drug | per_diem | nursing (empty for rows made before the service plan)."""


@dataclass(frozen=True, slots=True)
class Packet:
    """Everything sent to the payer for one request: the faxable PDF, the X12 278 and the
    Da Vinci PAS bundle, with the trace that ties a later answer to it."""

    pdf: bytes
    x12_278: str
    pas_bundle: dict[str, Any]
    trace_number: str = ""
    services: tuple[RequestedService, ...] = field(default_factory=tuple)
    plan: ServicePlan | None = None
    """The service plan the request was built from (dates, dose dates, lines)."""
