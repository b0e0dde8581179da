"""``intake referral parse FILE``: read any referral document the way intake does, locally.

Prints the normalized result as JSON (format, the referral or the draft, fields_missing and
per-field confidence) and exits 0; an unreadable file prints its problems in plain words on
stderr (and the JSON on stdout) and exits 2. Scanned faxes are read with Tesseract when it is
installed (``--no-ocr`` to skip).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from intake.referrals import TesseractOcr, parse_referral_document
from intake.referrals.ocr import OcrEngine, tesseract_available

EXIT_UNREADABLE = 2


def _result(outcome: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"format": outcome.format.value, "readable": outcome.readable}
    if outcome.referral is not None:
        body["referral"] = outcome.referral.model_dump(mode="json", exclude_none=True)
    else:
        body["draft"] = outcome.draft
    body["fields_missing"] = outcome.fields_missing
    body["confidence"] = outcome.confidence
    body["problems"] = outcome.problems
    return body


def _parse(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        data = sys.stdin.buffer.read() if args.file == "-" else path.read_bytes()
    except OSError as exc:
        sys.stderr.write(f"cannot read {args.file}: {exc.strerror}\n")
        return EXIT_UNREADABLE
    ocr: OcrEngine | None = TesseractOcr() if not args.no_ocr and tesseract_available() else None
    outcome = parse_referral_document(
        data, received_at=args.received_at, ocr=ocr, min_confidence=args.min_confidence
    )
    sys.stdout.write(json.dumps(_result(outcome), indent=2, ensure_ascii=False) + "\n")
    if not outcome.readable:
        for problem in outcome.problems:
            sys.stderr.write(f"{args.file}: {problem}\n")
        return EXIT_UNREADABLE
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``referral`` command group; each leaf sets ``func(args) -> int`` (the exit code)."""
    referral = subparsers.add_parser(
        "referral", help="read referral documents (PDF, HL7, FHIR, JSON)"
    )
    leaves = referral.add_subparsers(dest="referral_command", required=True)
    parse = leaves.add_parser(
        "parse",
        help="print a document as a normalized referral (or draft) with fields_missing and "
        "confidence; exit 2 when the file is unreadable",
    )
    parse.add_argument("file", help="PDF, HL7 v2, FHIR JSON or referral JSON ('-' for stdin)")
    parse.add_argument(
        "--min-confidence",
        type=float,
        default=0.80,
        help="fields read below this go to review (default 0.80)",
    )
    parse.add_argument(
        "--received-at",
        type=datetime.fromisoformat,
        help="upload time to record when the document has none (ISO 8601)",
    )
    parse.add_argument("--no-ocr", action="store_true", help="do not OCR scanned pages")
    parse.set_defaults(func=_parse)
