"""Deterministic identifiers: the natural idempotency keys of the system.

A referral's id is derived from its content, a task's id from its referral, type and round,
and the workflow execution is named by the referral id. Any duplicate event (S3, EventBridge,
SQS redelivery, a clinic uploading the same file twice) therefore lands on the same records
and the same execution, and conditional writes make the repeat a no-op.
"""

from __future__ import annotations

import hashlib
import re

from intake.models.records import TaskType

_REFERRAL_ID = re.compile(r"^ref-[0-9a-f]{20}$")


def referral_id_for(content: bytes) -> str:
    return referral_id_from_digest(hashlib.sha256(content).hexdigest())


def referral_id_from_digest(sha256_hex: str) -> str:
    """The id of content whose SHA-256 is already known (intake hashes each upload once)."""
    return "ref-" + sha256_hex[:20]


def is_referral_id(value: str) -> bool:
    return bool(_REFERRAL_ID.match(value))


def task_id_for(referral_id: str, task_type: TaskType, round_: int = 1) -> str:
    return f"{referral_id}.{task_type.value}.{round_}"


def referral_of_task(task_id: str) -> str | None:
    """The referral a task id belongs to, or None when the id is not one of ours."""
    parts = task_id.split(".")
    if len(parts) != 3 or not is_referral_id(parts[0]) or not parts[2].isdigit():
        return None
    try:
        TaskType(parts[1])
    except ValueError:
        return None
    return parts[0]
