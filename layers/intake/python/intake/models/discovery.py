"""What insurance discovery did for a referral, as stored on its record (``ReferralRecord.discovery``).

Discovery asks likely payers, by the patient's name, date of birth, gender and address (no
member id), whether they cover the patient. Every inquiry is kept with the search it used and
the payer's answer, so the liaison sees exactly what was tried, and a repeated event reuses a
recorded answer instead of paying for the same inquiry twice.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class DiscoveryReason(StrEnum):
    NO_INSURANCE = "no_insurance"  # the referral names no coverage
    MEMBER_NOT_FOUND = "member_not_found"  # the card's payer could not find the member


class InquiryAnswer(StrEnum):
    """What one discovery inquiry learned (meanings in ``intake/data/discovery.json``)."""

    FOUND = "found"  # active coverage, with the member id the payer gave back
    INACTIVE = "inactive"  # the payer knows the person, the coverage is not active
    NOT_FOUND = "not_found"
    SEARCH_UNSUPPORTED = "search_unsupported"
    AMBIGUOUS = "ambiguous"
    FIX_REQUEST = "fix_request"
    RETRY_LATER = "retry_later"
    PAYER_SETUP = "payer_setup"
    UNKNOWN = "unknown"  # an answer discovery has no rule for: a person reads it
    SKIPPED = "skipped"  # not sent (the payer takes no demographic search, no MBI lookup...)


class DiscoveryState(StrEnum):
    FOUND = "found"  # awaiting the patient's confirmation
    CONFIRMED = "confirmed"
    NOT_FOUND = "not_found"


class _Stored(BaseModel):
    model_config = ConfigDict(extra="ignore")


class DiscoveryInquiry(_Stored):
    """One payer asked (or skipped), the search used and its answer."""

    key: str = Field(description="referral + payer + search: one paid inquiry per key")
    payer_id: str
    payer_name: str
    search: list[str] = Field(description="the 270 fields sent, e.g. last_name, date_of_birth")
    answer: InquiryAnswer
    aaa: list[str] = Field(default_factory=list, description="AAA03 reject reason codes")
    paid: bool = Field(description="a 270 was sent through the clearinghouse")
    at: datetime
    note: str | None = None


class FoundCoverage(_Stored):
    """A coverage a payer reported active for the patient: unused until the patient confirms."""

    payer_id: str
    payer_name: str
    member_id: str = Field(repr=False)
    group_number: str | None = None
    plan: str | None = Field(default=None, description="the 271's plan or insurance type")
    plan_begin: date | None = Field(default=None, description="the 271's plan begin (DTP 346/291)")
    program: str | None = None


class DiscoveryRecord(_Stored):
    reason: DiscoveryReason
    state: DiscoveryState
    budget: int = Field(ge=0, description="paid inquiries allowed (setting)")
    spent: int = Field(default=0, ge=0, description="paid inquiries sent")
    state_searched: str | None = Field(
        default=None, description="the patient's state the payers were chosen by (None: unknown)"
    )
    inquiries: list[DiscoveryInquiry] = Field(default_factory=list)
    found: FoundCoverage | None = None
    rejected: list[str] = Field(
        default_factory=list,
        description="payer ids whose found coverage the patient did not confirm",
    )
    budget_exhausted: bool = False
    not_tried: list[str] = Field(
        default_factory=list, description="likely payers left unasked when the budget ran out"
    )
