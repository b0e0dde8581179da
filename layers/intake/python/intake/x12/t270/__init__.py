"""005010X279A1 270 eligibility inquiry: the request model, the builder and a reader."""

from intake.x12.t270.build import build_270, build_270_body
from intake.x12.t270.inquiry import (
    HOME_INFUSION_SERVICE_TYPES,
    DependentInfo,
    EligibilityInquiry,
    InquiryAddress,
    SubscriberInfo,
)
from intake.x12.t270.read import InquiredPerson, ParsedInquiry, read_270

__all__ = [
    "HOME_INFUSION_SERVICE_TYPES",
    "DependentInfo",
    "EligibilityInquiry",
    "InquiredPerson",
    "InquiryAddress",
    "ParsedInquiry",
    "SubscriberInfo",
    "build_270",
    "build_270_body",
    "read_270",
]
