"""Which drugs go to a PBM instead of a 278, and which PBM: worked examples on 271 summaries
shaped as the sandbox payer (and the x12_271 case book's PBM case) send them."""

from __future__ import annotations

import json
from typing import Any

from intake.authorization.pharmacy_benefit import carve_out, named_pbm
from intake.models.benefits import BenefitLine, BenefitsSummary, Party, RelatedEntity
from intake.models.referral import Referral
from intake.reference.contracts import load_contracts
from intake.reference.medicare import Program, program
from tests.conftest import EVENTS


def _referral(name: str, **therapy: Any) -> Referral:
    data = json.loads((EVENTS / "referrals" / name).read_text("utf-8"))
    data["therapy"].update(therapy)
    return Referral.model_validate(data)


def _summary(*lines: BenefitLine, insurance_type: str = "HM") -> BenefitsSummary:
    return BenefitsSummary(
        status="active",
        payer=Party(name="SANDBOX HMO CARE", id="SBX02"),
        benefits=(
            BenefitLine(code="1", service_types=("30",), insurance_type=insurance_type),
            *lines,
        ),
    )


PBM_LINE = BenefitLine(
    code="U",
    service_types=("88",),
    messages=("PHARMACY BENEFITS ADMINISTERED BY SANDBOX RX PBM",),
    related_entities=(
        RelatedEntity(entity_code="PR", name="SANDBOX RX PBM", id_qualifier="PI", id="SBXRX"),
    ),
)


def test_a_contract_carve_out_goes_to_the_pbm_the_271_names_with_its_fax() -> None:
    """Given the HMO whose contract carves IVIG (J1569) out to the pharmacy benefit and a 271
    naming its PBM on the 88 line (EB01 U, 2120 PR), When the route is decided, Then the drug
    goes to that PBM, with the fax and portal of the PBM's profile."""
    referral = _referral("45-pbm-carve-out.json")
    summary = _summary(PBM_LINE)
    terms = load_contracts().terms_for("SBX02", summary.plan)
    carved = carve_out(referral, summary, terms)
    assert carved is not None and carved.drug == "J1569"
    assert "contract carves J1569" in carved.why
    assert carved.pbm is not None
    assert (carved.pbm.name, carved.pbm.id, carved.pbm.fax) == (
        "SANDBOX RX PBM",
        "SBXRX",
        "800-555-0188",
    )
    assert carved.pbm.source.startswith("271")


def test_a_drug_on_the_medical_benefit_is_not_carved_out() -> None:
    """Given the same HMO and infliximab (J1745, not carved out), Then no PBM route: the medical
    payer's own authorization rules apply."""
    referral = _referral("45-pbm-carve-out.json", hcpcs="J1745", drug_name="Infliximab")
    summary = _summary(PBM_LINE)
    assert carve_out(referral, summary, load_contracts().terms_for("SBX02", summary.plan)) is None


def test_the_271_answering_for_the_drug_on_a_pharmacy_line_carves_it_out() -> None:
    """Given a payer with no carve-out in its contract whose 271 answers for J1745 on service
    type 88 (EB13 HC:J1745), Then the drug is on the pharmacy benefit, said so."""
    referral = _referral("45-pbm-carve-out.json", hcpcs="J1745", drug_name="Infliximab")
    line = BenefitLine(code="1", service_types=("88",), procedure="HC:J1745")
    summary = _summary(line, PBM_LINE)
    carved = carve_out(referral, summary, load_contracts().terms_for("SBX01", summary.plan))
    assert carved is not None and "pharmacy benefit (EB03 88/89/90, EB13)" in carved.why


def test_without_a_pbm_in_the_271_the_payer_profile_names_it_else_none() -> None:
    """Given no related entity on a pharmacy line, Then the payer profile's PBM (SBX02 ->
    SBXRX), and for a payer without one, None (the task then says to ask the payer)."""
    bare = _summary()
    pbm = named_pbm(bare, "SBX02")
    assert pbm is not None and pbm.id == "SBXRX" and pbm.source == "payer profile of SBX02"
    assert named_pbm(bare, "SBX01") is None


def test_the_program_of_a_medicare_271_with_a_qmb_line_stays_original_medicare() -> None:
    """An EB01 R line with EB04 QM (QMB) is not another payer to bill: Original Medicare."""
    summary = _summary(
        BenefitLine(code="1", service_types=("30",), insurance_type="MB"),
        BenefitLine(code="R", service_types=("30",), insurance_type="QM"),
        insurance_type="MA",
    )
    assert program(summary).program is Program.ORIGINAL_MEDICARE
