"""``intake pa packet``: build a prior-authorization packet for a referral, locally.

Writes packet.pdf, request.278 and pas-bundle.json into ``--out`` and prints their paths.
Nothing is requested before the referral was received (``--received``, else its own sent or
received time, else the packet date): a therapy start before it is requested from it.
Benefits come from a 271 X12 file or the JSON ``intake x12 read-271`` prints. Exit codes: 0
success, 2 bad input (the message says which file and what, in plain words).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from intake.authorization.packet import Pharmacy, build_packet, decide_prior_auth
from intake.core.clock import utcnow
from intake.eligibility.benefits.interpret import interpret_271
from intake.models.benefits import (
    BenefitLine,
    BenefitsSummary,
    CoverageStatus,
    Party,
    Plan,
    Rejection,
)
from intake.models.dates import planned
from intake.referrals import parse_referral_document
from intake.x12.errors import X12Error
from intake_local.commands.receipt import planned_start, received_on

EXIT_BAD_INPUT = 2
DEFAULT_PHARMACY = {
    "name": "Sandbox Home Infusion Pharmacy",
    "npi": "1881000008",
    "phone": "312-555-0150",
    "fax": "312-555-0151",
}


class BadInput(Exception):
    """Input the command cannot use; the message is for the person at the terminal."""


def _read_bytes(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise BadInput(f"cannot read {path}: {exc.strerror}") from exc


def _benefits_from_json(data: Any) -> BenefitsSummary:
    """The read-271 JSON back into a summary (the fields the decision and packet use)."""
    if isinstance(data, list):
        if len(data) != 1:
            raise BadInput("the benefits JSON holds several patients; pass one")
        data = data[0]
    if not isinstance(data, dict) or "status" not in data:
        raise BadInput("the benefits JSON is not 'intake x12 read-271' output (no status)")
    lines = []
    for b in data.get("benefits", []):
        fields = {k: v for k, v in b.items() if k in BenefitLine.model_fields}
        for key in ("amount", "percent", "quantity"):
            if fields.get(key) is not None:
                fields[key] = Decimal(str(fields[key]))
        lines.append(BenefitLine.model_validate(fields))
    return BenefitsSummary(
        status=CoverageStatus(data["status"]),
        payer=Party.model_validate(data.get("payer") or {}),
        plan=Plan.model_validate(data.get("plan") or {}),
        benefits=tuple(lines),
        rejections=tuple(
            Rejection.model_validate({k: v for k, v in r.items() if k in Rejection.model_fields})
            for r in data.get("rejections", [])
        ),
        auth_required=data.get("auth_required"),
        messages=tuple(data.get("messages", [])),
    )


def _benefits(path: str) -> BenefitsSummary:
    raw = _read_bytes(path).decode("utf-8", errors="replace")
    if raw.lstrip().startswith("ISA"):
        try:
            summaries = interpret_271(raw)
        except X12Error as exc:
            raise BadInput(f"{path} is not a valid 271: {exc}") from exc
        if len(summaries) != 1:
            raise BadInput(f"{path} answers for {len(summaries)} patients; pass one")
        return summaries[0]
    try:
        return _benefits_from_json(json.loads(raw))
    except json.JSONDecodeError as exc:
        raise BadInput(f"{path} is neither a 271 nor JSON (line {exc.lineno}: {exc.msg})") from exc
    except (ValidationError, ValueError, KeyError) as exc:
        raise BadInput(f"{path} is not valid benefits JSON: {exc}") from exc


def _packet(args: argparse.Namespace) -> int:
    try:
        document = _read_bytes(args.referral)
        outcome = parse_referral_document(document)
        if outcome.referral is None:
            problems = "; ".join(outcome.problems) or "required fields are missing"
            raise BadInput(f"{args.referral} is not a complete referral: {problems}")
        benefits = _benefits(args.benefits)
        pharmacy = Pharmacy(
            name=args.pharmacy_name,
            npi=args.pharmacy_npi,
            phone=args.pharmacy_phone,
            fax=args.pharmacy_fax,
        )
    except BadInput as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_BAD_INPUT
    except ValidationError as exc:
        sys.stderr.write(f"error: pharmacy details are not valid: {exc.errors()[0]['msg']}\n")
        return EXIT_BAD_INPUT
    now = datetime.combine(args.date, datetime.min.time().replace(hour=9)) if args.date else None
    today = args.date or utcnow().date()
    received = received_on(args.received, outcome.referral.received_at, today)
    # as the workflow plans it: a start before receipt is "as soon as possible" from receipt
    start = planned_start(outcome.referral.therapy.start_date, received)
    referral = planned(outcome.referral, datetime.combine(start, datetime.min.time()))
    decision = decide_prior_auth(referral, benefits)
    try:
        packet = build_packet(
            referral,
            benefits,
            decision,
            pharmacy=pharmacy,
            original_document=document,
            original_name=Path(args.referral).name,
            now=now,
            start=start,
            received_on=received,
        )
    except X12Error as exc:
        sys.stderr.write(f"error: the 278 cannot be built: {exc}\n")
        return EXIT_BAD_INPUT
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "packet.pdf": packet.pdf,
        "request.278": packet.x12_278.encode("ascii"),
        "pas-bundle.json": json.dumps(packet.pas_bundle, indent=2, ensure_ascii=False).encode(
            "utf-8"
        ),
    }
    for name, body in files.items():
        (out / name).write_bytes(body)
        sys.stdout.write(f"{out / name}\n")
    verdict = "required" if decision.required else "not required"
    sys.stdout.write(f"prior authorization {verdict}: {'; '.join(decision.reasons)}\n")
    if decision.network_exception:
        sys.stdout.write("network exception (single-case agreement) needed\n")
    sys.stdout.write(f"how it was read: {'; '.join(decision.audit)}\n")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``pa`` command group; each leaf sets ``func(args) -> int`` (the exit code)."""
    pa = subparsers.add_parser("pa", help="prior authorization packets")
    leaves = pa.add_subparsers(dest="pa_command", required=True)
    packet = leaves.add_parser(
        "packet", help="write packet.pdf, request.278 and pas-bundle.json for a referral"
    )
    packet.add_argument(
        "--referral",
        required=True,
        help="referral file (JSON, FHIR, HL7 v2 or PDF with a text layer)",
    )
    packet.add_argument(
        "--benefits", required=True, help="the payer's 271 (X12) or 'intake x12 read-271' JSON"
    )
    packet.add_argument("--out", required=True, help="directory to write the three files to")
    packet.add_argument("--pharmacy-name", default=DEFAULT_PHARMACY["name"])
    packet.add_argument("--pharmacy-npi", default=DEFAULT_PHARMACY["npi"])
    packet.add_argument("--pharmacy-phone", default=DEFAULT_PHARMACY["phone"])
    packet.add_argument("--pharmacy-fax", default=DEFAULT_PHARMACY["fax"])
    packet.add_argument(
        "--date",
        type=date.fromisoformat,
        help="packet date YYYY-MM-DD (default: now)",
    )
    packet.add_argument(
        "--received",
        type=date.fromisoformat,
        help="date the referral was received YYYY-MM-DD (default: its own sent or received "
        "time, else the packet date); nothing is requested before it (a therapy start before "
        "it is requested from it), and evidence older than 12 months before it is flagged",
    )
    packet.set_defaults(func=_packet)
