"""The ICD-10-CM case book (tests/casebook/icd10.yaml) against the vendored code set and the
Medicare home IVIG list.

Each case was written from the FY2026 tabular list and MBPM Ch.15 §50.6 by a reviewer who did
not read the code; here each expected figure is asserted: whether the code exists, whether it
is billable, its children and billable descendants (what the door offers instead of a header),
its description, and exact membership of the 24-code home IVIG list with the policy named.
"""

from __future__ import annotations

from typing import Any

import pytest

from intake.reference import codesets
from intake.reference.coverage_lists import home_ivig_list, on_home_ivig_list
from intake.referrals.diagnoses import diagnosis_problem
from tests.casebook.book import Case, params


def _check_code(code: str, expected: dict[str, Any]) -> None:
    entry = codesets.icd10(code)
    if "valid" in expected:
        assert (entry is not None) is expected["valid"], f"{code} exists in the release"
    assert codesets.is_billable(code) is expected["billable"], f"{code} billable"
    if "description" in expected:
        assert codesets.describe(code) == expected["description"]
    if "children" in expected:
        assert list(codesets.children(code)) == expected["children"]
    if "billable_codes" in expected:
        assert list(codesets.billable_codes(code)) == expected["billable_codes"]
    for child, description in (expected.get("child_descriptions") or {}).items():
        assert codesets.describe(child) == description
    assert on_home_ivig_list(code) is expected["home_ivig_list"], f"{code} on the §50.6 list"
    offered = codesets.billable_codes(code)
    if "children_on_home_ivig_list" in expected:
        assert [c for c in offered if on_home_ivig_list(c)] == expected[
            "children_on_home_ivig_list"
        ]
    if "children_not_on_home_ivig_list" in expected:
        assert [c for c in offered if not on_home_ivig_list(c)] == expected[
            "children_not_on_home_ivig_list"
        ]


def _check_policy(expected: str) -> None:
    """The decision names its policy: the manual, chapter and section (and revision if the
    case names one)."""
    cited = home_ivig_list().cited
    assert "Medicare Benefit Policy Manual" in cited and "Ch.15 §50.6" in cited
    if "Rev." in expected:
        assert expected.split("(", 1)[1].rstrip(")") in cited


@pytest.mark.parametrize("case", params("icd10.yaml"))
def test_icd10_case(case: Case) -> None:
    """Given a code (or codes) from the case book and its date of service
    When the code set and the home IVIG list are asked about it
    Then each figure the source gives is what the system answers, and the door's problem for a
    header names its billable codes (for an unknown code: that it is not a code)."""
    expected = dict(case.expected)
    if "results" in expected:
        for row in expected["results"]:
            _check_code(row["code"], {k: v for k, v in row.items() if k != "code"})
    else:
        _check_code(case.input["code"], expected)
    if "policy" in expected:
        _check_policy(expected["policy"])

    code = case.input.get("code")
    problem = diagnosis_problem(code) if code else None
    if expected.get("billable") is False and expected.get("valid") is True:
        assert problem is not None and "not billable" in problem
        assert all(c in problem for c in expected["billable_codes"][:12])
    elif expected.get("valid") is False:
        assert problem is not None and "is not a code of ICD-10-CM FY2026" in problem
    elif code:
        assert problem is None
