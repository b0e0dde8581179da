"""The errors the estimator raises: inputs that cannot give an honest estimate."""

from __future__ import annotations


class EstimateError(ValueError):
    """An input the estimator cannot use (coverage not active, a drug with no billing profile).
    The message is plain words a liaison can act on, and holds no PHI."""


class UnreadablePrescription(EstimateError):
    """A prescription field that cannot be read: the referral goes to review with ``field``
    named (``therapy.dose``, ``therapy.frequency`` or ``therapy.duration``), never a silent
    "not possible"."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field
