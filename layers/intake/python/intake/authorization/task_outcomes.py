"""Checks on a liaison's authorization-task outcome, made before the task is closed.

An alternative therapy is a new drug for a new request: its fields must make a valid referral
now, in the liaison's API call (a 400 they can fix), not later in the workflow. A certification
reported by phone needs its number. Kept apart from ``authorization`` so the liaison API does
not load the packet builders.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ValidationError

from intake.core.errors import InvalidRequest
from intake.models.draft import merge_fields
from intake.models.problems import explain
from intake.models.records import AuthTaskOutcome, TaskRecord
from intake.models.referral import Referral
from intake.tasks.service import Completion

THERAPY_PREFIX = "therapy."
CERTIFICATION_FIELDS = frozenset({"certification_number", "effective_from", "effective_to"})


def apply_therapy_corrections(referral: Referral, corrections: dict[str, Any]) -> Referral:
    """The referral with the new therapy's fields (``therapy.*`` paths only)."""
    fields = {k: v for k, v in corrections.items() if k.startswith(THERAPY_PREFIX)}
    if not fields:
        raise InvalidRequest(
            "an alternative therapy needs the new drug as corrections, e.g. "
            '{"therapy.drug_name": "...", "therapy.hcpcs": "...", "therapy.dose": "..."}'
        )
    others = sorted(set(corrections) - set(fields))
    if others:
        raise InvalidRequest(
            f"only therapy fields may change with an alternative therapy, not: {', '.join(others)}"
        )
    try:
        return Referral.model_validate(merge_fields(referral.model_dump(mode="json"), fields))
    except ValidationError as exc:
        raise InvalidRequest(
            "the alternative therapy is not valid: " + "; ".join(explain(exc))
        ) from exc


class AuthTaskCheck:
    """``TaskService.on_complete`` hook for authorization tasks."""

    def __init__(self, referral_of: Any) -> None:
        self._referral_of = referral_of

    def __call__(self, task: TaskRecord, completion: Completion) -> None:  # a CompletionHook
        corrections = completion.corrections or {}
        if completion.outcome == AuthTaskOutcome.ALTERNATIVE_THERAPY.value:
            record = self._referral_of(task.referral_id)
            if record is None or record.referral is None:
                raise InvalidRequest(f"referral {task.referral_id} has no validated referral")
            apply_therapy_corrections(record.referral, corrections)
        if completion.outcome == AuthTaskOutcome.CERTIFIED.value:
            _check_certification(corrections)
        if completion.outcome == AuthTaskOutcome.SIGNED.value:
            _check_signed_copy(corrections)
        if (
            completion.outcome == AuthTaskOutcome.SEND_UNSIGNED.value
            and not (completion.note or "").strip()
        ):
            raise InvalidRequest("sending the letter unsigned needs the reason in the note")
        if (
            completion.outcome == AuthTaskOutcome.FILE_WITHOUT.value
            and not (completion.note or "").strip()
        ):
            raise InvalidRequest(
                "filing without the clinic's records needs the reason in the note (it is "
                "recorded and printed in the packet)"
            )
        # It only checks: nothing is left to do once the completion has won.


def _check_certification(corrections: dict[str, Any]) -> None:
    """A certification by phone: its number, and its dates when the payer gave them."""
    unknown = sorted(set(corrections) - CERTIFICATION_FIELDS)
    if unknown:
        raise InvalidRequest(f"a certification takes only {sorted(CERTIFICATION_FIELDS)}")
    for key in ("effective_from", "effective_to"):
        value = corrections.get(key)
        if value is not None:
            try:
                date.fromisoformat(str(value))
            except ValueError:
                raise InvalidRequest(f"{key} must be a date, YYYY-MM-DD") from None
    number = corrections.get("certification_number")
    if not isinstance(number, str) or not 1 <= len(number) <= 50:
        raise InvalidRequest(
            'give the payer\'s certification as corrections {"certification_number": "...",'
            ' "effective_from": "YYYY-MM-DD", "effective_to": "YYYY-MM-DD"}'
        )


def _check_signed_copy(corrections: dict[str, Any]) -> None:
    """The signed letter's copy, when given: an s3:// address of the prescriber's fax."""
    unknown = sorted(set(corrections) - {"signed_letter"})
    if unknown:
        raise InvalidRequest('a signature takes only {"signed_letter": "s3://bucket/key"}')
    value = corrections.get("signed_letter")
    if value is not None and not (isinstance(value, str) and value.startswith("s3://")):
        raise InvalidRequest("signed_letter must be the s3:// address of the signed copy")
