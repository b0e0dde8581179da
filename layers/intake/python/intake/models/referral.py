"""The normalized referral every intake format (JSON, FHIR, HL7 v2, fax) is read into.

This is the *input* model: what a clinic tells us. The stored record (``ReferralRecord``) and
the API's output models live beside it and reuse these types.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from intake.models.codes import HcpcsCode, Icd10Code, MemberId, Name, Ndc, Npi, Phone


class Language(StrEnum):
    """Languages the liaison team calls in (call scripts exist for each)."""

    ENGLISH = "en"
    SPANISH = "es"
    CHINESE = "zh"


_LANGUAGE_ALIASES = {
    "en": Language.ENGLISH,
    "eng": Language.ENGLISH,
    "english": Language.ENGLISH,
    "es": Language.SPANISH,
    "spa": Language.SPANISH,
    "spanish": Language.SPANISH,
    "español": Language.SPANISH,
    "espanol": Language.SPANISH,
    "zh": Language.CHINESE,
    "zho": Language.CHINESE,
    "chi": Language.CHINESE,
    "chinese": Language.CHINESE,
    "mandarin": Language.CHINESE,
    "cantonese": Language.CHINESE,
    "中文": Language.CHINESE,
    "普通话": Language.CHINESE,
    "粤语": Language.CHINESE,
    "zh-cn": Language.CHINESE,
    "zh-tw": Language.CHINESE,
    "es-us": Language.SPANISH,
    "en-us": Language.ENGLISH,
}


def _language(value: object) -> object:
    if isinstance(value, str):
        found = _LANGUAGE_ALIASES.get(value.strip().lower())
        if found is None:
            raise ValueError("is not a language we call in (English, Spanish, Chinese)")
        return found
    return value


PreferredLanguage = Annotated[Language, BeforeValidator(_language)]


class Sex(StrEnum):
    FEMALE = "F"
    MALE = "M"
    UNKNOWN = "U"


def _sex(value: object) -> object:
    if isinstance(value, str):
        v = value.strip().lower()
        return {"f": "F", "female": "F", "m": "M", "male": "M"}.get(v, "U" if v else value)
    return value


class Relationship(StrEnum):
    """Patient's relationship to the subscriber (drives HL 22 vs 23 in the 270)."""

    SELF = "self"
    SPOUSE = "spouse"
    CHILD = "child"
    OTHER = "other"


class SiteOfCare(StrEnum):
    HOME = "home"
    INFUSION_SUITE = "infusion_suite"


MAX_TEXT = 2_000
"""Longest text any field but the clinical notes may hold: keeps a stored referral far under
DynamoDB's 400 KB item limit whatever a document says."""
MAX_DIAGNOSES = 20


class CoverageUnknown(ValueError):
    """A step that needs the referral's coverage ran before it was known."""


class Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, frozen=True, str_max_length=MAX_TEXT
    )


class Address(Strict):
    line1: str = Field(min_length=1, max_length=55)
    line2: str | None = Field(default=None, max_length=55)
    city: str = Field(min_length=1, max_length=30)
    state: str = Field(pattern=r"^[A-Z]{2}$", description="USPS state code")
    postal_code: str = Field(pattern=r"^\d{5}(-?\d{4})?$")

    @field_validator("state", mode="before")
    @classmethod
    def _upper(cls, v: object) -> object:
        return v.strip().upper() if isinstance(v, str) else v


class Patient(Strict):
    first_name: Name
    last_name: Name
    middle_name: str | None = None
    date_of_birth: date
    sex: Annotated[Sex, BeforeValidator(_sex)]
    address: Address
    phone: Phone
    preferred_language: PreferredLanguage = Language.ENGLISH
    email: str | None = None
    weight_kg: float | None = Field(default=None, gt=0, lt=500)
    weight_measured_on: date | None = Field(
        default=None, description="when the weight was measured, where the clinic says"
    )
    height_cm: float | None = Field(default=None, gt=20, lt=275)

    @field_validator("date_of_birth")
    @classmethod
    def _plausible_dob(cls, v: date) -> date:
        today = datetime.now(UTC).date()
        if v > today:
            raise ValueError("date of birth is in the future")
        if today.year - v.year > 130:
            raise ValueError("date of birth is more than 130 years ago")
        return v


class Subscriber(Strict):
    """The policy holder, when it is not the patient."""

    first_name: Name
    last_name: Name
    date_of_birth: date | None = None
    member_id: MemberId | None = None


class Insurance(Strict):
    payer_name: str = Field(min_length=1, max_length=60)
    payer_id: str = Field(min_length=2, max_length=80, pattern=r"^[A-Za-z0-9-]+$")
    member_id: MemberId
    group_number: str | None = Field(default=None, max_length=50)
    plan_name: str | None = None
    relationship: Relationship = Relationship.SELF
    subscriber: Subscriber | None = None

    @model_validator(mode="after")
    def _subscriber_when_dependent(self) -> Self:
        if self.relationship is not Relationship.SELF and self.subscriber is None:
            raise ValueError(
                f"the patient is the subscriber's {self.relationship.value}: "
                "the subscriber's name is needed to check eligibility"
            )
        return self


class Prescriber(Strict):
    first_name: Name
    last_name: Name
    credentials: str | None = None
    npi: Npi
    phone: Phone
    fax: Phone | None = None
    specialty: str | None = None


class Therapy(Strict):
    drug_name: str = Field(min_length=1, max_length=120)
    ndc: Ndc | None = None
    hcpcs: HcpcsCode | None = None
    dose: str = Field(min_length=1, max_length=60, description="as prescribed, e.g. '5 mg/kg'")
    route: str = Field(min_length=1, max_length=30, description="e.g. IV, SC")
    frequency: str = Field(min_length=1, max_length=60, description="e.g. 'every 8 weeks'")
    duration: str = Field(min_length=1, max_length=60, description="e.g. '12 months'")
    site_of_care: SiteOfCare = SiteOfCare.HOME
    start_date: date | None = None

    @model_validator(mode="after")
    def _a_billing_code(self) -> Self:
        if self.ndc is None and self.hcpcs is None:
            raise ValueError("the drug needs an NDC or a HCPCS code (either is enough)")
        return self


MAX_CLINICAL_FACTS = 200


class ClinicalFactKind(StrEnum):
    OBSERVATION = "observation"
    CONDITION = "condition"
    MEDICATION = "medication"
    PROCEDURE = "procedure"
    IMMUNIZATION = "immunization"


class ClinicalFact(Strict):
    """One structured clinical statement as the clinic's system coded it.

    Read from FHIR (Observation, Condition, MedicationStatement, Procedure, Immunization) or
    HL7 v2 (OBX, DG1, RXA). A reviewer reads these before any free text: each met criterion
    names the fact it rests on (``source``) and its date.
    """

    kind: ClinicalFactKind
    code: str | None = Field(default=None, max_length=64)
    system: str | None = Field(
        default=None, max_length=200, description="code system URI or HL7 table, e.g. LOINC"
    )
    display: str | None = None
    value: str | None = Field(default=None, description="the result, as written")
    unit: str | None = Field(default=None, max_length=40)
    interpretation: str | None = Field(
        default=None, max_length=40, description="e.g. N, A, POS, NEG, as the sender coded it"
    )
    status: str | None = Field(default=None, max_length=40, description="e.g. final, stopped")
    effective: date | None = None
    ended: date | None = None
    source: str = Field(
        min_length=1, max_length=120, description="where it was read, e.g. 'FHIR Observation/7'"
    )


class Diagnosis(Strict):
    code: Icd10Code
    description: str | None = None


def _diagnosis(value: object) -> object:
    return {"code": value} if isinstance(value, str) else value


class ReferringClinic(Strict):
    name: str = Field(min_length=1, max_length=120)
    npi: Npi | None = None
    phone: Phone | None = None
    fax: Phone | None = None
    contact_name: str | None = None


_REF_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class Referral(Strict):
    """A referral for home or infusion-suite therapy, normalized from any intake format."""

    clinic_reference: str | None = Field(
        default=None, description="the clinic's own referral number, if it sent one"
    )
    patient: Patient
    insurance: Insurance | None = Field(
        default=None,
        description="the coverage the clinic gave; None: none given, so insurance discovery "
        "looks for it (intake.discovery) before the benefits check",
    )
    secondary_insurance: Insurance | None = Field(
        default=None,
        description="a second coverage (Medigap, a spouse's plan, Medicaid); which pays first "
        "is decided from both payers' 271s",
    )
    prescriber: Prescriber
    therapy: Therapy
    diagnoses: list[Annotated[Diagnosis, BeforeValidator(_diagnosis)]] = Field(min_length=1)
    clinical_notes: str | None = Field(default=None, max_length=20_000)
    clinical_facts: list[ClinicalFact] = Field(
        default_factory=list,
        max_length=MAX_CLINICAL_FACTS,
        description="structured observations, conditions, medications and procedures",
    )
    referring_clinic: ReferringClinic
    received_at: datetime | None = Field(
        default=None, description="when the clinic sent it; intake fills in the upload time"
    )

    @property
    def coverage(self) -> Insurance:
        """The referral's coverage, for the steps past the benefits check (which never pass a
        referral without one: discovery's confirmed coverage is written to ``insurance``)."""
        if self.insurance is None:
            raise CoverageUnknown("the referral has no coverage yet (insurance discovery)")
        return self.insurance

    @field_validator("diagnoses")
    @classmethod
    def _few_diagnoses(cls, v: list[Diagnosis]) -> list[Diagnosis]:
        if len(v) > MAX_DIAGNOSES:
            raise ValueError(f"more than {MAX_DIAGNOSES} diagnoses; list the ones for this therapy")
        return v

    @field_validator("clinic_reference")
    @classmethod
    def _reference(cls, v: str | None) -> str | None:
        if v is not None and not _REF_RE.match(v):
            raise ValueError("clinic reference may hold letters, digits, '.', '_' and '-' only")
        return v

    @field_validator("received_at")
    @classmethod
    def _aware(cls, v: datetime | None) -> datetime | None:
        if v is not None and v.tzinfo is None:
            return v.replace(tzinfo=UTC)
        return v
