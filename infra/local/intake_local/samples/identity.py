"""Distinct identities for test and corpus uploads built from the samples.

Intake links a valid referral to an open one for the same patient, drug and prescriber
(``intake.referrals.linking``). Uploads meant to be separate referrals (each test's, each corpus kind's,
each load-test document) take a prescriber NPI of their own, derived from a seed, so they are
not linked to one another; nothing else about the sample changes.
"""

from __future__ import annotations

import hashlib

from intake.models.codes import npi_check_digit_ok


def npi_for(seed: str) -> str:
    """A valid NPI (check digit included), the same for the same seed."""
    base = "1" + str(int(hashlib.sha256(seed.encode("utf-8")).hexdigest(), 16) % 10**8).zfill(8)
    return next(base + d for d in "0123456789" if npi_check_digit_ok(base + d))
