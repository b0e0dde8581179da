"""The shipped contracts and assistance catalog, and how payers and plans resolve."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from intake.estimate import EstimateError, PlanClass, load_assistance, load_contracts
from intake.models.benefits import Plan
from intake.models.referral import Therapy
from intake.reference.contracts import ContractTerms, plan_class
from tests.unit.estimate.builders import infliximab


def test_given_shipped_contracts_when_loaded_then_versioned_with_sandbox_payers() -> None:
    contracts = load_contracts()
    assert contracts.version and contracts.effective.year == 2026
    network = {
        p: contracts.terms_for(p, Plan()).in_network
        for p in ("SBX01", "SBX02", "SBX03", "SBX04", "SBX05")
    }
    assert network == {"SBX01": True, "SBX02": True, "SBX03": True, "SBX04": True, "SBX05": False}
    classes = [contracts.terms_for(p, Plan()).plan_class for p in ("SBX01", "SBX03", "SBX04")]
    assert classes == [PlanClass.COMMERCIAL, PlanClass.MEDICARE, PlanClass.MEDICAID]


def test_given_sample_drugs_when_profiled_then_units_as_hcpcs_defines_them() -> None:
    contracts = load_contracts()
    units = {
        code: contracts.codes[code].unit for code in ("J1745", "J2350", "J1569", "J1335", "J1561")
    }
    assert {c: u.amount for c, u in units.items() if u} == {
        "J1745": Decimal(10),
        "J2350": Decimal(1),
        "J1569": Decimal(500),
        "J1335": Decimal(500),
        "J1561": Decimal(500),
    }


def test_given_unknown_payer_when_resolved_then_default_out_of_network_not_error() -> None:
    terms = load_contracts().terms_for("NOPE1", Plan())
    assert not terms.known and not terms.in_network
    assert "usual-and-customary" in terms.schedule


def test_given_plan_override_when_resolved_then_its_rates_win() -> None:
    contracts = load_contracts()
    gold = contracts.terms_for("SBX01", Plan(group_number="SBXGRP100"))
    silver = contracts.terms_for("SBX01", Plan(group_number="SBXGRP200"))
    assert gold.plan_key is None and silver.plan_key == "SBXGRP200"
    assert silver.rates["J1569"] < gold.rates["J1569"]
    assert silver.rates["J1745"] == gold.rates["J1745"]


def test_given_medicaid_ndc_rate_when_resolved_then_keyed_by_11_digit_ndc() -> None:
    assert "57894003001" in load_contracts().terms_for("SBX04", Plan()).rates


def test_given_therapy_with_ndc_only_when_profiled_then_crosswalked_to_hcpcs() -> None:
    # (infliximab ordered by brand name and NDC, no HCPCS code)
    therapy = infliximab(drug_name="Remicade", ndc="57894-0030-01", hcpcs=None)
    assert load_contracts().drug_for(therapy).hcpcs == "J1745"


def test_given_unprofiled_drug_when_profiled_then_plain_error() -> None:
    therapy = Therapy(
        drug_name="Mysterymab",
        hcpcs="J9999",
        dose="1 mg",
        route="IV",
        frequency="weekly",
        duration="4 weeks",
    )
    with pytest.raises(EstimateError, match="no billing profile for Mysterymab"):
        load_contracts().drug_for(therapy)


def test_given_bad_contracts_file_when_loaded_then_plain_error(tmp_path: Path) -> None:
    path = tmp_path / "contracts.json"
    path.write_text(json.dumps({"version": "x"}))
    with pytest.raises(EstimateError, match="not a valid contracts file"):
        load_contracts(path)


def test_given_unknown_payer_when_classed_then_insurance_type_decides() -> None:
    terms = load_contracts().terms_for("NOPE1", Plan())
    assert isinstance(terms, ContractTerms)
    assert plan_class(terms, "HN") is PlanClass.MEDICARE
    assert plan_class(terms, "MC") is PlanClass.MEDICAID
    assert plan_class(terms, "PR") is PlanClass.COMMERCIAL
    assert plan_class(terms, None) is PlanClass.UNKNOWN


def test_given_catalog_when_asked_then_manufacturer_programs_only_for_commercial() -> None:
    catalog = load_assistance()
    assert catalog.threshold == Decimal("1000.00")
    commercial = catalog.programs_for("J1745", PlanClass.COMMERCIAL)
    medicare = catalog.programs_for("J1745", PlanClass.MEDICARE)
    medicaid = catalog.programs_for("J2350", PlanClass.MEDICAID)
    assert commercial[0].kind == "manufacturer" and "Remicade" in commercial[0].name
    assert all(p.kind == "foundation" for p in (*medicare, *medicaid))
    assert any(p.name == "PAN Foundation" for p in medicare)
    assert not any(p.name == "PAN Foundation" for p in commercial)
