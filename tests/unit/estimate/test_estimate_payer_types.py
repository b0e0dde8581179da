"""Worked examples per payer type and with a secondary coverage; the arithmetic is in each
docstring. Round-number contract (``builders``): infliximab $50 per 10 mg unit, S9359 $100,
IVIG (J1569) $100 per 500 mg unit, S9338 $150, Q2052 $300, 99601 $150, 99602 $50."""

from __future__ import annotations

from decimal import Decimal

from intake.estimate import Contracts, PayerType, SecondaryCoverage, estimate
from intake.estimate.model import Estimate
from intake.models.referral import Therapy
from tests.unit.estimate.builders import START, WEIGHT, acc, benefits, infliximab, line, priced

TWENTY_PERCENT = (line("A", percent="0.2"),)
PID = ("D83.9",)  # common variable immunodeficiency


def _ivig(**changes: str) -> Therapy:
    fields = {
        "drug_name": "Immune globulin",
        "hcpcs": "J1569",
        "dose": "0.4 g/kg",
        "frequency": "every 4 weeks",
        "duration": "3 months",
        **changes,
    }
    return infliximab(**fields)


def _medicare_ivig(contracts: Contracts, **kwargs: object) -> Estimate:
    summary = benefits(
        payer_id="MCR",
        insurance_type="MB",
        lines=(line("A", percent="0.2", in_network=None),),
        deductible=acc("283", "283"),
    )
    return estimate(
        summary,
        _ivig(),
        weight_kg=WEIGHT,
        start=START,
        contracts=contracts,
        **kwargs,  # type: ignore[arg-type]
    )


def test_given_original_medicare_and_home_ivig_for_pid_then_part_b_20_percent_no_cap(
    contracts: Contracts,
) -> None:
    """0.4 g/kg x 80 kg = 32 g = 64 units (20 + 10 + 1 + 1 g vials, nothing discarded: JZ)
    x $100 = $6,400, plus Q2052 $300 (no S9338, no 99601: Medicare pays neither) = $6,700.
    Every 4 weeks for 3 months from 2026-01-05: Jan 5, Feb 2, Mar 2, Mar 30 (before Apr 5).
      infusion 1: $283 Part B deductible + 20% x $6,117 ($1,223.40) + 20% x $300 ($60)
                  = $1,566.40
      infusions 2-4: 20% x $6,700 = $1,340 each -> course $1,566.40 + $4,020 = $5,586.40,
      with no out-of-pocket maximum."""
    e = _medicare_ivig(contracts, diagnoses=PID)
    assert e.payer_type == PayerType.MEDICARE_PART_B.value
    assert e.per_infusion.allowed == Decimal("6700.00")
    assert e.per_infusion.patient == Decimal("1566.40")
    assert e.course.patient == Decimal("5586.40")
    assert e.out_of_pocket.remaining_before is None
    codes = {
        i.description.split(": ")[1].split(" ")[0] for i in e.line_items if i.kind == "allowed"
    }
    assert codes == {"J1569-JZ", "Q2052"}
    assert e.cost_share_by_part["nursing"].benefit == "not_billed"
    assert e.alternatives == ()


def test_given_original_medicare_and_home_infliximab_then_part_d_drug_services_not_covered(
    contracts: Contracts,
) -> None:
    """Part B does not pay infliximab at home (not an LCD L33794 pump drug, not home IVIG):
    the drug goes to the patient's Part D plan (its cost share is not in a Medicare 271), and
    the per diem and nursing, which Medicare does not cover, are the patient's at the
    pharmacy's usual charges: per day S9359 $100 + 99601 $150 + 99602 $50 = $300,
    7 x $300 = $2,100; the suite/office and Part D are named."""
    summary = benefits(
        payer_id="MCR", insurance_type="MB", lines=TWENTY_PERCENT, deductible=acc("283", "0")
    )
    e = priced(summary, contracts)
    assert e.payer_type == "original_medicare_part_b"
    assert e.course.patient == e.course.allowed == Decimal("2100.00")
    assert all(p.not_covered for p in e.cost_share_by_part.values())
    assert e.inputs.drug.benefit == "pharmacy"
    assert any("billed to the patient's Part D plan" in a for a in e.assumptions)
    assert any("infusion suite or physician office" in a for a in e.alternatives)
    assert any("Part D" in a for a in e.alternatives)
    assert "part of the therapy is not covered by the plan" in e.assistance_reasons


def test_given_original_medicare_ivig_without_pid_then_not_covered(contracts: Contracts) -> None:
    e = _medicare_ivig(contracts, diagnoses=("G61.81",))  # CIDP: not a primary immune deficiency
    assert e.course.patient == e.course.allowed
    assert any("primary immune deficiency" in a for a in e.assumptions)


def test_given_medicare_advantage_without_oop_in_271_then_cms_limit_caps_the_year(
    contracts: Contracts,
) -> None:
    """IVIG every 3 weeks for 12 months from 2026-01-05: days 0, 21, ... 357 = 18 infusions,
    all in 2026. Each: $6,400 drug + $150 S9338 + 4-hour visit ($150 + 2 x $50) = $6,800;
    20% = $1,360. No OOP in the 271: the 2026 MA in-network limit, $9,250, is assumed:
    6 x $1,360 = $8,160, infusion 7 pays the last $1,090, then $0 -> $9,250."""
    summary = benefits(
        payer_id="MA", insurance_type="HN", lines=TWENTY_PERCENT, deductible=acc("0")
    )
    therapy = _ivig(frequency="every 3 weeks", duration="12 months")
    e = estimate(summary, therapy, weight_kg=WEIGHT, start=START, contracts=contracts)
    assert e.payer_type == "medicare_advantage"
    assert e.course.infusions == 18
    assert e.course.patient == Decimal("9250.00")
    assert e.out_of_pocket.reached_on_infusion == 7
    assert e.out_of_pocket.assumed
    assert not any(p.kind == "manufacturer" for p in e.assistance_programs)


def test_given_medicaid_271_saying_only_mc_then_nothing_owed_no_foundations(
    contracts: Contracts,
) -> None:
    """EB*1**30**MC and nothing else: no coinsurance is assumed (Medicaid pays in full,
    42 CFR 447.15): 7 infusions x $2,300 = $16,100 allowed, $0 for the patient."""
    summary = benefits(payer_id="MCD", insurance_type="MC", lines=())
    e = priced(summary, contracts)
    assert e.payer_type == "medicaid"
    assert e.course.allowed == Decimal("16100.00") and e.course.patient == Decimal("0.00")
    assert e.assistance_programs == () and not e.assistance_recommended
    assert "payment in full" in e.cost_share_by_part["drug"].source
    assert not e.cost_share_by_part["drug"].assumed


def test_given_medicare_and_medigap_then_supplement_pays_the_coinsurance(
    contracts: Contracts,
) -> None:
    """Primary Original Medicare as above leaves $1,566.40 then 3 x $1,340 ($5,586.40).
    The Medigap 271 reports no deductible and no coinsurance: it pays Medicare's 20%
    ($1,283.40 + 3 x $1,340 = $5,303.40); the $283 Part B deductible stays with the patient
    (plans C and F, which pay it, are closed to new enrollees): the patient owes $283."""
    gap = benefits(payer_id="GAP", insurance_type="MI", lines=(), plan_description="PLAN G")
    e = _medicare_ivig(
        contracts,
        diagnoses=PID,
        secondary=SecondaryCoverage(gap, "GAP", "a Medigap supplement pays after Medicare"),
    )
    assert e.secondary is not None and e.secondary.payer_type == "medigap"
    assert e.secondary.primary_leaves == Decimal("5586.40")
    assert e.secondary.pays == Decimal("5303.40")
    assert e.course.patient == Decimal("283.00") == e.secondary.patient_after
    assert e.per_infusion.patient == Decimal("283.00")
    assert [y.secondary_pays for y in e.plan_years] == [Decimal("5303.40")]


def test_given_commercial_and_commercial_then_secondary_own_deductible_first(
    contracts: Contracts,
) -> None:
    """Primary PPO: $500 deductible left, 20%: leaves $860 then 6 x $460 ($3,620).
    Secondary (spouse's plan): $3,000 deductible left, 20% coinsurance, on the same $2,300
    allowed per infusion; it pays its own benefit up to what the primary left:
      infusion 1: its own share would be all $2,300 (deductible) -> it pays $0; patient $860
      infusion 2: $700 deductible + 20% x $1,600 = $1,020 -> benefit $1,280 -> pays all $460
      infusions 3-7: 20% x $2,300 = $460 -> benefit $1,840 -> pays $460
    Patient: $860; the secondary pays 6 x $460 = $2,760."""
    primary = benefits(lines=TWENTY_PERCENT, deductible=acc("1500", "500"), oop=acc("8000", "6000"))
    spouse = benefits(
        payer_id="OON",
        lines=TWENTY_PERCENT,
        deductible=acc("3000", "3000"),
        oop=acc("7000", "7000"),
    )
    e = priced(primary, contracts, secondary=SecondaryCoverage(spouse, "OON"))
    assert e.secondary is not None and e.secondary.payer_type == "commercial"
    assert e.secondary.primary_leaves == Decimal("3620.00")
    assert e.secondary.pays == Decimal("2760.00")
    assert e.course.patient == Decimal("860.00")
    assert [i.patient for i in e.infusions] == [Decimal("860.00")] + [Decimal("0.00")] * 6
    assert e.course.plan == e.course.allowed - e.course.patient
