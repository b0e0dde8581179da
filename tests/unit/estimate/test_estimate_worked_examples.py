"""Worked examples: each expected figure is computed by hand in the comments.

Every example uses the round-number contract of ``builders``: one infliximab infusion (5 mg/kg,
80 kg) = drug 40 units x $50 = $2,000 + per diem $100 + nursing 3 h ($150 + $50) = $2,300.
'every 8 weeks' for 12 months from 2026-01-05 gives 7 infusions (days 0, 56, ... 336).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from intake.estimate import Confidence, Contracts, estimate
from intake.estimate.explain import WeightNeeded
from intake.estimate.model import Estimate
from tests.unit.estimate.builders import (
    START,
    WEIGHT,
    acc,
    benefits,
    home_health_visits_left,
    infliximab,
    line,
    priced,
)

TWENTY_PERCENT = (line("A", percent="0.2"),)


def _patient_items(e: Estimate) -> dict[str, Decimal]:
    return {f"{i.description} | {i.rule}": i.amount for i in e.line_items if i.kind == "patient"}


def test_given_deductible_partly_met_when_estimated_then_deductible_first_then_coinsurance(
    contracts: Contracts,
) -> None:
    # Given $500 of a $1,500 deductible left, 20% coinsurance, $6,000 out-of-pocket left
    summary = benefits(lines=TWENTY_PERCENT, deductible=acc("1500", "500"), oop=acc("8000", "6000"))
    # When
    e = priced(summary, contracts)
    # Then infusion 1: drug $2,000 -> $500 deductible + 20% x $1,500 = $300 -> $800
    #                  per diem 20% x $100 = $20; nursing 20% x $200 = $40 -> $860
    assert e.per_infusion.allowed == Decimal("2300.00")
    assert e.per_infusion.patient == Decimal("860.00")
    assert e.per_infusion.plan == Decimal("1440.00")
    # infusions 2-7: 20% x $2,300 = $460 each -> $860 + 6 x $460 = $3,620
    assert [i.patient for i in e.infusions[1:]] == [Decimal("460.00")] * 6
    assert e.course.infusions == 7
    assert e.course.allowed == Decimal("16100.00")  # 7 x $2,300
    assert e.course.patient == Decimal("3620.00")
    assert e.course.plan == Decimal("12480.00")  # $16,100 - $3,620
    assert e.deductible.remaining_before == Decimal("500.00")
    assert e.deductible.reached_on_infusion == 1
    items = _patient_items(e)
    assert items[
        "Deductible on the drug, infusion 1 | in-network individual deductible (271 EB C)"
    ] == Decimal("500.00")
    # drug coinsurance: $300 + 6 x $400 = $2,700
    assert any(
        k.startswith("Coinsurance on the drug") and v == Decimal("2700.00")
        for k, v in items.items()
    )
    assert e.confidence is Confidence.HIGH and e.in_network


def test_given_service_type_coinsurance_when_estimated_then_each_part_uses_its_own_line(
    contracts: Contracts,
) -> None:
    # Given plan-level 20%, but home health (42, 44) at 10% and no deductible left
    lines = (*TWENTY_PERCENT, line("A", ("42", "44"), percent="0.1"))
    summary = benefits(lines=lines, deductible=acc("1500", "0"), oop=acc("5000", "5000"))
    # When
    e = priced(summary, contracts)
    # Then drug 20% x $2,000 = $400; per diem 10% x $100 = $10; nursing 10% x $200 = $20
    assert e.per_infusion.patient == Decimal("430.00")
    assert e.course.patient == Decimal("3010.00")  # 7 x $430
    cost_share = e.inputs.benefits.cost_share
    assert "service type 30" in cost_share["drug"]
    assert "service type 42" in cost_share["per_diem"]
    assert "service type 44" in cost_share["nursing"]


def test_given_copay_plan_when_estimated_then_one_copay_per_visit(contracts: Contracts) -> None:
    # Given an HMO: $40 copay per visit at plan level only, no deductible, $3,650 OOP left
    summary = benefits(
        lines=(line("B", amount="40.00"),),
        deductible=acc("0"),
        oop=acc("4000", "3650"),
        insurance_type="HM",
    )
    # When
    e = priced(summary, contracts)
    # Then the three parts share the one $40 copay: $40 a visit (not 3 x $40), 7 x $40 = $280
    assert e.per_infusion.patient == Decimal("40.00")
    assert e.course.patient == Decimal("280.00")
    assert e.deductible.remaining_before == Decimal("0.00")


def test_given_copays_by_service_type_when_estimated_then_each_line_charged_once(
    contracts: Contracts,
) -> None:
    # Given $25 at plan level (the drug) and $0 for home health (42/44: per diem, nursing)
    lines = (line("B", amount="25.00"), line("B", ("42", "44"), amount="0.00"))
    summary = benefits(lines=lines, deductible=acc("0"), oop=acc("4000", "3650"))
    # When
    e = priced(summary, contracts)
    # Then $25 + $0 + $0 = $25 a visit; 7 x $25 = $175
    assert e.per_infusion.patient == Decimal("25.00")
    assert e.course.patient == Decimal("175.00")


def test_given_little_oop_left_when_estimated_then_capped_mid_course(contracts: Contracts) -> None:
    # Given deductible met, 20% coinsurance, $1,000 out-of-pocket left
    summary = benefits(lines=TWENTY_PERCENT, deductible=acc("1500", "0"), oop=acc("5000", "1000"))
    # When
    e = priced(summary, contracts)
    # Then $460 (540 left), $460 (80 left), $80 (capped, 0 left), then $0 x 4 -> $1,000
    assert [i.patient for i in e.infusions] == [
        Decimal("460.00"),
        Decimal("460.00"),
        Decimal("80.00"),
        *[Decimal("0.00")] * 4,
    ]
    assert e.course.patient == Decimal("1000.00")
    assert e.out_of_pocket.reached_on_infusion == 3
    assert e.out_of_pocket.remaining_after == Decimal("0.00")
    notes = [i for i in e.line_items if i.kind == "note"]
    assert any("Out-of-pocket maximum reached during infusion 3" in n.description for n in notes)


def test_given_family_accumulators_smaller_when_estimated_then_family_binds(
    contracts: Contracts,
) -> None:
    # Given individual deductible $1,000 left but family only $300; individual OOP $5,000 left
    # but family only $700
    summary = benefits(
        lines=TWENTY_PERCENT,
        deductible=acc("1500", "1000"),
        family_deductible=acc("3000", "300"),
        oop=acc("6000", "5000"),
        family_oop=acc("12000", "700"),
    )
    # When
    e = priced(summary, contracts)
    # Then infusion 1: drug $300 family deductible + 20% x $1,700 = $340 -> $640 (60 OOP left)
    #                  per diem 20% x $100 = $20 (40 left); nursing 20% x $200 = $40 (0 left)
    #      -> $700, the family OOP; infusions 2-7 cost nothing
    assert e.per_infusion.patient == Decimal("700.00")
    assert e.course.patient == Decimal("700.00")
    assert e.deductible.binding == "family" and e.out_of_pocket.binding == "family"
    assert e.out_of_pocket.reached_on_infusion == 1
    items = _patient_items(e)
    assert items[
        "Deductible on the drug, infusion 1 | in-network family deductible (271 EB C)"
    ] == Decimal("300.00")


def test_given_out_of_network_when_estimated_then_oon_sharing_and_balance_billing_note(
    contracts: Contracts,
) -> None:
    # Given a payer the pharmacy has no contract with: out-of-network 40%, $1,000 OON deductible
    # left, $10,000 OON out-of-pocket left (in-network lines present but not used)
    lines = (*TWENTY_PERCENT, line("A", percent="0.4", in_network=False))
    summary = benefits(
        payer_id="OON",
        lines=lines,
        deductible=acc("3000", "1000"),
        oop=acc("10000", "10000"),
        out_of_network=True,
    )
    # When
    e = priced(summary, contracts)
    # Then infusion 1: drug $1,000 deductible + 40% x $1,000 = $400 -> $1,400
    #                  per diem 40% x $100 = $40; nursing 40% x $200 = $80 -> $1,520
    #      infusions 2-7: 40% x $2,300 = $920 -> $1,520 + 6 x $920 = $7,040
    assert not e.in_network
    assert e.per_infusion.patient == Decimal("1520.00")
    assert e.course.patient == Decimal("7040.00")
    assert e.deductible.network == "out-of-network"
    assert any("balance billing" in a for a in e.assumptions)
    assert e.assistance_recommended
    assert "the pharmacy is out of network for this plan" in e.assistance_reasons
    assert e.confidence is Confidence.MEDIUM


def test_given_out_of_network_not_covered_when_estimated_then_patient_pays_all(
    contracts: Contracts,
) -> None:
    # Given an HMO that does not cover out-of-network care (EB I, EB12 N)
    lines = (line("B", amount="25.00"), line("I", in_network=False))
    summary = benefits(
        payer_id="OON",
        lines=lines,
        deductible=acc("0"),
        oop=acc("4000", "3650"),
        out_of_network=True,
    )
    # When
    e = priced(summary, contracts)
    # Then all of $2,300 per infusion, not capped by any maximum: 7 x $2,300 = $16,100
    assert e.per_infusion.patient == Decimal("2300.00")
    assert e.course.patient == e.course.allowed == Decimal("16100.00")
    assert "part of the therapy is not covered by the plan" in e.assistance_reasons


def test_given_271_without_remaining_amounts_when_estimated_then_full_amounts_and_lower_confidence(
    contracts: Contracts,
) -> None:
    # Given plan amounts only: $1,000 deductible, $3,000 out-of-pocket maximum, 20%
    summary = benefits(lines=TWENTY_PERCENT, deductible=acc("1000"), oop=acc("3000"))
    # When
    e = priced(summary, contracts)
    # Then all of both is assumed to remain:
    #   infusion 1: $1,000 deductible + 20% x $1,000 + $20 + $40 = $1,260 (1,740 OOP left)
    #   infusions 2-4: $460 each (1,280; 820; 360 left); infusion 5: $360 (capped); 6-7: $0
    assert [i.patient for i in e.infusions] == [
        Decimal("1260.00"),
        *[Decimal("460.00")] * 3,
        Decimal("360.00"),
        *[Decimal("0.00")] * 2,
    ]
    assert e.course.patient == Decimal("3000.00")
    assert e.confidence is Confidence.MEDIUM
    assert e.deductible.assumed and e.out_of_pocket.assumed
    assert any("full $1,000.00 is assumed to remain" in a for a in e.assumptions)
    assert any("remaining deductible" in r for r in e.confidence_reasons)


def test_given_total_and_met_only_when_estimated_then_remaining_derived(
    contracts: Contracts,
) -> None:
    # Given $1,000 deductible with $700 met (no remaining): $300 left
    summary = benefits(
        lines=TWENTY_PERCENT, deductible=acc("1000", met="700"), oop=acc("5000", "5000")
    )
    # When
    e = priced(summary, contracts)
    # Then drug $300 + 20% x $1,700 = $340 -> $640, + $20 + $40 = $700
    assert e.per_infusion.patient == Decimal("700.00")
    assert e.confidence is Confidence.HIGH


def test_given_unknown_payer_when_estimated_then_default_schedule_out_of_network_low(
    contracts: Contracts,
) -> None:
    # Given a payer with no contract
    summary = benefits(
        payer_id="ZZ999",
        lines=(line("A", percent="0.3", in_network=False),),
        deductible=acc("500", "0"),
        oop=acc("9000", "9000"),
        out_of_network=True,
    )
    # When
    e = priced(summary, contracts)
    # Then out of network on usual-and-customary rates, flagged, not an error: 30% x $2,300
    assert not e.payer_known and not e.in_network
    assert e.per_infusion.patient == Decimal("690.00")
    assert e.confidence is Confidence.LOW
    assert e.inputs.contract.schedule == "usual and customary"
    assert e.assistance_recommended


def test_given_per_kg_dose_without_weight_when_estimated_then_weight_needed_not_priced(
    contracts: Contracts,
) -> None:
    """Issue 22: a per-kg dose is never priced on an assumed reference weight (a 70 kg guess
    priced 5 mg/kg as 350 mg, $2,300 an infusion). Unknown is the answer: the estimate stops
    naming the weight, and the welcome call asks for it."""
    # Given no weight for 5 mg/kg
    summary = benefits(lines=TWENTY_PERCENT, deductible=acc("0"), oop=acc("5000", "5000"))
    # When / Then nothing is priced, and the reason names the weight
    with pytest.raises(WeightNeeded, match="weight needed"):
        estimate(summary, infliximab(), start=START, contracts=contracts)


def test_given_course_across_two_plan_years_when_estimated_then_split_and_reset(
    contracts: Contracts,
) -> None:
    """A 12-month course from 2026-09-01, every 8 weeks: days 0, 56, ... 336, so Sep 1,
    Oct 27, Dec 22 (2026 plan year) and Feb 16, Apr 13, Jun 8, Aug 3 (2027 plan year).

    2026 from the 271: $150 of the deductible left, 20% coinsurance, $5,000 OOP left.
      infusion 1: $150 deductible + 20% x $2,150 = $430 -> $580; then $460 x 2 -> 2026: $1,500
    2027 reset to the plan amounts ($1,500 deductible, $5,000 OOP), assumed:
      infusion 4: $1,500 + 20% x $800 = $160 -> $1,660; then $460 x 3 = $1,380 -> 2027: $3,040
    Course: $1,500 + $3,040 = $4,540 of 7 x $2,300 = $16,100 allowed.
    """
    summary = benefits(lines=TWENTY_PERCENT, deductible=acc("1500", "150"), oop=acc("5000", "5000"))
    # When
    e = priced(summary, contracts, start=START.replace(month=9, day=1))
    # Then
    years = [(str(y.start), str(y.end), y.infusions, y.patient, y.from_271) for y in e.plan_years]
    assert years == [
        ("2026-01-01", "2026-12-31", 3, Decimal("1500.00"), True),
        ("2027-01-01", "2027-12-31", 4, Decimal("3040.00"), False),
    ]
    assert e.plan_years[1].deductible_left_at_start == Decimal("1500.00")
    assert e.course.infusions == 7 and e.course.after_plan_year == 0
    assert e.course.patient == Decimal("4540.00") == sum(y.patient for y in e.plan_years)
    assert e.course.allowed == Decimal("16100.00")
    assert str(e.course.last) == "2027-08-03" and str(e.course.plan_year_end) == "2026-12-31"
    assert e.typical_infusion is not None and e.typical_infusion.patient == Decimal("460.00")
    assert e.confidence is Confidence.MEDIUM  # the 2027 amounts are assumed
    assert any("start again from the plan amounts" in a for a in e.assumptions)


def test_given_first_dose_after_the_plan_year_when_estimated_then_priced_in_the_next(
    contracts: Contracts,
) -> None:
    """The 271 describes 2026; the course starts 2027-01-05: every infusion falls in 2027,
    priced from the plan amounts reset ($1,500 deductible, 20%): infusion 1 $1,500 +
    20% x $800 = $1,660, then 6 x $460 = $2,760 -> $4,420 (under the $5,000 maximum)."""
    summary = benefits(lines=TWENTY_PERCENT, deductible=acc("1500", "0"), oop=acc("5000", "10"))
    e = priced(summary, contracts, start=START.replace(year=2027))
    assert [(str(y.start), y.infusions, y.from_271) for y in e.plan_years] == [
        ("2027-01-01", 7, False)
    ]
    assert e.course.patient == Decimal("4420.00")


def test_given_daily_antibiotic_when_estimated_then_per_diem_daily_nurse_weekly(
    contracts: Contracts,
) -> None:
    # Given ertapenem 1 g daily for 14 days, everything at 20% and nothing left to meet
    therapy = infliximab(
        drug_name="Ertapenem", hcpcs="J1335", dose="1 g", frequency="daily", duration="14 days"
    )
    summary = benefits(lines=TWENTY_PERCENT, deductible=acc("0"), oop=acc("5000", "5000"))
    # When
    e = estimate(summary, therapy, start=START, contracts=contracts)
    # Then per day: 2 units x $20 + S9500 $80 = $120; nurse day 1 (2 h) and day 8 (1 h):
    #      2 x 99601 $150 -> allowed 14 x $120 + $300 = $1,980; patient 20% = $396
    assert e.course.infusions == 14
    assert e.course.allowed == Decimal("1980.00")
    assert e.course.patient == Decimal("396.00")
    assert e.inputs.drug.per_diem_code == "S9500"
    assert e.confidence is Confidence.HIGH  # no weight needed for a flat dose


def test_given_pharmacy_carve_out_when_estimated_then_drug_left_out_never_retail_copay() -> None:
    """An HMO that carves IVIG out to its specialty pharmacy; the 271 shows $25 medical, $0
    home health (42/44) and a $15 retail pharmacy (88) copay.

    The drug is the specialty pharmacy's to bill: not priced, and never the $15 retail copay.
    Per infusion: S9338 $150 + nursing 4 h ($150 + 2 x $50) = $400 allowed; the $0 home
    health copay applies to both -> the patient owes $0 here for the per diem and nursing."""
    from tests.unit.estimate.builders import round_contracts

    rates = {"J1569": "100.00", "S9338": "150.00", "99601": "150.00", "99602": "50.00"}
    contracts = round_contracts(
        HMO={
            "name": "TEST HMO",
            "plan_class": "commercial",
            "in_network": True,
            "schedule": "hmo",
            "rates": rates,
            "pharmacy_benefit": ["J1569"],
        }
    )
    lines = (
        line("B", amount="25.00"),
        line("B", ("42", "44"), amount="0"),
        line("B", ("88",), amount="15.00"),
    )
    summary = benefits(payer_id="HMO", lines=lines, deductible=acc("0"), oop=acc("4000", "4000"))
    ivig = infliximab(
        drug_name="Immune globulin",
        hcpcs="J1569",
        dose="0.4 g/kg",
        frequency="every 4 weeks",
        duration="6 months",
    )
    # When
    e = estimate(summary, ivig, weight_kg=WEIGHT, start=START, contracts=contracts)
    # Then
    assert e.inputs.drug.benefit == "pharmacy"
    assert e.per_infusion.allowed == Decimal("400.00")
    assert e.per_infusion.patient == Decimal("0.00")
    assert not any("J1569" in i.description for i in e.line_items if i.kind == "allowed")
    drug = e.cost_share_by_part["drug"]
    assert drug.benefit == "pharmacy" and "not readable from a medical 271" in drug.source
    assert any("specialty pharmacy" in a and "$15.00" in a for a in e.assumptions)
    assert e.confidence is Confidence.MEDIUM


def test_given_fractional_cents_when_estimated_then_rounded_once_at_the_end() -> None:
    # Given a $10.02 per diem at 12.5%: $1.2525 a day, exactly
    from tests.unit.estimate.builders import round_contracts

    contracts = round_contracts(
        FRAC={
            "name": "FRAC",
            "plan_class": "commercial",
            "in_network": True,
            "schedule": "frac",
            "rates": {"J1335": "0", "S9500": "10.02", "99601": "0", "99602": "0"},
        }
    )
    therapy = infliximab(
        drug_name="Ertapenem", hcpcs="J1335", dose="1 g", frequency="daily", duration="7 days"
    )
    summary = benefits(
        payer_id="FRAC",
        lines=(line("A", percent="0.125"),),
        deductible=acc("0"),
        oop=acc("5000", "5000"),
    )
    # When
    e = estimate(summary, therapy, start=START, contracts=contracts)
    # Then each day rounds to $1.25 (1.2525 half up), but the course is 7 x 1.2525 = 8.7675
    # -> $8.77, not 7 x $1.25 = $8.75
    assert e.per_infusion.patient == Decimal("1.25")
    assert e.course.patient == Decimal("8.77")


def test_given_loading_doses_when_estimated_then_eight_first_year_infusions(
    contracts: Contracts,
) -> None:
    """Weeks 0, 2 and 6, then every 8 weeks, 12 months from 2026-01-05: weeks 0, 2, 6, 14, 22,
    30, 38, 46 = 8 infusions (week 54 is past the year), each $2,300; nothing left to meet,
    20%: 8 x $460 = $3,680 of $18,400."""
    summary = benefits(lines=TWENTY_PERCENT, deductible=acc("0"), oop=acc("5000", "5000"))
    therapy = infliximab(frequency="weeks 0, 2 and 6, then every 8 weeks")
    e = estimate(summary, therapy, weight_kg=WEIGHT, start=START, contracts=contracts)
    assert [str(i.date) for i in e.infusions[:4]] == [
        "2026-01-05",
        "2026-01-19",
        "2026-02-16",
        "2026-04-13",
    ]
    assert e.course.infusions == 8
    assert e.course.allowed == Decimal("18400.00") and e.course.patient == Decimal("3680.00")


def test_given_dose_between_vials_when_estimated_then_waste_billed_on_jw_line(
    contracts: Contracts,
) -> None:
    """73 kg x 5 mg/kg = 365 mg -> 37 units given (36.5 rounded up) + 3 discarded from the
    four 100 mg vials (JW) = 40 units = $2,000 a dose, the same as a 400 mg dose; over 7
    infusions the JW line is 21 units x $50 = $1,050."""
    summary = benefits(lines=TWENTY_PERCENT, deductible=acc("0"), oop=acc("5000", "5000"))
    e = estimate(summary, infliximab(), weight_kg=Decimal(73), start=START, contracts=contracts)
    assert e.inputs.drug.units_given_per_infusion == 37
    assert e.inputs.drug.units_wasted_per_infusion == 3
    assert e.inputs.drug.units_per_infusion == 40
    [waste] = [i for i in e.line_items if i.kind == "allowed" and "J1745-JW" in i.description]
    assert waste.amount == Decimal("1050.00") and "21 units" in waste.description
    assert e.per_infusion.allowed == Decimal("2300.00")


def test_given_unreadable_schedule_when_estimated_then_error_names_the_field(
    contracts: Contracts,
) -> None:
    from intake.estimate import UnreadablePrescription

    summary = benefits(lines=TWENTY_PERCENT)
    try:
        estimate(summary, infliximab(frequency="per protocol"), start=START, contracts=contracts)
    except UnreadablePrescription as exc:
        assert exc.field == "therapy.frequency"
    else:
        raise AssertionError("an unreadable frequency must not be estimated")


def test_given_visit_limit_when_estimated_then_visits_past_it_not_covered(
    contracts: Contracts,
) -> None:
    """4 home health visits left this year (EB F, 44, VS 4, EB06 29); 7 infusions each with a
    3-hour visit ($200): visits 5-7 are not covered, the patient pays them in full:
    7 x 20% x $2,100 (drug + per diem) = $2,940 + 4 x 20% x $200 = $160 + 3 x $200 = $600
    -> $3,700."""

    summary = benefits(
        lines=TWENTY_PERCENT, deductible=acc("0"), oop=acc("9000", "9000")
    ).model_copy(update={"visit_limits": (home_health_visits_left(4),)})
    e = priced(summary, contracts)
    assert e.course.patient == Decimal("3700.00")
    assert any("the plan covers 4" in a for a in e.assumptions)
