"""What a payer's 271 means for a patient: coverage, cost sharing, limits, rejections."""

from intake.eligibility.benefits.interpret import interpret, interpret_271
from intake.eligibility.benefits.render import benefits_json, dumps_benefits, summary_json
from intake.models.benefits import (
    BenefitLine,
    BenefitsSummary,
    CoverageStatus,
    ExpectedPatient,
)

__all__ = [
    "BenefitLine",
    "BenefitsSummary",
    "CoverageStatus",
    "ExpectedPatient",
    "benefits_json",
    "dumps_benefits",
    "interpret",
    "interpret_271",
    "summary_json",
]
