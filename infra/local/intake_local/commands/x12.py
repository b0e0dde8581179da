"""``intake x12``: read a 271 as JSON, build a 270 from a JSON inquiry.

Exit codes: 0 success, 2 malformed input (the message says what and where, in plain words).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from pydantic import ValidationError

from intake.eligibility.benefits.interpret import interpret_271
from intake.eligibility.benefits.parts import parts_text
from intake.eligibility.benefits.render import dumps_benefits
from intake.models.benefits import ExpectedPatient
from intake.x12.control_numbers import SequentialControlNumbers
from intake.x12.errors import X12Error
from intake.x12.t270 import HOME_INFUSION_SERVICE_TYPES, EligibilityInquiry, build_270

EXIT_MALFORMED = 2


def _fail(message: str) -> int:
    sys.stderr.write(f"error: {message}\n")
    return EXIT_MALFORMED


def _read_text(path: str) -> str:
    return sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")


def _read_271(args: argparse.Namespace) -> int:
    try:
        text = _read_text(args.file)
    except OSError as exc:
        return _fail(f"cannot read {args.file}: {exc.strerror}")
    expected = None
    if args.expect_first or args.expect_last:
        if not (args.expect_first and args.expect_last):
            return _fail("--expect-first and --expect-last go together")
        expected = ExpectedPatient(
            first_name=args.expect_first, last_name=args.expect_last, dob=args.expect_dob
        )
    service_types = tuple(s.strip() for s in args.service_types.split(",") if s.strip())
    try:
        results = interpret_271(
            text, expected=expected, service_types=service_types, strict=args.strict
        )
    except X12Error as exc:
        return _fail(f"{args.file} is not a valid 271: {exc}")
    if args.parts:
        for summary in results:
            who = " ".join(p for p in (summary.patient.first_name, summary.patient.last_name) if p)
            sys.stdout.write(f"{who or 'patient'}: {summary.status.value}\n")
            sys.stdout.write(parts_text(summary) + "\n")
        return 0
    sys.stdout.write(dumps_benefits(results) + "\n")
    return 0


def _build_270(args: argparse.Namespace) -> int:
    try:
        inquiry = EligibilityInquiry.model_validate(json.loads(_read_text(args.inquiry)))
    except OSError as exc:
        return _fail(f"cannot read {args.inquiry}: {exc.strerror}")
    except json.JSONDecodeError as exc:
        return _fail(f"{args.inquiry} is not JSON (line {exc.lineno}: {exc.msg})")
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        return _fail(f"{args.inquiry} is not a valid inquiry: {problems}")
    numbers = (
        SequentialControlNumbers(args.control_number) if args.control_number is not None else None
    )
    try:
        text = build_270(
            inquiry, control_numbers=numbers, line_ending="\n" if args.newlines else ""
        )
    except X12Error as exc:
        return _fail(str(exc))
    sys.stdout.write(text if args.newlines else text + "\n")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``x12`` command group; each leaf sets ``func(args) -> int`` (the exit code)."""
    x12 = subparsers.add_parser("x12", help="read 271 responses and build 270 inquiries")
    leaves = x12.add_subparsers(dest="x12_command", required=True)

    read = leaves.add_parser(
        "read-271",
        help="print a 271 as JSON (status, payer, subscriber, benefits, rejections, summary, "
        "coinsurance, copay, auth_required, coverages per EB04 with the one used for infusion, "
        "cost_share_by_part); one object per patient, a list for several",
    )
    read.add_argument("file", help="271 file ('-' for stdin)")
    read.add_argument(
        "--service-types",
        default=",".join(HOME_INFUSION_SERVICE_TYPES),
        help="service type codes the summary is for (default: the home infusion set)",
    )
    read.add_argument("--expect-first", help="referral first name, to flag a name mismatch")
    read.add_argument("--expect-last", help="referral last name, to flag a name mismatch")
    read.add_argument("--expect-dob", type=date.fromisoformat, help="referral DOB (YYYY-MM-DD)")
    read.add_argument(
        "--strict",
        action="store_true",
        help="fail on count and control-number mismatches too (default: warn)",
    )
    read.add_argument(
        "--parts",
        action="store_true",
        help="print, per part of the therapy (drug, per diem, nursing, supplies), the cost share "
        "with what a copay is per (EB06) and the EB segments it came from, as text",
    )
    read.set_defaults(func=_read_271)

    build = leaves.add_parser("build-270", help="print a 270 for a JSON EligibilityInquiry")
    build.add_argument("inquiry", help="JSON file ('-' for stdin) with the inquiry fields")
    build.add_argument(
        "--control-number", type=int, help="first control number (default: unique, clock-seeded)"
    )
    build.add_argument("--newlines", action="store_true", help="one segment per line")
    build.set_defaults(func=_build_270)
