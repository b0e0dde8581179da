"""What we ask a payer: one patient (the subscriber, or a dependent on the subscriber's policy).

Service types default to the home-infusion set; payers differ in which of them they answer, so
callers pass the set configured for the payer.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from intake.models.codes import MemberId, Name, Npi
from intake.models.referral import Relationship, Sex

HOME_INFUSION_SERVICE_TYPES: tuple[str, ...] = ("30", "1", "42", "43", "44", "88", "12", "18")
"""30 plan coverage, 1 medical care, 42 home health care, 43 home health prescriptions,
44 home health visits, 88 pharmacy, 12 DME purchase and 18 DME rental (pumps, poles)."""

INS_RELATIONSHIP_CODES = {
    Relationship.SPOUSE: "01",
    Relationship.CHILD: "19",
    Relationship.OTHER: "G8",
}
"""INS02 individual relationship codes used in 2100D."""


def _service_type(code: str) -> str:
    code = code.strip().upper()
    if not (1 <= len(code) <= 2 and code.isalnum()):
        raise ValueError(f"service type code {code!r} is 1-2 letters or digits (X12 1365)")
    return code


ServiceTypeCode = Annotated[str, AfterValidator(_service_type)]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class InquiryPerson(_Frozen):
    first_name: Name
    last_name: Name
    dob: date
    sex: Sex | None = None
    suffix: str | None = Field(default=None, max_length=10, description="NM107 (Jr, Sr, III)")


class InquiryAddress(_Frozen):
    """N3/N4 in 2100C/D: sent to help a payer find a unique match (005010X279A1 section 1.4.8:
    information beyond a search option may be sent, never required)."""

    line1: str = Field(min_length=1, max_length=55)
    city: str = Field(min_length=1, max_length=30)
    state: str = Field(pattern=r"^[A-Z]{2}$")
    postal_code: str = Field(pattern=r"^\d{5}(\d{4})?$")


class SubscriberInfo(InquiryPerson):
    member_id: MemberId | None = Field(
        default=None,
        description="None only for a demographic search (005010X279A1 section 1.4.8, the "
        "Name/Date of Birth Search Option): last name, first name and date of birth, no id",
    )
    group_number: str | None = Field(default=None, max_length=50)
    address: InquiryAddress | None = None


class DependentInfo(InquiryPerson):
    """A patient covered on someone else's policy: sent in loop 2000D (HL 23)."""

    relationship: Relationship

    @field_validator("relationship")
    @classmethod
    def _not_self(cls, v: Relationship) -> Relationship:
        if v is Relationship.SELF:
            raise ValueError("a dependent's relationship is spouse, child or other, not self")
        return v


class EligibilityInquiry(_Frozen):
    """One 270 question: is this patient covered by this payer on this date, for these
    service types?"""

    payer_name: str = Field(min_length=1, max_length=60)
    payer_id: str = Field(min_length=2, max_length=80, pattern=r"^[A-Za-z0-9-]+$")
    provider_name: str = Field(min_length=1, max_length=60)
    provider_npi: Npi
    subscriber: SubscriberInfo
    dependent: DependentInfo | None = None
    service_date: date
    service_types: tuple[ServiceTypeCode, ...] = Field(
        default=HOME_INFUSION_SERVICE_TYPES, min_length=1, max_length=99
    )
    trace_number: str = Field(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9-]+$")
    originator_id: str = Field(
        default="9INTAKE001",
        pattern=r"^[0-9A-Z]{10}$",
        description="TRN03: '1' + EIN or '9' + an assigned id, 10 characters",
    )
