"""Referral intake formats (fax PDF, HL7 v2, FHIR, our JSON) read into one ``ParseOutcome``.

``parse_referral_document`` is the entry point; ``complete_draft`` finishes a draft with the
fields a liaison supplies in the "complete referral" review task.
"""

from intake.models.draft import complete_draft, merge_fields
from intake.referrals.detect import DocumentFormat, detect, detect_format
from intake.referrals.limits import DEFAULT_LIMITS, Limits
from intake.referrals.ocr import OcrEngine, OcrLine, OcrPage, OcrWord, TesseractOcr
from intake.referrals.outcome import ParseOutcome
from intake.referrals.parse import parse_referral_document

__all__ = [
    "DEFAULT_LIMITS",
    "DocumentFormat",
    "Limits",
    "OcrEngine",
    "OcrLine",
    "OcrPage",
    "OcrWord",
    "ParseOutcome",
    "TesseractOcr",
    "complete_draft",
    "detect",
    "detect_format",
    "merge_fields",
    "parse_referral_document",
]
