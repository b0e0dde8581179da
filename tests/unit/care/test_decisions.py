"""The pharmacist's assessment decisions, as worked examples over the sample referrals.

Each example says which label section (clinical_rules.json) or site-of-care reason decides it,
so a change to the rule table that changes an answer fails here with the reason in view."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from intake.care.decide import decide
from intake.care.model import AssessmentIntake, Submission
from intake.care.rules import rule_table
from intake.models.referral import Referral

SAMPLES = Path(__file__).resolve().parents[3] / "events" / "referrals"


def referral(name: str) -> Referral:
    return Referral.model_validate(json.loads((SAMPLES / name).read_text("utf-8")))


INFLIXIMAB = "01-ppo-deductible-coinsurance.json"
OCRELIZUMAB = "37-ocrelizumab-loading-order.json"
ERTAPENEM = "41-hmo-per-day-copay.json"

EVERYTHING_ASKED = {
    "conditions": [{"name": "Crohn's disease", "icd10": "K50.90"}],
    "allergies": [],
    "medicines": [{"name": "mesalamine"}],
    "prior_infusions": [],
    "access": {"kind": "peripheral"},
    "labs": [],
    "weight_kg": 70,
    "home": {"refrigeration": "yes", "caregiver": "yes", "someone_present_after": "yes"},
}


def test_every_rule_names_its_label_section_and_the_label() -> None:
    """Given the rule table, then each drug's label has a title and a revision or the page it
    was read from, and each rule a section: no rule without its source."""
    for drugs in rule_table().drugs.values():
        assert drugs.label["title"] and (drugs.label.get("revised") or drugs.label.get("read_from"))
        for rule in drugs.rules:
            assert rule.section, rule.id
        for lab in drugs.labs:
            assert lab.section and lab.match, lab.id


def test_nothing_found_and_everything_asked_is_home_with_high_confidence() -> None:
    """Given an infliximab patient who answered every question with nothing of note, when
    decided, then no conflict, home, and high confidence; the labs the label asks before the
    first dose (TB, hepatitis B: sections BOXED WARNING/5.1 and 5.x) are ordered because none
    was reported done."""
    d = decide(referral(INFLIXIMAB), AssessmentIntake.model_validate(EVERYTHING_ASKED))
    assert d.conflicts == []
    assert d.site.site == "home" and not d.site.changed
    assert d.confidence == "high" and d.unknowns == []
    assert [(lab.rule, lab.status) for lab in d.labs] == [
        ("infliximab-tb", "order"),
        ("infliximab-hbv", "order"),
    ]


def test_a_lab_done_is_on_file_and_not_ordered() -> None:
    """Given a QuantiFERON done on 2026-11-20, when decided, then the TB lab is on file with
    that date and only hepatitis B is ordered."""
    intake = {
        **EVERYTHING_ASKED,
        "labs": [{"name": "QuantiFERON TB Gold", "done_on": "2026-11-20"}],
    }
    d = decide(referral(INFLIXIMAB), AssessmentIntake.model_validate(intake))
    assert [(lab.rule, lab.status, str(lab.done_on)) for lab in d.labs] == [
        ("infliximab-tb", "on_file", "2026-11-20"),
        ("infliximab-hbv", "order", "None"),
    ]


def test_nothing_asked_is_unknown_never_no_conflict() -> None:
    """Given an assessment where allergies, medicines, conditions and prior infusions were not
    asked, when decided, then there is no conflict to report, but each is listed as not asked
    and the confidence is lowered: unknown is an answer, not 'no'."""
    d = decide(referral(INFLIXIMAB), AssessmentIntake())
    assert d.conflicts == []
    assert d.confidence == "lowered"
    assert {
        "allergies: not asked",
        "current medicines: not asked",
        "diagnoses and history: not asked",
        "prior infusions: not asked",
        "vascular access: not known",
    } <= set(d.unknowns)


def test_valproate_with_ertapenem_stops_for_a_pharmacist() -> None:
    """Given an ertapenem patient taking divalproex, when decided, then the interaction rule
    (ertapenem label 7 DRUG INTERACTIONS: carbapenems lower valproic acid levels) is a conflict
    naming its section."""
    intake = {**EVERYTHING_ASKED, "medicines": [{"name": "Depakote (divalproex) 500 mg"}]}
    d = decide(referral(ERTAPENEM), AssessmentIntake.model_validate(intake))
    assert [c.rule for c in d.conflicts] == ["ertapenem-valproate"]
    assert d.stop
    assert d.conflicts[0].label_section == "7.1"


@pytest.mark.parametrize(
    ("severity", "kind", "section"),
    [
        ("anaphylaxis", "contraindication", "4"),
        ("unknown", "contraindication", "4"),
        ("mild", "cross_sensitivity", "5.1"),
        ("moderate", "cross_sensitivity", "5.1"),
    ],
)
def test_penicillin_allergy_with_ertapenem_stops_and_its_severity_decides_the_kind(
    severity: str, kind: str, section: str
) -> None:
    """Given a penicillin allergy, when decided for ertapenem, then it always stops for the
    pharmacist (label 5.1: careful inquiry about earlier beta-lactam reactions; issue 25: an
    allergy conflict is the pharmacist's decision), as a contraindication (label 4:
    anaphylactic reactions to beta-lactams) when the reaction was anaphylaxis or of unknown
    severity, as a cross-sensitivity otherwise. (Changed on purpose with the case book's
    conflict-ertapenem-penicillin-mild-rash: a mild reaction stops too.)"""
    intake = {**EVERYTHING_ASKED, "allergies": [{"substance": "penicillin", "severity": severity}]}
    d = decide(referral(ERTAPENEM), AssessmentIntake.model_validate(intake))
    assert d.stop
    assert (d.conflicts[0].kind, d.conflicts[0].label_section) == (kind, section)


def test_any_carbapenem_allergy_stops_ertapenem() -> None:
    """Given a mild rash to meropenem, when decided for ertapenem, then it stops: the label
    contraindicates hypersensitivity to other drugs in the same class, whatever the severity."""
    intake = {
        **EVERYTHING_ASKED,
        "allergies": [{"substance": "Meropenem", "reaction": "rash", "severity": "mild"}],
    }
    d = decide(referral(ERTAPENEM), AssessmentIntake.model_validate(intake))
    assert d.conflicts[0].rule == "ertapenem-allergy-carbapenem"


def test_heart_failure_stops_infliximab_by_word_or_by_code() -> None:
    """Given heart failure recorded as I50.22 only (no words), when decided for infliximab,
    then the condition rule (label 4, 5.5) matches by its ICD-10-CM prefix I50."""
    intake = {**EVERYTHING_ASKED, "conditions": [{"name": "cardiac history", "icd10": "I50.22"}]}
    d = decide(referral(INFLIXIMAB), AssessmentIntake.model_validate(intake))
    assert [c.rule for c in d.conflicts] == ["infliximab-heart-failure"]


def test_a_prior_severe_reaction_moves_ocrelizumab_to_the_suite() -> None:
    """Given an ocrelizumab patient ordered for home with anaphylaxis to rituximab in 2023,
    when decided, then the site moves to the infusion suite (ADM1001.034: prior severe
    infusion reactions; CG-MED-83: enhanced monitoring), naming its source; rituximab is not
    ocrelizumab, so it is no conflict."""
    intake = {
        **EVERYTHING_ASKED,
        "prior_infusions": [
            {"drug": "rituximab", "reaction": "anaphylaxis", "reaction_severity": "anaphylaxis"}
        ],
    }
    d = decide(referral(OCRELIZUMAB), AssessmentIntake.model_validate(intake))
    assert d.site.site == "infusion_suite" and d.site.changed
    assert d.site.recommendation == "infusion_suite"
    assert any("ADM1001.034" in s for s in d.site.sources)
    assert d.conflicts == []
    assert d.first_dose.observation_minutes == 60  # first_dose.json, OCREVUS 2.3


def test_no_refrigerator_is_a_storage_plan_not_a_move() -> None:
    """Given an ocrelizumab patient without a working refrigerator, when decided, then the site
    stays home ('either': no public rule makes refrigeration a site criterion) with a review
    item for the storage plan (the label requires 2 to 8 C, section 16.2). (Changed on purpose
    with the case book's site_of_care.yaml: refrigeration decides no site.)"""
    intake = {**EVERYTHING_ASKED, "home": {"refrigeration": "no", "someone_present_after": "yes"}}
    d = decide(referral(OCRELIZUMAB), AssessmentIntake.model_validate(intake))
    assert (d.site.recommendation, d.site.site) == ("either", "home")
    assert any("storage plan" in r for r in d.site.review)


def test_no_refrigerator_does_not_move_infliximab() -> None:
    """Given an infliximab patient without a refrigerator, when decided, then home stays."""
    intake = {**EVERYTHING_ASKED, "home": {"refrigeration": "no", "someone_present_after": "yes"}}
    d = decide(referral(INFLIXIMAB), AssessmentIntake.model_validate(intake))
    assert d.site.site == "home"


def test_refrigerator_not_asked_is_a_question_not_a_move() -> None:
    """Given an ocrelizumab patient not asked about a refrigerator, when decided, then the site
    stays home and the refrigerator is listed as unknown (lowered confidence)."""
    intake = {**EVERYTHING_ASKED, "home": {"someone_present_after": "yes"}}
    d = decide(referral(OCRELIZUMAB), AssessmentIntake.model_validate(intake))
    assert d.site.site == "home"
    assert any(u.startswith("refrigerator at home") for u in d.unknowns)
    assert d.confidence == "lowered"


def test_supplies_come_from_the_label() -> None:
    """Given infliximab through a PICC, when decided, then the supplies name the label's
    1.2 micron in-line filter and the PICC's flush and dressing supplies."""
    intake = {
        **EVERYTHING_ASKED,
        "access": {"kind": "picc", "placed_by": "IR", "placed_on": "2026-11-01"},
    }
    d = decide(referral(INFLIXIMAB), AssessmentIntake.model_validate(intake))
    assert d.supplies.filter and "1.2 micrometer" in d.supplies.filter
    assert any("picc" in item for item in d.supplies.items)


def test_a_drug_without_rules_says_so() -> None:
    """Given a drug not in the rule table (milrinone), when decided, then nothing is called a
    conflict and the assessment says no rules are on file (unknown, never 'no conflict')."""
    base = referral(INFLIXIMAB)
    milrinone = base.model_copy(
        update={
            "therapy": base.therapy.model_copy(update={"drug_name": "Milrinone", "hcpcs": "J2260"})
        }
    )
    d = decide(milrinone, AssessmentIntake())
    assert not d.rules_on_file and d.conflicts == []
    assert any("no clinical rules on file" in u for u in d.unknowns)


@pytest.mark.parametrize(
    "bad",
    [
        {"weight_kg": 0},
        {"weight_kg": 900},
        {"height_cm": 5},
        {"home": {"minutes_to_emergency_care": -1}},
        {"allergies": [{"substance": ""}]},
        {"allergies": [{"substance": "latex", "severity": "terrible"}]},
        {"access": {"kind": "arterial"}},
        {"unexpected": 1},
    ],
)
def test_values_that_would_break_a_later_step_are_refused(bad: dict[str, object]) -> None:
    """Given a value out of bounds or unknown, when validated, then it is refused at the door
    (the API answers 422), never stored."""
    with pytest.raises(ValidationError):
        Submission.model_validate({"assessment": bad, "pharmacist": "pharm@local"})
