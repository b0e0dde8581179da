"""One entry point for every intake document: detect the format, read it, judge the result."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from intake.referrals.detect import Detection, DocumentFormat, detect
from intake.referrals.fhir_format import parse_fhir
from intake.referrals.hl7v2_format import parse_hl7
from intake.referrals.json_format import parse_json_referral
from intake.referrals.limits import DEFAULT_LIMITS, Deadline, LimitExceededError, Limits
from intake.referrals.ocr import OcrEngine
from intake.referrals.outcome import Extraction, ParseOutcome, build_outcome, unreadable
from intake.referrals.payer_lookup import fill_payer_id
from intake.referrals.pdf_format import parse_pdf
from intake.referrals.plausibility import Window
from intake.referrals.tiff_format import parse_tiff

log = logging.getLogger(__name__)


def _extract(
    data: bytes,
    detection: Detection,
    *,
    ocr: OcrEngine | None,
    limits: Limits,
    deadline: Deadline,
) -> Extraction:
    fmt, text, document = detection.format, detection.text, detection.document
    if fmt is DocumentFormat.PDF:
        return parse_pdf(data, ocr=ocr, limits=limits, deadline=deadline)
    if fmt is DocumentFormat.TIFF:
        return parse_tiff(data, ocr=ocr, limits=limits, deadline=deadline)
    if fmt is DocumentFormat.HL7V2 and text is not None:
        return parse_hl7(text, limits)
    if fmt is DocumentFormat.FHIR and isinstance(document, dict):
        return parse_fhir(document)
    if fmt is DocumentFormat.JSON and isinstance(document, dict):
        return parse_json_referral(document)
    raise ValueError("the file is not a format intake reads")


def parse_referral_document(
    data: bytes,
    *,
    received_at: datetime | None = None,
    ocr: OcrEngine | None = None,
    min_confidence: float = 0.80,
    limits: Limits = DEFAULT_LIMITS,
) -> ParseOutcome:
    """Read a referral in any supported format into a ``ParseOutcome``; never raises on bad input.

    ``received_at`` fills ``Referral.received_at`` when the document has no send time of its
    own; ``ocr`` reads scanned pages (without it, image-only PDFs are unreadable).
    """
    started = time.perf_counter()
    if len(data) > limits.max_input_bytes:
        fmt = detect(data[:2048], limits).format
        outcome = unreadable(
            fmt, f"the file is larger than {limits.max_input_bytes // (1024 * 1024)} MB"
        )
    else:
        detection = detect(data, limits)
        fmt = detection.format
        if detection.reason is not None:
            outcome = unreadable(fmt, detection.reason)
        else:
            outcome = _parse(
                data,
                detection,
                ocr=ocr,
                limits=limits,
                min_confidence=min_confidence,
                received_at=received_at,
            )
    log.info(
        "referral document parsed",
        extra={
            "format": outcome.format.value,
            "readable": outcome.readable,
            "complete": outcome.referral is not None,
            "fields_missing": len(outcome.fields_missing),
            "bytes": len(data),
            "ms": round((time.perf_counter() - started) * 1000),
        },
    )
    return outcome


def _parse(
    data: bytes,
    detection: Detection,
    *,
    ocr: OcrEngine | None,
    limits: Limits,
    min_confidence: float,
    received_at: datetime | None,
) -> ParseOutcome:
    fmt = detection.format
    deadline = Deadline(limits.total_time_s)
    try:
        extraction = _extract(data, detection, ocr=ocr, limits=limits, deadline=deadline)
    except (LimitExceededError, ValueError) as exc:
        outcome = unreadable(fmt, str(exc))
        return outcome.model_copy(update={"timed_out": True}) if deadline.timed_out else outcome
    except (RecursionError, MemoryError) as exc:
        return unreadable(fmt, f"the file is too complex to read ({type(exc).__name__})")
    except Exception as exc:  # a parser bug on odd input quarantines the file, not the Lambda
        log.warning(
            "referral parser failed", extra={"format": fmt.value, "error": type(exc).__name__}
        )
        return unreadable(fmt, f"the file could not be read ({type(exc).__name__})")
    window = Window(start_ahead=timedelta(days=limits.max_start_ahead_days))
    outcome = build_outcome(
        fmt,
        fill_payer_id(extraction),
        min_confidence=min_confidence,
        received_at=received_at,
        doubts=detection.doubts,
        window=window,
    )
    return outcome.model_copy(update={"timed_out": True}) if deadline.timed_out else outcome
