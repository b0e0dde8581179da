"""The Medicare case book (``medicare.yaml``, 11 cases, and the three ``est-medicare`` cases of
``estimates.yaml``) against the code: which benefit pays at home and the rules it cites, that
no 278 goes to a MAC, HIT days and codes, QMB, dual eligibility, Medicare Advantage and MSP.

Each case's figures are asserted as the reviewers wrote them from public sources; where this
code needs a value the reader does not surface, the test says so (``xfail``, strict)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from intake.authorization.coverage import home_ivig_listed
from intake.eligibility.benefits.interpret import interpret_271
from intake.estimate import estimate
from intake.estimate.claim import Charge, Pricer, ServiceDay
from intake.estimate.estimator import walk_course
from intake.estimate.explain import Notes
from intake.estimate.model import Confidence
from intake.estimate.payers import PayerType, payer_type
from intake.estimate.rules import hit_days, setup_for
from intake.estimate.secondary import SecondaryCoverage, qmb_protection
from intake.estimate.walk import DayResult, PartKind
from intake.models.benefits import BenefitLine, BenefitsSummary
from intake.models.billing import Component
from intake.reference.contracts import DrugProfile, load_contracts
from intake.reference.medicare import (
    HomeBenefit,
    HomeDecision,
    Program,
    decide_home_benefit,
    hit_visit_codes,
    program,
    rule,
)
from tests.casebook.book import Case, load
from tests.unit.estimate.builders import START, WEIGHT, acc, benefits, infliximab, line
from tests.unit.estimate.builders import round_contracts as _round_contracts

CASES = {case.id: case for case in load("medicare.yaml")}
ESTIMATES = {case.id: case for case in load("estimates.yaml")}
TWO = Decimal("0.01")


def _decide(hcpcs: str, name: str, *diagnoses: str) -> HomeDecision:
    return decide_home_benefit(hcpcs, [name], list(diagnoses), ivig_listed=home_ivig_listed)


def _medicare(*extra: BenefitLine, deductible_left: str = "283") -> BenefitsSummary:
    """An Original Medicare Part B 271 summary: EB04 MB, 20% (EB08 .2), Part B deductible."""
    return benefits(
        payer_id="MCR",
        insurance_type="MB",
        lines=(line("A", percent="0.2", in_network=None), *extra),
        deductible=acc("283", deductible_left),
    )


def _qmb_line() -> BenefitLine:
    return BenefitLine(code="R", service_types=("30",), insurance_type="QM")


def _cited(decision: HomeDecision) -> str:
    return " | ".join(decision.citations())


def _names(decision: HomeDecision, named: str) -> bool:
    """The decision cites ``named`` (a manual section or LCD/article id, as the case writes
    it: 'MBPM' abbreviates the Medicare Benefit Policy Manual)."""
    cites = _cited(decision).replace("Medicare Benefit Policy Manual", "MBPM")
    named = named.replace("Medicare Benefit Policy Manual", "MBPM")
    return all(part.strip() in cites for part in named.split("/"))


def _one(case_id: str) -> Case:
    return CASES[case_id]


# -- which benefit pays at home ------------------------------------------------------------


def test_mcr_ffs_infliximab_home_part_d_only() -> None:
    """Given home infliximab (J1745) under Original Medicare + Part D, When the benefit is
    decided, Then Part D pays the drug alone: not an LCD L33794 pump drug, not home IVIG, so no
    HIT services, the per diem and nursing not covered by Medicare, and no 278 to a MAC."""
    case = _one("mcr-ffs-infliximab-home-part-d-only")
    expected = case.expected
    decision = _decide("J1745", "infliximab", case.input["diagnosis"].split()[0])
    assert decision.benefit is HomeBenefit.PART_D
    assert "Part D" in decision.drug_paid_by and expected["part_b_pays_drug"] is False
    assert decision.hit_category is None and expected["hit_services_g0068_g0070"] is False
    assert {"S-code per diem", "99601/99602 nursing"} <= set(decision.not_covered_by_medicare)
    assert decision.send_278_to_mac is expected["prior_auth"]["send_278_to_mac"]
    for named in expected["policy_named"]:  # MBPM Ch.15 §320.7.1, LCD L33794 / A52507
        assert _names(decision, named), named


def test_mcr_ffs_infliximab_per_diem_and_nursing_not_at_20_percent() -> None:
    """Given the same patient, When estimated, Then the per diem and nursing are not covered by
    Medicare (S-codes unrecognized, no 99601 outside HIT): never Medicare's 20%. Round contract:
    per day S9359 $100 + 99601 $150 + 99602 $50 = $300; 7 infusions -> $2,100 the patient's."""
    e = estimate(
        _medicare(), infliximab(), weight_kg=WEIGHT, start=START, contracts=_round_contracts()
    )
    assert e.payer_type == PayerType.MEDICARE_PART_B.value
    assert e.inputs.drug.benefit == "pharmacy"  # the Part D plan's, not this estimate's
    for part in ("per_diem", "nursing"):
        assert e.cost_share_by_part[part].not_covered
        assert e.cost_share_by_part[part].coinsurance is None
    assert e.course.patient == e.course.allowed == Decimal("2100.00")


def test_mcr_ffs_home_ivig_pidd_listed_d83_9() -> None:
    """Given Gamunex-C (J1561) at home for D83.9, When decided, Then the Part B home IVIG
    benefit (MBPM Ch.15 §50.6) pays the drug, Q2052 the items and services, no S-code or 99601,
    no 278; and the estimate applies the Part B deductible then 20% with no cap."""
    case = _one("mcr-ffs-home-ivig-pidd-listed-d83-9")
    expected = case.expected
    decision = _decide("J1561", "gamunex-c", case.input["diagnosis"])
    assert decision.benefit is HomeBenefit.PART_B_HOME_IVIG
    assert decision.diagnosis_on_list is expected["diagnosis_on_list"] is True
    assert _names(decision, expected["policy_named"])
    assert decision.services_code == "Q2052"
    assert decision.send_278_to_mac is expected["prior_auth"]["send_278_to_mac"]
    e = estimate(
        _medicare(),
        infliximab(
            drug_name="Immune globulin",
            hcpcs="J1569",
            dose="0.4 g/kg",
            frequency="every 4 weeks",
            duration="3 months",
        ),
        weight_kg=WEIGHT,
        start=START,
        contracts=_round_contracts(),
        diagnoses=[case.input["diagnosis"]],
    )
    assert e.cost_share_by_part["nursing"].benefit == "not_billed"
    assert e.cost_share_by_part["drug"].coinsurance == Decimal("0.2")
    assert e.out_of_pocket.remaining_before is None  # no out-of-pocket cap
    assert e.deductible.remaining_before == Decimal("283.00")


def test_mcr_ffs_home_ivig_cidp_not_listed() -> None:
    """Given Privigen (J1459) at home for CIDP (G61.81), When decided, Then not the §50.6
    benefit (G61.81 is not among its 24 codes, whatever the label says): Part D for the drug
    alone, per diem and nursing not covered by Medicare, no 278 to a MAC."""
    case = _one("mcr-ffs-home-ivig-cidp-not-listed")
    decision = _decide("J1459", "privigen", case.input["diagnosis"].split()[0])
    assert decision.benefit is HomeBenefit.PART_D
    assert decision.diagnosis_on_list is case.expected["diagnosis_on_list"] is False
    assert _names(decision, case.expected["policy_named"])
    assert decision.send_278_to_mac is case.expected["send_278_to_mac"]
    assert "99601/99602 nursing" in decision.not_covered_by_medicare


def _days(spec: list[tuple[date, bool]], drug: str) -> list[ServiceDay]:
    """Dosing days priced at $1: a nurse visit (99601) on the days marked True."""
    out = []
    for n, (day, nurse) in enumerate(spec, start=1):
        charges = [Charge(Component.DRUG, drug, 1, Decimal(1), "case")]
        if nurse:
            charges.append(Charge(Component.NURSING, "99601", 1, Decimal(1), "case"))
        out.append(ServiceDay(n, day, tuple(charges)))
    return out


class _HitPricer(Pricer):
    """Prices any code at $1 (the case counts HIT days and codes, not dollars)."""

    def __init__(self) -> None:
        pass

    def charge(
        self, component: Component, code: str, units: int, modifiers: tuple[str, ...] = ()
    ) -> Charge:
        return Charge(component, code, units, Decimal(1), "case", modifiers)


def _hit(days: list[ServiceDay], category: int) -> dict[date, str]:
    return {
        d.day: c.code
        for d in hit_days(days, _HitPricer(), category)
        for c in d.charges
        if c.component is Component.NURSING
    }


def test_mcr_ffs_scig_pump_dme_plus_hit_category_2() -> None:
    """Given Hizentra (J1559) weekly by pump, nurse on 12-01 (first visit ever), 12-08, 12-15,
    self-infused 12-22 and 12-29, When billed, Then Part B DME pays the drug, and HIT category 2
    is paid on the 3 nurse days only: G0089 on the first, G0069 after (5 days, 3 paid)."""
    case = _one("mcr-ffs-scig-pump-dme-plus-hit-category-2")
    expected = case.expected
    decision = _decide("J1559", "hizentra", case.input["diagnosis"])
    assert decision.benefit is HomeBenefit.PART_B_DME
    assert decision.send_278_to_mac is expected["send_278_to_mac"]
    hit = expected["hit_services"]
    assert decision.hit_category == hit["category"]
    paid = [date.fromisoformat(d) for d in hit["payable_days"]]
    unpaid = [date.fromisoformat(d) for d in hit["not_payable_days"]]
    codes = _hit(_days([(d, True) for d in paid] + [(d, False) for d in unpaid], "J1559"), 2)
    assert sorted(codes) == paid
    assert codes[paid[0]] == hit["codes"]["first_visit"]
    assert {codes[d] for d in paid[1:]} == {hit["codes"]["subsequent_visits"]}
    assert "S-code per diem" in decision.not_covered_by_medicare  # per diem: not recognized


def test_mcr_ffs_milrinone_continuous_hit_days_not_calendar_days() -> None:
    """Given milrinone by continuous pump 2026-12-01..30 (30 days) and 5 nurse visits, When
    billed, Then 5 HIT units of category 1 (G0088 on 12-01, G0068 on the other 4), not 30."""
    case = _one("mcr-ffs-milrinone-continuous-hit-days-not-calendar-days")
    expected = case.expected
    decision = _decide("J2260", "milrinone", "I50.9")
    assert decision.benefit is HomeBenefit.PART_B_DME
    assert decision.hit_category == expected["hit_category"]
    visits = {date.fromisoformat(d) for d in case.input["nurse_visits"]}
    therapy = [(date(2026, 12, day), date(2026, 12, day) in visits) for day in range(1, 31)]
    codes = _hit(_days(therapy, "J2260"), 1)
    assert len(therapy) == 30 and len(codes) == expected["hit_units"] == 5
    assert codes[date(2026, 12, 1)] == expected["hit_codes"]["2026-12-01"]
    assert {c for d, c in codes.items() if d != date(2026, 12, 1)} == {
        expected["hit_codes"]["others"]
    }


def test_hit_initial_visit_again_only_after_a_gap_of_more_than_60_days() -> None:
    """MBPM Ch.15 §320.8.3: a first visit is billed again only after more than 60 days without
    a HIT visit (day 61). Last visit 2026-10-01: 2026-11-30 is day 60 (subsequent code),
    2026-12-01 is day 61 (initial code)."""
    assert hit_visit_codes(1, [date(2026, 11, 30)], last_visit_before=date(2026, 10, 1)) == [
        (date(2026, 11, 30), "G0068")
    ]
    assert hit_visit_codes(1, [date(2026, 12, 1)], last_visit_before=date(2026, 10, 1)) == [
        (date(2026, 12, 1), "G0088")
    ]


def test_mcr_ffs_no_prior_auth_program_for_infusion_drugs() -> None:
    """Given four Original Medicare home requests, When decided, Then none sends a 278 to a
    MAC: the cited programs (DMEPOS Required PA List, 42 CFR 414.234; OPD services, 42 CFR
    419.83) hold none of them; each gets a coverage decision instead."""
    case = _one("mcr-ffs-no-prior-auth-program-for-infusion-drugs")
    requests = {
        "ocrelizumab home infusion": _decide("J2350", "ocrelizumab", "G35"),
        "Gamunex-C home IVIG for D80.0": _decide("J1561", "gamunex-c", "D80.0"),
        "Hizentra via pump": _decide("J1559", "hizentra", "D80.0"),
        "milrinone via pump": _decide("J2260", "milrinone", "I50.9"),
    }
    assert {k: d.send_278_to_mac for k, d in requests.items()} == case.expected["send_278_to_mac"]
    assert [d.benefit for d in requests.values()] == [
        HomeBenefit.PART_D,
        HomeBenefit.PART_B_HOME_IVIG,
        HomeBenefit.PART_B_DME,
        HomeBenefit.PART_B_DME,
    ]
    no_pa = rule("no_original_medicare_pa")
    assert "42 CFR 414.234" in no_pa.cite and "42 CFR 419.83" in no_pa.cite
    assert program(_medicare()).program is Program.ORIGINAL_MEDICARE


# -- Medicare Advantage, MSP -----------------------------------------------------------------


def _x12(case: Case) -> BenefitsSummary:
    (summary,) = interpret_271(case.input["x12"])
    return summary


def test_mcr_advantage_treated_like_commercial() -> None:
    """Given CMS's 271 naming a Medicare Advantage HMO (EB*R ... HN, 2120 PRP), When the program
    is read, Then the MA plan is the payer (its own authorization, its own 271), never the MAC,
    and Original Medicare's Part B deductible/20% is not the estimate's rule."""
    case = _one("mcr-advantage-treated-like-commercial")
    summary = _x12(case)
    answer = program(summary)
    assert answer.program is Program.MEDICARE_ADVANTAGE is not Program.ORIGINAL_MEDICARE
    assert answer.other_payer == "SUNSHINE HEALTH MA"
    assert case.expected["payer_to_bill"].startswith(answer.other_payer)
    assert case.expected["medicare_advantage_enrolled"] is True
    assert payer_type(summary, load_contracts().terms_for("CMS", summary.plan)) is (
        PayerType.MEDICARE_ADVANTAGE
    )


def test_mcr_other_payer_period_from_the_eb_r_line() -> None:
    """The MA period (2026-01-01..2026-12-31) is read from the DTP*290 (Coordination of
    Benefits, X279 2110C) of the EB*R line: a benefit line keeps its own dates."""
    ma = _x12(_one("mcr-advantage-treated-like-commercial"))
    r_line = next(b for b in ma.benefits if b.code == "R")
    (cob,) = [d for d in r_line.dates if d.qualifier == "290"]
    assert (cob.begin, cob.end) == (date(2026, 1, 1), date(2026, 12, 31))


def test_mcr_msp_working_aged_employer_primary() -> None:
    """Given CMS's 271 with EB*R EB04 12 (working aged) and 2120 PRP BIGCO, When the program is
    read, Then Medicare is secondary and the employer plan is verified and billed first."""
    case = _one("mcr-msp-working-aged-employer-primary")
    answer = program(_x12(case))
    assert answer.program is Program.MEDICARE_SECONDARY
    assert answer.other_payer == "BIGCO EMPLOYEE HEALTH PLAN"
    assert case.expected["primary"].startswith(answer.other_payer)


# -- QMB and dual eligibility -----------------------------------------------------------------


def _hizentra() -> DrugProfile:
    return DrugProfile(hcpcs="J1559", names=("hizentra",), per_diem="S9338", visit_hours=Decimal(1))


def _walk(
    summary: BenefitsSummary,
    services: list[tuple[date, Decimal]],
    drug: DrugProfile,
    kind: PayerType = PayerType.MEDICARE_PART_B,
    payer_id: str = "SBX06",
) -> tuple[list[DayResult], Notes, Any, Any]:
    """The estimator's rules for ``kind`` and its year walk over the case's allowed amounts
    (results, notes, plan years, setup)."""
    contracts = load_contracts()
    terms = contracts.terms_for(payer_id, summary.plan)
    notes = Notes()
    days = [
        ServiceDay(n, day, (Charge(Component.DRUG, drug.hcpcs, 1, allowed, "case"),))
        for n, (day, allowed) in enumerate(services, start=1)
    ]
    setup = setup_for(
        kind,
        benefits=summary,
        terms=terms,
        drug=drug,
        contracts=contracts,
        days=days,
        pricer=Pricer(terms, None),
        diagnoses=["D80.0"],
        assumed=Decimal("0.2"),
        notes=notes,
    )
    setup.days = days  # the case gives each service's allowed amount whole
    years, walks = walk_course(
        summary, days, setup, in_network=True, as_of=services[0][0], notes=notes
    )
    return [r for w in walks for r in w.result.days], notes, years, setup


def _walk_part_b(
    summary: BenefitsSummary, services: list[tuple[date, Decimal]], drug: DrugProfile
) -> tuple[list[DayResult], Notes, Any]:
    results, notes, years, _ = _walk(summary, services, drug)
    return results, notes, years


def _share(result: DayResult, kind: PartKind) -> Decimal:
    return sum((p.amount for p in result.parts if p.kind is kind), Decimal(0))


def test_mcr_qmb_owes_nothing_for_covered_service() -> None:
    """Given a QMB on Part B, Hizentra by pump allowed $3,000, deductible $283 left, When
    estimated, Then cost share 283 + 0.20 x (3000 - 283) = 283 + 543.40 = 826.40 goes to the
    state Medicaid program; Medicare pays 3000 - 826.40 = 2173.60; the patient owes 0."""
    case = _one("mcr-qmb-owes-nothing-for-covered-service")
    expected = case.expected
    summary = _medicare(_qmb_line())
    allowed = Decimal(str(case.input["allowed_amount"]))
    results, notes, _ = _walk_part_b(summary, [(date(2026, 12, 14), allowed)], _hizentra())
    (day,) = results
    protected = qmb_protection(PayerType.MEDICARE_PART_B, summary, None, results, notes)
    assert protected is not None
    assert day.patient == Decimal(str(expected["cost_share_amount_not_billable_to_patient"]))
    assert allowed - day.patient == Decimal(str(expected["medicare_pays"]))
    assert day.patient - protected.pays[1] == Decimal(str(expected["patient_owes"])) == 0
    assert "Medicaid" in protected.method


def test_mcr_qmb_protection_only_covers_medicare_cost_sharing() -> None:
    """Given a QMB-only patient on home infliximab (a Part D drug), When estimated, Then the
    per diem and nursing, which Medicare does not cover, are not zeroed 'because QMB' and are
    not at Medicare's 20%: round contract, $300 a day x 7 = $2,100 stays the patient's, named."""
    case = _one("mcr-qmb-protection-only-covers-medicare-cost-sharing")
    assert case.expected["qmb_zeroing_applies_to_these"] is False
    e = estimate(
        _medicare(_qmb_line()),
        infliximab(),
        weight_kg=WEIGHT,
        start=START,
        contracts=_round_contracts(),
    )
    for part in ("per_diem", "nursing"):
        assert e.cost_share_by_part[part].not_covered is True
        assert e.cost_share_by_part[part].coinsurance is None
    assert e.secondary is not None and e.secondary.payer_type == "qmb"
    assert e.secondary.pays == Decimal(0)
    assert e.course.patient == Decimal("2100.00")
    assert any("QMB" in a and "not protected" in a for a in e.assumptions)


def test_mcr_dual_full_benefit_medicare_first_medicaid_after() -> None:
    """Given Medicare A+B + Part D + full Medicaid, When estimated with Medicaid secondary,
    Then for home infliximab the drug is Part D's alone (Medicaid pays no Part D drug, SSA
    §1935(d)(1)): nothing of it goes to Medicaid; Medicaid, paying last, pays the per diem and
    nursing Medicare does not cover (state plan): 7 x $300 = $2,100 by Medicaid, $0 patient."""
    case = _one("mcr-dual-full-benefit-medicare-first-medicaid-after")
    expected = case.expected
    assert expected["medicaid_secondary_for_part_d_drug"] is False
    medicaid = benefits(payer_id="MCD", insurance_type="MC", lines=())
    e = estimate(
        _medicare(),
        infliximab(),
        weight_kg=WEIGHT,
        start=START,
        contracts=_round_contracts(),
        secondary=SecondaryCoverage(medicaid, "MCD", "Medicaid pays last"),
    )
    assert e.inputs.drug.benefit == "pharmacy"  # billed to the Part D plan, not to Medicaid
    assert e.secondary is not None and e.secondary.payer_type == "medicaid"
    assert e.secondary.pays == e.secondary.primary_leaves == Decimal("2100.00")
    assert e.course.patient == Decimal("0.00")
    assert rule("dual_order").cite.startswith("SSA §1902(a)(25)")


def test_dual_part_b_item_medicare_first_then_medicaid_crossover() -> None:
    """Given the dual patient's Hizentra by pump allowed $3,000 (deductible met), When walked,
    Then Medicare pays 80% ($2,400) first; the $600 left crosses over to Medicaid (QMB/full
    dual): $0 for the patient."""
    summary = _medicare(_qmb_line(), deductible_left="0")
    results, notes, _ = _walk_part_b(summary, [(date(2026, 12, 14), Decimal(3000))], _hizentra())
    protected = qmb_protection(PayerType.MEDICARE_PART_B, summary, None, results, notes)
    assert protected is not None
    assert results[0].patient == Decimal(600) == protected.pays[1]


# -- the three est-medicare estimates ---------------------------------------------------------


def _services(case: Case) -> list[tuple[date, Decimal]]:
    source = case.input if "services" in case.input else ESTIMATES[case.input["same_as"]].input
    return [(date.fromisoformat(s["date"]), Decimal(str(s["allowed"]))) for s in source["services"]]


def _x12_of(case: Case) -> str:
    source = case.input if "x12" in case.input else ESTIMATES[case.input["same_as"]].input
    return str(source["x12"])


def _ivig() -> DrugProfile:
    return next(d for d in load_contracts().drugs if d.hcpcs == "J1561")


def test_est_medicare_part_b_home_ivig_across_calendar_years() -> None:
    """Given home IVIG for D80.0, deductible met in 2026 (EB*C 29 = 0), services 2026-12-07 and
    2027-01-04 at $5,400, When walked, Then 2026: 0.20 x 5400 = 1080.00; 2027: the deductible
    starts again, 2027's not yet published so 2026's $283 is used and named, 283 + 0.20 x 5117
    = 283 + 1023.40 = 1306.40; total 2386.40; no out-of-pocket cap; confidence lowered."""
    case = ESTIMATES["est-medicare-part-b-home-ivig-across-calendar-years"]
    expected = case.expected
    (summary,) = interpret_271(_x12_of(case))
    results, notes, years = _walk_part_b(summary, _services(case), _ivig())
    for result, want in zip(results, expected["per_service"], strict=True):
        assert result.day == date.fromisoformat(want["date"])
        assert _share(result, PartKind.DEDUCTIBLE) == Decimal(str(want["deductible"]))
        assert _share(result, PartKind.COINSURANCE) == Decimal(str(want["coinsurance"]))
        assert result.patient == Decimal(str(want["patient"]))
        assert result.out_of_pocket_left is None  # oop_cap: null
    assert sum(r.patient for r in results) == Decimal(str(expected["total_patient"]))
    assert [y.start.year for y in years] == [2026, 2027]
    assert notes.confidence is not Confidence.HIGH
    assert any("2027 Part B deductible is not yet known" in a for a in notes.assumptions)


def test_est_medicare_qmb_estimate_zero() -> None:
    """Given the same services for a QMB, When estimated, Then Medicare's cost share
    (1080.00 + 1306.40 = 2386.40) is billed to the state Medicaid program and the patient owes
    0 on each service."""
    case = ESTIMATES["est-medicare-qmb-estimate-zero"]
    expected = case.expected
    (summary,) = interpret_271(_x12_of(case))
    qmb_summary = summary.model_copy(update={"benefits": (*summary.benefits, _qmb_line())})
    results, notes, _ = _walk_part_b(qmb_summary, _services(case), _ivig())
    protected = qmb_protection(PayerType.MEDICARE_PART_B, qmb_summary, None, results, notes)
    assert protected is not None
    owed = [r.patient - protected.pays[r.number] for r in results]
    assert owed == [Decimal(str(s["patient"])) for s in expected["per_service"]]
    assert sum(owed) == Decimal(str(expected["total_patient"]))
    assert sum(protected.pays.values()) == Decimal(
        str(expected["medicare_cost_share_to_bill_medicaid"])
    )


def test_est_medicare_advantage_oop_cap_like_commercial() -> None:
    """Given an MA HMO's own 271 (20% in network, deductible 0, OOP 6700 with 800 left) and
    three $3,000 services, When walked, Then #1 0.20 x 3000 = 600 (OOP left 200), #2 600 capped
    at 200, #3 0: total 800, never Original Medicare's uncapped 1800 or its deductible."""
    case = ESTIMATES["est-medicare-advantage-oop-cap-like-commercial"]
    expected = case.expected
    (summary,) = interpret_271(_x12_of(case))
    kind = payer_type(summary, load_contracts().terms_for("H9999", summary.plan))
    assert kind is PayerType.MEDICARE_ADVANTAGE
    results, _, _, setup = _walk(summary, _services(case), _ivig(), kind, "H9999")
    assert not setup.part_b_deductible
    assert [r.patient for r in results] == [
        Decimal(str(s["patient"])) for s in expected["per_service"]
    ]
    assert sum(r.patient for r in results) == Decimal(str(expected["total_patient"]))


def test_every_medicare_case_is_asserted() -> None:
    """The case book's Medicare cases all have a test here (none silently skipped)."""
    covered = {
        name.removeprefix("test_").replace("_", "-")
        for name, value in globals().items()
        if name.startswith("test_") and callable(value)
    }
    assert set(CASES) <= covered
    assert {c for c in ESTIMATES if c.startswith("est-medicare")} <= covered
