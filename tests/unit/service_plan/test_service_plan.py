"""One description of what is requested: the service plan the estimate, the 278, the PAS
bundle and the PDF packet all read."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from intake.authorization.packet import Pharmacy, build_packet, decide_prior_auth
from intake.models.benefits import BenefitLine, BenefitsSummary, CoverageStatus, Party, VisitLimit
from intake.models.billing import Component
from intake.models.referral import Referral
from intake.therapy import JW, JZ, SS, fill, load_products, plan_services
from intake.x12.t278.parse import parse_278
from tests.unit.estimate.builders import home_health_visits_left

EVENTS = Path(__file__).resolve().parents[3] / "events" / "referrals"
START = date(2026, 3, 2)
NOW = datetime(2026, 2, 27, 9, 0)
PHARMACY = Pharmacy(
    name="Sandbox Home Infusion Pharmacy", npi="1881000008", phone="3125550150", fax="3125550151"
)


def _referral(name: str = "01-ppo-deductible-coinsurance.json", **therapy: Any) -> Referral:
    referral = Referral.model_validate_json((EVENTS / name).read_text(encoding="utf-8"))
    data = referral.model_dump(mode="json")
    data["therapy"].update(therapy)
    return Referral.model_validate(data)


def _benefits(*limits: VisitLimit) -> BenefitsSummary:
    return BenefitsSummary(
        status=CoverageStatus.ACTIVE,
        payer=Party(name="SANDBOX", id="SBX01"),
        benefits=(BenefitLine(code="1", service_types=("30",)),),
        visit_limits=limits,
    )


def _lines(plan: Any) -> list[tuple[str, tuple[str, ...], int | None, int | None]]:
    return [(s.code, s.modifiers, s.units, s.units_per_dose) for s in plan.lines]


def test_given_73_kg_infliximab_when_planned_then_37_given_3_discarded_per_dose() -> None:
    """DOMAIN.md: 5 mg/kg x 73 kg = 365 mg -> 36.5 units, rounded up to 37 given; four 100 mg
    vials hold 400 mg = 40 units, so 3 are discarded (JW): 40 billed. Every 8 weeks for 12
    months from 2026-03-02: 7 doses -> 259 given, 21 discarded."""
    plan = plan_services(_referral(), START, weight_kg=73)
    assert _lines(plan)[:2] == [("J1745", (), 259, 37), ("J1745", (JW,), 21, 3)]
    assert len(plan.dose_dates) == 7 and plan.end == date(2027, 3, 1)
    assert "four" not in plan.lines[0].basis and "100 + 100 + 100 + 100 mg" in plan.lines[0].basis


def test_given_no_waste_when_planned_then_jz_on_the_given_line() -> None:
    """5 mg/kg x 80 kg = 400 mg = exactly four vials: 40 units, JZ (nothing discarded)."""
    plan = plan_services(_referral(), START, weight_kg=80)
    assert _lines(plan)[0] == ("J1745", (JZ,), 280, 40)
    assert plan.line(Component.DRUG, JW) is None


def test_given_ivig_grams_when_filled_then_fewest_vials_least_waste() -> None:
    """27.5 g of Privigen (5, 10, 20, 40 g vials): 20 + 10 = 30 g, 2.5 g discarded = 5 units
    of 500 mg; 55 given. Gammagard 28 g: 20 + 5 + 1 + 1 + 1 exactly (JZ)."""
    products = load_products()
    privigen = fill(Decimal(27500), Decimal(500), products.for_drug("J1459"))
    assert (privigen.vials, privigen.given_units, privigen.wasted_units) == (
        (Decimal(20000), Decimal(10000)),
        55,
        5,
    )
    gammagard = fill(Decimal(28000), Decimal(500), products.for_drug("J1569"))
    assert gammagard.wasted_units == 0 and gammagard.drawn == Decimal(28000)


def test_given_vancomycin_q12h_when_planned_then_s9501_with_drug_units_weekly_nurse() -> None:
    """Vancomycin 1,250 mg q12h for 14 days: 2 doses a day x 125 units (J3373, 10 mg: CMS's
    2026 HCPCS file; J3370, 500 mg, ended 2025-06-30; compounded, so no JW/JZ) = 250 units a
    day, 28 x 125 = 3,500 in all; per diem S9501 (every 12 hours) 14 days, never S9379; nurse
    on day 1 (2 h) and day 8 (1 h): 2 x 99601."""
    plan = plan_services(
        _referral(
            drug_name="Vancomycin",
            hcpcs="J3373",
            ndc=None,
            dose="1250 mg",
            frequency="q12h",
            duration="14 days",
        ),
        START,
    )
    assert _lines(plan) == [
        ("J3373", (), 3500, 125),
        ("S9501", (), 14, 1),
        ("99601", (), 2, 1),
    ]
    assert plan.administrations == 28


def test_given_infusion_suite_when_planned_then_payer_pos_and_ss_per_diem() -> None:
    # Given SBX01, whose profile takes an infusion suite as place of service 11
    plan = plan_services(_referral(site_of_care="infusion_suite"), START)
    # Then
    assert plan.place_of_service == "11"
    assert plan.line(Component.PER_DIEM) is not None
    assert plan.line(Component.PER_DIEM).modifiers == (SS,)  # type: ignore[union-attr]
    home = plan_services(_referral(), START)
    assert home.place_of_service == "12" and home.line(Component.PER_DIEM).modifiers == ()  # type: ignore[union-attr]


def test_given_loading_schedule_when_planned_then_dose_dates_and_units_follow_it() -> None:
    """Weeks 0, 2 and 6, then every 8 weeks, 12 months from 2026-03-02: 8 doses (weeks 0, 2,
    6, 14, 22, 30, 38, 46); 70 kg -> 35 + 5 JW units each -> 280 given, 40 discarded."""
    plan = plan_services(_referral(frequency="weeks 0, 2 and 6, then every 8 weeks"), START)
    assert [(d - START).days for d in plan.dose_dates] == [0, 14, 42, 98, 154, 210, 266, 322]
    assert _lines(plan)[:3] == [
        ("J1745", (), 280, 35),
        ("J1745", (JW,), 40, 5),
        ("S9359", (), 8, 1),
    ]


def test_given_loading_dose_of_another_size_when_planned_then_units_per_dose_vary() -> None:
    """Ocrelizumab 300 mg x 2, then 600 mg, days 1 and 15 then every 6 months from the first
    dose, 12 months. The OCREVUS label (section 2.3) states the 6 months as 24 weeks: 2026-03-02
    + 168 d = 2026-08-17, + 168 d = 2027-02-01 (before the course ends 2027-03-02), so
    300 + 300 + 600 + 600 mg = 1,800 units of J2350 (1 mg), all from whole 300 mg vials (JZ)."""
    plan = plan_services(
        _referral(
            drug_name="Ocrelizumab",
            hcpcs="J2350",
            ndc=None,
            dose="300 mg x 2, then 600 mg",
            frequency="days 1 and 15, then every 6 months from the first dose",
        ),
        START,
    )
    assert [d.isoformat() for d in plan.dose_dates] == [
        "2026-03-02",
        "2026-03-16",
        "2026-08-17",
        "2027-02-01",
    ]
    assert _lines(plan)[0] == ("J2350", (JZ,), 1800, None)  # 300, 300, 600, 600: no single size
    assert any("24 weeks as the label states it" in note for note in plan.notes)


def test_given_unreadable_frequency_when_planned_then_named_problem_and_no_units() -> None:
    plan = plan_services(_referral(frequency="per protocol"), START)
    assert [p.field for p in plan.problems] == ["therapy.frequency"]
    assert plan.dose_dates == () and plan.end is None
    assert all(s.units is None for s in plan.lines)


def test_given_ongoing_course_when_planned_with_or_without_through() -> None:
    ongoing = _referral(duration="ongoing")
    open_plan = plan_services(ongoing, START)
    assert open_plan.open_ended and open_plan.end is None and open_plan.dose_dates == ()
    assert open_plan.line(Component.DRUG).units is None  # type: ignore[union-attr]
    year = plan_services(ongoing, START, through=date(2027, 3, 1))
    assert year.end == date(2027, 3, 1) and len(year.dose_dates) == 7


def test_given_packet_when_built_then_278_pas_and_pdf_carry_the_plan_lines() -> None:
    # Given a suite patient with a plan limited to 4 home health visits left
    referral = _referral(site_of_care="infusion_suite")
    benefits = _benefits(home_health_visits_left(4))
    packet = _packet(referral, benefits)
    # Then the 278 asks for the plan's lines, modifiers and place of service
    [event] = [e for t in parse_278(packet.x12_278).transactions for e in t.events]
    sv1 = [s.service.element(1) for s in event.services if s.service is not None]
    assert sv1 == ["HC:J1745", "HC:J1745:JW", "HC:S9359:SS", "HC:99601", "HC:99602"]
    units = [s.service.element(4) for s in event.services if s.service is not None]
    assert units == ["245", "35", "7", "4", "4"]  # nursing capped at the 4 visits left
    assert "UM*HS*I**11:B" in packet.x12_278
    # the PAS bundle the same
    items = packet.pas_bundle["entry"][0]["resource"]["item"]
    assert [i["quantity"]["value"] for i in items] == [245, 35, 7, 4, 4]
    assert {i["locationCodeableConcept"]["coding"][0]["code"] for i in items} == {"11"}
    # and the PDF is titled for the suite, listing the same codes
    text = "".join(p.extract_text() for p in PdfReader(_bytes(packet.pdf)).pages)
    assert "Prior Authorization Request - Infusion Suite" in text
    assert "Home Infusion" not in text.split("Prior Authorization Request")[1][:40]
    for code in ("J1745-JW", "S9359-SS", "99602"):
        assert code in text
    assert packet.plan is not None and packet.plan.dose_dates[0] == START


PACKET_OPTIONS: dict[str, Any] = {
    "pharmacy": PHARMACY,
    "original_document": None,  # no clinic upload to append
    "original_name": "-",
    "now": NOW,
    "start": START,
}


def _packet(referral: Referral, benefits: BenefitsSummary) -> Any:
    """The prior-authorization packet for ``referral`` as the service decides it, from START."""
    decision = decide_prior_auth(referral, benefits)
    return build_packet(referral, benefits, decision, **PACKET_OPTIONS)


def _bytes(pdf: bytes) -> Any:
    import io

    return io.BytesIO(pdf)


@pytest.mark.parametrize("site", ["home", "infusion_suite"])
def test_given_site_when_packet_built_then_title_names_it(site: str) -> None:
    referral = _referral(site_of_care=site)
    benefits = _benefits()
    packet = _packet(referral, benefits)
    text = "".join(p.extract_text() for p in PdfReader(_bytes(packet.pdf)).pages)
    title = "Home Infusion" if site == "home" else "Infusion Suite"
    assert f"Prior Authorization Request - {title}" in text
