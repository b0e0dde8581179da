"""Case book: the site of care the assessment recommends (site_of_care.yaml): home, infusion
suite, either (both preferred, nothing decides) or hospital outpatient, from the payer site-of-
care policies, the IDSA 2018 OPAT guideline and the labels the cases cite; review items where
the case asks the pharmacist to decide; never a threshold the sources do not give."""

from __future__ import annotations

import pytest

from intake.care.decide import evaluate
from tests.casebook.book import Case, params
from tests.casebook.care_input import site_intake, therapy


@pytest.mark.parametrize("case", params("site_of_care.yaml"))
def test_site_of_care(case: Case) -> None:
    """Given the case's drug and home facts, when assessed, then the recommendation is the
    case's site (or one it accepts), a stop where the case stops, and review items where the
    case lists them."""
    expected = case.expected
    drug = str(case.raw["drug"])
    decisions = evaluate(therapy(case.input, drug), site_intake(case.input, drug))
    accepted = expected.get("site_accepted") or [expected["site"]]
    assert decisions.site.recommendation in accepted, decisions.site
    if "stop_for_pharmacist" in expected:
        assert decisions.stop is bool(expected["stop_for_pharmacist"])
    if expected.get("review_items"):
        assert decisions.site.review, decisions.site
    assert decisions.site.site in ("home", "infusion_suite")
