"""Case book: allergy, interaction and contraindication conflicts that stop a referral for
the pharmacist (clinical_conflicts.yaml, written from the labels by reviewers who did not read
the code). Each case: whether it stops, what kind of conflict the label makes of it, the label
section it rests on, and that the finding names what the case names."""

from __future__ import annotations

import pytest

from intake.care.decide import evaluate
from tests.casebook.book import Case, params
from tests.casebook.care_input import conflict_intake, therapy, words


@pytest.mark.parametrize("case", params("clinical_conflicts.yaml"))
def test_clinical_conflict(case: Case) -> None:
    """Given the case's drug and what the patient told the pharmacist, when assessed, then the
    referral stops exactly when the case says, led by the conflict of the expected kind and
    label section (contraindication before allergy, warning, interaction, cross-sensitivity)."""
    expected = case.expected
    decisions = evaluate(therapy(case.input, str(case.input["drug"])), conflict_intake(case.input))
    assert decisions.rules_on_file, f"no rules on file for {case.input['drug']}"
    assert decisions.stop is bool(expected["stop_for_pharmacist"]), decisions.conflicts
    if not expected["stop_for_pharmacist"]:
        assert decisions.conflicts == []
        return
    lead = decisions.conflicts[0]
    assert lead.kind in (expected.get("kind_accepted") or [expected["kind"]]), lead
    sections = expected.get("label_section_accepted") or [expected["label_section"]]
    assert lead.label_section in [str(s) for s in sections], lead
    assert words(lead.what) & words(str(expected["with"])), (lead.what, expected["with"])
