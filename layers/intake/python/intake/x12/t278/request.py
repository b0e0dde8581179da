"""What a 278 says, as plain data: the parties, the patient event and its service lines.

Frozen dataclasses rather than pydantic: every value here comes from an already validated
``Referral`` (the domain layer maps it), so validating again would only cost time. The same
parties serve the 005010X217 request and the 005010X215 status inquiry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

PLACE_OF_SERVICE_HOME = "12"
"""CMS place of service 12 (home), sent in UM04 with qualifier B."""


@dataclass(frozen=True, slots=True)
class Party:
    """An organization or person named in an NM1 (UMO, requester, provider)."""

    name: str
    id: str
    id_qualifier: str = "XX"
    first_name: str = ""
    is_person: bool = False
    phone: str = ""
    fax: str = ""
    contact_name: str = ""


@dataclass(frozen=True, slots=True)
class Member:
    """The subscriber (2010C) or a dependent patient (2010D)."""

    first_name: str
    last_name: str
    dob: date | None = None
    sex: str = ""
    member_id: str = ""
    group_number: str = ""
    relationship_code: str = ""
    """INS02 for a dependent: 01 spouse, 19 child, G8 other."""


@dataclass(frozen=True, slots=True)
class DeliveryPattern:
    """HSD: ``quantity`` (HSD01 qualifier) per ``unit`` every ``modulus`` units, for
    ``periods`` of ``period_qualifier`` (e.g. 1 visit every 4 weeks for 6 months)."""

    quantity_qualifier: str = "VS"
    quantity: int = 1
    unit: str = ""
    modulus: int | None = None
    period_qualifier: str = ""
    periods: int | None = None


@dataclass(frozen=True, slots=True)
class ServiceLine:
    """One 2000F service: a HCPCS/CPT code and its units (SV1), or a revenue code line (SV2)."""

    code: str
    quantity: int | None = None
    qualifier: str = "HC"
    unit_basis: str = "UN"
    modifiers: tuple[str, ...] = ()
    revenue_code: str = ""
    """Set to send an institutional SV2 line instead of SV1."""


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """An ICD-10-CM code as written (``D80.1``); HI sends it without the dot."""

    code: str
    principal: bool = False


@dataclass(frozen=True, slots=True)
class ReviewRequest:
    """One 278 request: a patient event (2000E) with its service lines (2000F)."""

    trace_number: str
    umo: Party
    requester: Party
    subscriber: Member
    diagnoses: tuple[Diagnosis, ...]
    services: tuple[ServiceLine, ...]
    event_start: date
    event_end: date | None = None
    dependent: Member | None = None
    request_category: str = "HS"
    certification_type: str = "I"
    service_type: str = ""
    place_of_service: str = PLACE_OF_SERVICE_HOME
    delivery: DeliveryPattern | None = None
    providers: tuple[tuple[str, Party], ...] = ()
    """2010EA providers as (entity code, party): DN referring, DK ordering, SJ service."""
    attachment_control_number: str = ""
    """PWK06: the faxed packet's control number, so the reviewer can match paper to request."""
    review_number: str = ""
    """REF*NT of a revised request (UM02 S): the payer's review number it adds to."""
    attachments: tuple[tuple[str, str], ...] = ()
    """Further PWKs, one per record sent with the packet: (PWK01 report type, PWK06 control
    number), transmitted by fax (PWK02 FX)."""
    originator_id: str = "9INTAKE001"


@dataclass(frozen=True, slots=True)
class StatusInquiry:
    """A 005010X215 278 inquiry: what became of the request traced ``original_trace``?"""

    trace_number: str
    original_trace: str
    umo: Party
    requester: Party
    subscriber: Member
    event_start: date
    event_end: date | None = None
    dependent: Member | None = None
    review_number: str = ""
    """The UMO's review id (HCR02 of a pended answer), sent as REF*NT."""
    certification_number: str = ""
    """A certification number already issued, sent as REF*BB."""
    originator_id: str = "9INTAKE001"
