"""What the assessment finds that the authorization packet needs (prior infusions, vascular
access, the reason for the suite) reaches the letter through the referral's clinical facts."""

from __future__ import annotations

from datetime import UTC, datetime

from intake.authorization.packet.argument import prior_medications
from intake.authorization.packet.letter import access_words, site_justification
from intake.care.decide import decide
from intake.care.model import AssessmentIntake, AssessmentRecord
from intake.care.service import findings
from intake.models.referral import SiteOfCare
from tests.unit.care.test_decisions import EVERYTHING_ASKED, OCRELIZUMAB, referral


def test_prior_infusions_access_and_the_suite_reason_reach_the_letter() -> None:
    """Given an ocrelizumab assessment with an earlier rituximab infusion (anaphylaxis), a port
    placed by IR on 2026-10-01, when its findings are on the referral, then the letter's prior
    therapies list the rituximab infusion with its reaction, the access is named with who
    placed it and when, and the suite's justification quotes the prior severe reaction, each
    citing 'pharmacist assessment v3'."""
    base = referral(OCRELIZUMAB)
    intake = AssessmentIntake.model_validate(
        {
            **EVERYTHING_ASKED,
            "prior_infusions": [
                {
                    "drug": "rituximab",
                    "last_given": "2025-06-01",
                    "reaction": "anaphylaxis",
                    "reaction_severity": "anaphylaxis",
                }
            ],
            "access": {"kind": "port", "placed_by": "IR", "placed_on": "2026-10-01"},
            "home": {"refrigeration": "no", "someone_present_after": "yes"},
        }
    )
    record = AssessmentRecord(
        referral_id="r1",
        version=3,
        recorded_at=datetime(2026, 12, 6, tzinfo=UTC),
        recorded_by="pharm",
        intake=intake,
        decisions=decide(base, intake),
    )
    moved = base.model_copy(
        update={
            "therapy": base.therapy.model_copy(update={"site_of_care": SiteOfCare.INFUSION_SUITE}),
            "clinical_facts": findings(record, "pharmacist assessment v3"),
        }
    )
    priors = prior_medications(moved)
    assert priors == [
        "rituximab, 2025-06-01 (prior infusion; reaction: anaphylaxis) [pharmacist assessment v3]."
    ]
    assert access_words(moved) == "port, placed by IR, on 2026-10-01 (pharmacist assessment v3)."
    why = site_justification(moved)
    assert "prior severe infusion reaction" in why and "(pharmacist assessment v3)" in why


def test_a_referral_never_assessed_reads_as_before() -> None:
    """Given a referral without assessment facts, then the letter says nothing of access and
    the suite's justification is the general one."""
    base = referral(OCRELIZUMAB)
    assert access_words(base) is None
    assert "assessment" not in site_justification(
        base.model_copy(
            update={
                "therapy": base.therapy.model_copy(
                    update={"site_of_care": SiteOfCare.INFUSION_SUITE}
                )
            }
        )
    )
