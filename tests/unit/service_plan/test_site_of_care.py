"""The place of service a referral is requested and priced at: its site of care and its payer.

Source of the codes: CMS, "Place of Service Code Set"
(https://www.cms.gov/medicare/coding-billing/place-of-service-codes/code-sets): 11 Office,
12 Home, 19 Off Campus-Outpatient Hospital, 22 On Campus-Outpatient Hospital, 49 Independent
Clinic. An ambulatory infusion suite has no code of its own (NHIA, reimbursement training,
infusion suites: payers take it as 11, 12 or 49), so each payer profile names its code, and a
profile that names none leaves it unknown: the 278 is held and a person asks the payer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from intake.authorization.packet import Pharmacy
from intake.authorization.packet.request278 import PlaceOfServiceUnknown, review_request
from intake.estimate import Contracts, estimate
from intake.estimate.model import Confidence
from intake.models.billing import Component
from intake.models.referral import Referral, SiteOfCare
from intake.reference.place_of_service import place_of_service_codes
from intake.therapy import plan_services, site
from intake.x12.t278.build import build_278_request
from tests.unit.estimate.builders import START, WEIGHT, benefits, infliximab, round_contracts

EVENTS = Path(__file__).resolve().parents[3] / "events" / "referrals"
PLAN_START = date(2026, 3, 2)


@pytest.fixture
def contracts() -> Contracts:
    return round_contracts()


PHARMACY = Pharmacy(
    name="Sandbox Home Infusion Pharmacy", npi="1881000008", phone="3125550150", fax="3125550151"
)


def _referral(payer_id: str, **therapy: Any) -> Referral:
    referral = Referral.model_validate_json(
        (EVENTS / "01-ppo-deductible-coinsurance.json").read_text(encoding="utf-8")
    )
    data = referral.model_dump(mode="json")
    data["therapy"].update(therapy)
    data["insurance"]["payer_id"] = payer_id
    return Referral.model_validate(data)


def _profile(monkeypatch: pytest.MonkeyPatch, **settings: Any) -> None:
    """Every payer's profile reads ``settings`` for the keys given (the others unchanged)."""
    real: Callable[[str, str], Any] = site.payer_setting
    monkeypatch.setattr(
        site, "payer_setting", lambda payer, key: settings.get(key, real(payer, key))
    )


def test_place_of_service_rows_are_the_cms_code_set_with_their_source() -> None:
    """Given the data file, then each code has its CMS name and the file names the CMS page
    (the rows are copied from it, not typed from memory)."""
    codes = place_of_service_codes()
    assert "cms.gov" in codes.source and "Place of Service Code Set" in codes.source
    assert {c: r.name for c, r in codes.codes.items()} == {
        "11": "Office",
        "12": "Home",
        "19": "Off Campus-Outpatient Hospital",
        "22": "On Campus-Outpatient Hospital",
        "49": "Independent Clinic",
    }
    assert "private residence" in codes.get("12").description
    with pytest.raises(KeyError, match=r"cms\.gov"):
        codes.get("99")


@pytest.mark.parametrize(
    ("payer", "suite_code"),
    [("SBX01", "11"), ("SBX02", "49"), ("SBX05", "12"), ("SBX03", None), ("UNKNOWN", None)],
)
def test_given_site_and_payer_then_place_of_service_is_the_profiles_or_unknown(
    payer: str, suite_code: str | None
) -> None:
    """Given a payer profile, when a referral is planned at home, then 12 whatever the payer;
    in an infusion suite, the code the profile names (SBX01 11, SBX02 49, SBX05 12), and
    None (not a guessed 12) for a payer whose profile names none (SBX03, and a payer with no
    profile)."""
    assert site.place_of_service(SiteOfCare.HOME, payer) == "12"
    assert site.place_of_service(SiteOfCare.INFUSION_SUITE, payer) == suite_code


def test_given_profile_naming_a_code_not_in_the_cms_rows_then_it_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A typo in a profile (POS "13") must fail loudly, never reach a 278's UM04."""
    _profile(monkeypatch, ais_place_of_service="13")
    with pytest.raises(KeyError, match="'13'"):
        site.place_of_service(SiteOfCare.INFUSION_SUITE, "SBX01")


def test_given_suite_at_a_payer_taking_49_then_the_278_um04_carries_49_with_qualifier_b() -> None:
    """Given SBX02 (suite = 49 Independent Clinic), when the 278 is built, then UM04 is 49:B
    and the per diem carries SS; the same referral at home says 12:B (the golden samples)."""
    for where, code in (("infusion_suite", "49"), ("home", "12")):
        referral = _referral("SBX02", site_of_care=where)
        plan = plan_services(referral, PLAN_START)
        x12 = build_278_request(review_request(referral, PHARMACY, plan, trace_number="T1"))
        assert f"UM*HS*I**{code}:B" in x12, where


def test_given_suite_at_a_payer_stating_no_code_then_no_278_is_built() -> None:
    """Given SBX03 (no suite code in its profile), when the 278 is asked for, then it is
    refused with the payer named: no UM04 is guessed."""
    referral = _referral("SBX03", site_of_care="infusion_suite")
    plan = plan_services(referral, PLAN_START)
    assert plan.place_of_service is None
    with pytest.raises(PlaceOfServiceUnknown, match="SBX03"):
        review_request(referral, PHARMACY, plan, trace_number="T1")


def test_given_payer_paying_suite_nursing_in_the_per_diem_then_no_nursing_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Given a payer whose profile says suite nursing is in the per diem, when a suite
    referral is planned, then no 99601/99602 line is asked for; per_visit keeps them as at
    home; home ignores the setting."""
    suite = _referral("SBX01", site_of_care="infusion_suite")
    _profile(monkeypatch, ais_nursing="in_per_diem")
    bundled = plan_services(suite, PLAN_START)
    assert bundled.suite_nursing == "in_per_diem"
    assert bundled.line(Component.NURSING) is None
    assert bundled.line(Component.PER_DIEM) is not None
    at_home = plan_services(_referral("SBX01"), PLAN_START)
    assert at_home.suite_nursing is None and at_home.line(Component.NURSING) is not None
    _profile(monkeypatch, ais_nursing="per_visit")
    per_visit = plan_services(suite, PLAN_START)
    assert per_visit.line(Component.NURSING) == at_home.line(Component.NURSING)


def test_estimate_says_the_site_and_place_it_priced_at_home(contracts: Contracts) -> None:
    """Given a home referral, then the estimate names the site and CMS place (12 Home)."""
    e = estimate(benefits(), infliximab(), weight_kg=WEIGHT, start=START, contracts=contracts)
    assert e.inputs.drug.site_of_care == "home" and e.inputs.drug.place_of_service == "12"
    assert "priced at home: place of service 12 Home" in e.assumptions


def test_given_suite_and_payer_stating_nothing_then_estimate_says_so_and_is_less_sure(
    contracts: Contracts,
) -> None:
    """Given an infusion suite at a payer (PPO, no profile) that states neither its suite
    place of service nor how it pays suite nursing, then the estimate prices the visits as at
    home but says both are unknown, asks for them and is at most medium confidence."""
    therapy = infliximab(site_of_care="infusion_suite")
    e = estimate(benefits(), therapy, weight_kg=WEIGHT, start=START, contracts=contracts)
    assert e.inputs.drug.site_of_care == "infusion_suite"
    assert e.inputs.drug.place_of_service is None
    assert e.confidence in (Confidence.MEDIUM, Confidence.LOW)
    reasons = " ".join(e.confidence_reasons)
    assert "place of service for an infusion suite is not on file" in reasons
    assert "nursing in an infusion suite is not on file" in reasons


def test_given_suite_nursing_in_the_per_diem_then_estimate_leaves_the_visits_out(
    contracts: Contracts, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Infliximab's visit is 3 hours: 99601 ($150, first 2 hours) + one 99602 ($50) = $200 an
    infusion in the test contract. A payer paying suite nursing per visit allows them, one
    paying it in the SS per diem does not: allowed differs by infusions x $200."""
    therapy = infliximab(site_of_care="infusion_suite")
    _profile(monkeypatch, ais_place_of_service="49", ais_nursing="per_visit")
    per_visit = estimate(benefits(), therapy, weight_kg=WEIGHT, start=START, contracts=contracts)
    _profile(monkeypatch, ais_place_of_service="49", ais_nursing="in_per_diem")
    bundled = estimate(benefits(), therapy, weight_kg=WEIGHT, start=START, contracts=contracts)
    infusions = bundled.course.infusions
    assert infusions == per_visit.course.infusions and infusions > 0
    assert per_visit.course.allowed - bundled.course.allowed == infusions * Decimal("200.00")
    assert bundled.inputs.drug.place_of_service == "49"
    assert any("nursing in the per diem" in a for a in bundled.assumptions)
    assert not any("99601 for the first 2 hours" in a for a in bundled.assumptions)
