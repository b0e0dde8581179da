"""The one error the estimator raises: inputs that cannot give an honest estimate."""

from __future__ import annotations


class EstimateError(ValueError):
    """An input the estimator cannot use (an unreadable dose, coverage not active, a drug with no
    billing profile). The message is plain words a liaison can act on, and holds no PHI."""
