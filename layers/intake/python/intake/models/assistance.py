"""What an assistance enrollment task's completion can say (below the tasks, which check it)."""

from __future__ import annotations

from enum import StrEnum


class EnrollmentOutcome(StrEnum):
    ENROLLED = "enrolled"
    """The program accepted the patient: its enrollment id is in the corrections."""
    NOT_ELIGIBLE = "not_eligible"
    """The program (or its fund) refused; the note says why."""
    DECLINED = "declined"
    """The patient does not want to apply."""


ENROLLMENT_FIELDS = frozenset(
    {
        "program_id",
        "enrollment_id",
        "fund_id",
        "annual_maximum",
        "household_size",
        "annual_income",
        "fpl_percent",
        "proof_received",
    }
)
"""The corrections an enrollment completion may carry (not referral fields)."""
