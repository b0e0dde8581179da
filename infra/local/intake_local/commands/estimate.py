"""``intake estimate``: what the patient will owe for a referral's therapy, as JSON.

    intake estimate --benefits 271-or-json --therapy therapy-or-referral.json
                    [--contract FILE] [--weight-kg N] [--language en|es|zh] [--start DATE]
                    [--received DATE] [--as-of DATE] [--secondary 271-or-json]
                    [--diagnosis ICD10 ...]

The course is priced from --start (else the therapy's start), never before the referral was
received (--received, else the referral's own received_at, else today), split by plan year;
--as-of is the day the 271's remaining amounts were true (default: today), so with all three
the answer is the same on any day.
A second coverage (--secondary) is ordered against the first from the two 271s and applied to
what the primary leaves. Exit codes: 0 success, 2 unusable input (the message says what, in
plain words; an unreadable prescription names its field).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from intake.core.clock import utcnow
from intake.eligibility.benefits.coordination import decide_order
from intake.eligibility.benefits.interpret import interpret_271
from intake.estimate import (
    EstimateError,
    SecondaryCoverage,
    UnreadablePrescription,
    dumps_estimate,
    estimate,
    load_assistance,
    load_contracts,
    summary_from_json,
)
from intake.models.benefits import BenefitsSummary
from intake.models.referral import Language, PreferredLanguage, Therapy
from intake.x12.errors import X12Error
from intake_local.commands.receipt import planned_start, received_on

EXIT_BAD_INPUT = 2


class _BadInput(Exception):
    """Input the command cannot use; the message is for the user."""


def _read(path: str) -> str:
    try:
        return sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise _BadInput(f"cannot read {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise _BadInput(f"{path} is not text (UTF-8)") from exc


def _json(path: str, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _BadInput(f"{path} is not JSON (line {exc.lineno}: {exc.msg})") from exc


def _pick(summaries: list[BenefitsSummary], index: int | None, path: str) -> BenefitsSummary:
    if not summaries:
        raise _BadInput(f"{path} holds no patient")
    if index is None:
        if len(summaries) > 1:
            raise _BadInput(
                f"{path} holds {len(summaries)} patients: say which with "
                "--patient N (1 is the first)"
            )
        return summaries[0]
    if not 1 <= index <= len(summaries):
        raise _BadInput(f"{path} holds {len(summaries)} patients; there is no patient {index}")
    return summaries[index - 1]


def _benefits(path: str, index: int | None) -> BenefitsSummary:
    text = _read(path)
    if text.lstrip().startswith("ISA"):
        try:
            return _pick(interpret_271(text), index, path)
        except X12Error as exc:
            raise _BadInput(f"{path} is not a valid 271: {exc}") from exc
    data = _json(path, text)
    items = data if isinstance(data, list) else [data]
    try:
        return _pick([summary_from_json(item) for item in items], index, path)
    except EstimateError as exc:
        raise _BadInput(f"{path}: {exc}") from exc


def _problems(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}" for e in exc.errors()
    )


def _sent_at(path: str) -> datetime | None:
    """A whole referral's own send or receipt time (``received_at``), if it has one."""
    data = _json(path, _read(path))
    text = data.get("received_at") if isinstance(data, dict) and "therapy" in data else None
    try:
        return datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError as exc:
        raise _BadInput(f"{path}: received_at '{text}' is not a date and time") from exc


def _therapy(path: str) -> tuple[Therapy, Decimal | None, Language | None, list[str]]:
    """A Therapy, or a whole referral (its therapy, the patient's weight and language, its
    diagnosis codes)."""
    data = _json(path, _read(path))
    if not isinstance(data, dict):
        raise _BadInput(f"{path} is not a therapy or referral object")
    patient = data.get("patient") if "therapy" in data else None
    try:
        therapy = Therapy.model_validate(data.get("therapy", data))
    except ValidationError as exc:
        raise _BadInput(f"{path} has no valid therapy: {_problems(exc)}") from exc
    diagnoses = [
        str(d.get("code") if isinstance(d, dict) else d)
        for d in (data.get("diagnoses") or [] if "therapy" in data else [])
    ]
    if not isinstance(patient, dict):
        return therapy, None, None, diagnoses
    weight = patient.get("weight_kg")
    try:
        language = (
            TypeAdapter(PreferredLanguage).validate_python(patient["preferred_language"])
            if patient.get("preferred_language")
            else None
        )
    except ValidationError:
        language = None  # an unknown language is the referral check's problem, not ours
    return therapy, (None if weight is None else _weight(str(weight))), language, diagnoses


def _weight(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise _BadInput(f"weight '{text}' is not a number of kilograms") from exc
    if not value.is_finite() or not 0 < value < 500:
        raise _BadInput(f"weight {text} kg is not a plausible patient weight")
    return value


def _coverages(
    args: argparse.Namespace,
) -> tuple[BenefitsSummary, str | None, SecondaryCoverage | None]:
    """The primary (and its contract payer id) and the secondary, in the order the 271s say."""
    first = _benefits(args.benefits, args.patient)
    if not args.secondary:
        return first, args.payer_id, None
    second = _benefits(args.secondary, args.secondary_patient)
    order = decide_order(first, second)
    if order.swapped:
        return (
            order.primary,
            args.secondary_payer_id,
            SecondaryCoverage(order.secondary, args.payer_id, order.reason),
        )
    return first, args.payer_id, SecondaryCoverage(second, args.secondary_payer_id, order.reason)


def _run(args: argparse.Namespace) -> int:
    try:
        benefits, payer_id, secondary = _coverages(args)
        therapy, weight, language, diagnoses = _therapy(args.therapy)
        if args.weight_kg is not None:
            weight = _weight(args.weight_kg)
        contracts = load_contracts(Path(args.contract) if args.contract else None)
        assistance = load_assistance(Path(args.assistance) if args.assistance else None)
        today = utcnow().date()
        received = received_on(args.received, _sent_at(args.therapy), today)
        start = planned_start(args.start or therapy.start_date, received)
        result = estimate(
            benefits,
            therapy,
            weight_kg=weight,
            start=start,
            as_of=args.as_of or today,
            language=Language(args.language) if args.language else language or Language.ENGLISH,
            contracts=contracts,
            assistance=assistance,
            assistance_threshold=_threshold(args.threshold),
            payer_id=payer_id,
            diagnoses=args.diagnosis or diagnoses,
            secondary=secondary,
        )
    except UnreadablePrescription as exc:
        sys.stderr.write(f"error: {exc.field}: {exc}\n")
        return EXIT_BAD_INPUT
    except (_BadInput, EstimateError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_BAD_INPUT
    sys.stdout.write(dumps_estimate(result) + "\n")
    return 0


def _threshold(text: str | None) -> Decimal | None:
    """The assistance threshold in dollars (None: the catalog's)."""
    if text is None:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise _BadInput(f"threshold '{text}' is not an amount in dollars") from exc
    if not value.is_finite() or value < 0:
        raise _BadInput(f"threshold {text} is not an amount in dollars")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``estimate`` command; it sets ``func(args) -> int`` (the exit code)."""
    cmd = subparsers.add_parser(
        "estimate",
        help="estimate what the patient will owe for a therapy course, split by plan year (JSON "
        "with plan_years, payer_type, cost_share_by_part, secondary, line items, assumptions, "
        "confidence, assistance programs and the liaison's call script)",
    )
    cmd.add_argument(
        "--benefits",
        required=True,
        help="a 271 file (X12) or the JSON of 'intake x12 read-271' ('-' for stdin)",
    )
    cmd.add_argument(
        "--therapy",
        required=True,
        help="a Therapy JSON, or a whole referral JSON (its therapy, and the "
        "patient's weight and preferred language)",
    )
    cmd.add_argument("--contract", help="contracts JSON (default: the one shipped in the layer)")
    cmd.add_argument("--assistance", help="assistance programs JSON (default: the shipped one)")
    cmd.add_argument("--weight-kg", help="patient weight in kg (overrides the referral's)")
    cmd.add_argument(
        "--language",
        choices=[lang.value for lang in Language],
        help="call script language (default: the referral's, else en)",
    )
    cmd.add_argument(
        "--start",
        type=date.fromisoformat,
        help="first infusion date YYYY-MM-DD (default: the therapy's); never before receipt: an "
        "earlier start is priced from the receipt date, as the workflow plans it",
    )
    cmd.add_argument(
        "--received",
        type=date.fromisoformat,
        help="the day the referral was received YYYY-MM-DD (default: the referral's own "
        "received_at, else today); nothing is priced before it",
    )
    cmd.add_argument(
        "--as-of",
        type=date.fromisoformat,
        help="the day the 271's remaining amounts were true, YYYY-MM-DD (default: today); with "
        "--start the answer is the same on any day it is run",
    )
    cmd.add_argument(
        "--secondary",
        help="a second coverage's 271 (X12) or read-271 JSON: ordered against the first from the "
        "two 271s, and applied to what the primary leaves",
    )
    cmd.add_argument("--secondary-payer-id", help="contract payer id of the secondary coverage")
    cmd.add_argument(
        "--secondary-patient",
        type=int,
        help="which patient of the secondary's 271 (1 is the first)",
    )
    cmd.add_argument(
        "--diagnosis",
        action="append",
        help="ICD-10 code (repeatable; default: the referral's): Original Medicare pays home IVIG "
        "only for primary immune deficiency",
    )
    cmd.add_argument("--threshold", help="assistance threshold in dollars (default: catalog's)")
    cmd.add_argument("--payer-id", help="contract payer id (default: the 271's payer id)")
    cmd.add_argument(
        "--patient", type=int, help="which patient of a 271 with several (1 is the first)"
    )
    cmd.set_defaults(func=_run)
