"""The case book's nursing-time cases (``nursing_time.yaml``): CPT 99601 / +99602 from the
documented visit start and stop.

Why: a visit coded by rounding every part-hour up bills a 99602 the CPT time rule does not
allow (2 h 30 min is 99601 alone; a part-hour counts only once its mid-point is passed, at 31
minutes). Each case was written from the CPT descriptors and the time rule without reading the
code; its hand computation travels with it.
"""

from __future__ import annotations

from datetime import time

import pytest

from intake.therapy.nursing import nursing_units_for_minutes, visit_minutes
from tests.casebook.book import Case, params


@pytest.mark.parametrize("case", params("nursing_time.yaml"))
def test_given_documented_visit_when_coded_then_cpt_units_follow_the_time_rule(
    case: Case,
) -> None:
    """Given the visit start and stop, when it is coded, then 99601 once and 99602 per full
    additional hour plus one for a remainder of 31 minutes or more (the case's arithmetic,
    e.g. 211 min: 211 - 120 = 91 = 60 + 31 -> 99602 x2; 210 min: 60 + 30 -> 99602 x1)."""
    # Given
    start = time.fromisoformat(case.input["visit_start"])
    end = time.fromisoformat(case.input["visit_end"])
    # When
    minutes = visit_minutes(start, end)
    units = dict(nursing_units_for_minutes(minutes))
    # Then
    assert minutes == case.expected["visit_minutes"]
    expected = {code: n for code, n in case.expected["cpt"].items() if n}
    assert units == expected, case.hand_computation
