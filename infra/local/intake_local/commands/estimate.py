"""``intake estimate``: what the patient will owe for a referral's therapy, as JSON.

    intake estimate --benefits 271-or-json --therapy therapy-or-referral.json
                    [--contract FILE] [--weight-kg N] [--language en|es|zh] [--start DATE]

Exit codes: 0 success, 2 unusable input (the message says what, in plain words).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from intake.benefits import BenefitsSummary, interpret_271
from intake.clock import utcnow
from intake.estimate import (
    EstimateError,
    dumps_estimate,
    estimate,
    load_assistance,
    load_contracts,
    summary_from_json,
)
from intake.models.referral import Language, PreferredLanguage, Therapy
from intake.x12.errors import X12Error

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


def _therapy(path: str) -> tuple[Therapy, Decimal | None, Language | None]:
    """A Therapy, or a whole referral (its therapy, the patient's weight and language)."""
    data = _json(path, _read(path))
    if not isinstance(data, dict):
        raise _BadInput(f"{path} is not a therapy or referral object")
    patient = data.get("patient") if "therapy" in data else None
    try:
        therapy = Therapy.model_validate(data.get("therapy", data))
    except ValidationError as exc:
        raise _BadInput(f"{path} has no valid therapy: {_problems(exc)}") from exc
    if not isinstance(patient, dict):
        return therapy, None, None
    weight = patient.get("weight_kg")
    try:
        language = (
            TypeAdapter(PreferredLanguage).validate_python(patient["preferred_language"])
            if patient.get("preferred_language")
            else None
        )
    except ValidationError:
        language = None  # an unknown language is the referral check's problem, not ours
    return therapy, (None if weight is None else _weight(str(weight))), language


def _weight(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise _BadInput(f"weight '{text}' is not a number of kilograms") from exc
    if not value.is_finite() or not 0 < value < 500:
        raise _BadInput(f"weight {text} kg is not a plausible patient weight")
    return value


def _run(args: argparse.Namespace) -> int:
    try:
        benefits = _benefits(args.benefits, args.patient)
        therapy, weight, language = _therapy(args.therapy)
        if args.weight_kg is not None:
            weight = _weight(args.weight_kg)
        contracts = load_contracts(Path(args.contract) if args.contract else None)
        assistance = load_assistance(Path(args.assistance) if args.assistance else None)
        start = args.start or therapy.start_date or utcnow().date()
        result = estimate(
            benefits,
            therapy,
            weight_kg=weight,
            start=start,
            language=Language(args.language) if args.language else language or Language.ENGLISH,
            contracts=contracts,
            assistance=assistance,
            assistance_threshold=_threshold(args.threshold),
            payer_id=args.payer_id,
        )
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
        help="estimate what the patient will owe for a therapy course (JSON with line items, "
        "assumptions, confidence, assistance programs and the liaison's call script)",
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
        help="first infusion date YYYY-MM-DD (default: the therapy's, else today)",
    )
    cmd.add_argument("--threshold", help="assistance threshold in dollars (default: catalog's)")
    cmd.add_argument("--payer-id", help="contract payer id (default: the 271's payer id)")
    cmd.add_argument(
        "--patient", type=int, help="which patient of a 271 with several (1 is the first)"
    )
    cmd.set_defaults(func=_run)
