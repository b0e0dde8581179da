"""The assistance case book (``assistance.yaml``, issue 26), written from public sources by a
reviewer who did not read the code.

Eligibility cases: the case's directory (its programs, funds and the pharmacy's limit) becomes
an assistance catalog with the shipped anti-kickback rule, and ``decide`` judges the patient's
payer type, drug and household income (the case's 2025 guideline table; the header says the
2026 table must give the same answers, which is checked too). Arithmetic cases: the program's
ledger runs on the case's shares (or inside the plan's walk, where the case gives the plan),
exactly as the estimate applies it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from intake.eligibility.benefits.parts import CostShareRule
from intake.estimate.accumulators import Pool
from intake.estimate.assistance import AssistanceCatalog, Program, load_assistance
from intake.estimate.assistance_apply import Ledger, Terms
from intake.estimate.assistance_model import ProgramDecision, StatedIncome
from intake.estimate.assistance_rules import decide
from intake.estimate.claim import Charge, ServiceDay
from intake.estimate.walk import DayResult, Part, PartKind, walk
from intake.models.billing import Component
from intake.reference.contracts import PlanClass
from tests.casebook.book import Case, load, params

CASES = "assistance.yaml"
D = Decimal
READ = "2026-12-06"
CLASSES = (
    ("medicare", PlanClass.MEDICARE),  # before "commercial": an MA plan sold by a commercial brand
    ("medicaid", PlanClass.MEDICAID),
    ("tricare", PlanClass.GOVERNMENT),
    ("va community", PlanClass.GOVERNMENT),
    ("marketplace", PlanClass.COMMERCIAL),
    ("commercial", PlanClass.COMMERCIAL),
)
"""The case's payer type (free text) as the plan class the estimate knows (contracts, 271)."""
ALLOWED = {"medicare": PlanClass.MEDICARE, "commercial": PlanClass.COMMERCIAL}


def _class(payer_type: str) -> PlanClass:
    text = payer_type.lower()
    return next(klass for word, klass in CLASSES if word in text)


def _program(**fields: Any) -> Program:
    fields.setdefault("name", fields.get("id"))
    return Program.model_validate(
        {
            "eligibility": "case directory",
            "source": {"cite": "case directory", "read": READ},
            **fields,
        }
    )


def _catalog(case: Case) -> AssistanceCatalog:
    """The case's directory as a catalog (its drug is 'CASE', its diagnosis is the fund's)."""
    directory = case.input.get("directory") or {}
    programs = [
        _program(
            id=m["id"],
            kind="manufacturer",
            drugs=["CASE"],
            plan_classes=[PlanClass.COMMERCIAL],
            indications=m.get("indications") or [],
        )
        for m in directory.get("manufacturer_programs") or []
    ]
    wants_any = any(
        i["kind"] == "manufacturer" and "id" not in i for i in case.expected.get("ineligible") or []
    )
    if wants_any and not programs:
        programs.append(
            _program(
                id="MFR-ANY",
                kind="manufacturer",
                drugs=["CASE"],
                plan_classes=[PlanClass.COMMERCIAL],
            )
        )
    for f in directory.get("foundation_funds") or []:
        fund = {
            "id": f["id"],
            "disease": f["disease"],
            "diagnoses": ["CASE"],
            "status": f["status"],
            "status_read": READ,
            "income_limit_fpl_percent": f.get("income_limit_fpl_pct"),
            "source": "case directory",
        }
        classes = [ALLOWED[a] for a in f.get("insurance_allowed") or []]
        programs.append(_program(id=f["id"], kind="foundation", plan_classes=classes, funds=[fund]))
    limit = (directory.get("pharmacy_fa") or case.input.get("pharmacy_fa_policy") or {}).get(
        "income_limit_fpl_pct"
    )
    if limit is not None:
        programs.append(
            _program(
                id="pharmacy",
                kind="pharmacy",
                plan_classes=list(PlanClass),
                income_bands=[{"up_to_fpl_percent": limit, "pays_share": "1"}],
            )
        )
    shipped = load_assistance()
    return AssistanceCatalog(
        version="case", threshold=D(0), rules=shipped.rules, programs=tuple(programs)
    )


def _decide(
    case: Case, payer_type: str, *, year: int, proof: bool = True
) -> tuple[dict[tuple[str, str | None], ProgramDecision], Decimal | None]:
    household = case.input.get("household") or {}
    income = None
    if household:
        income = StatedIncome(
            household_size=household["size"],
            annual_income=D(str(household["annual_income"])),
            stated_on=date(year, 6, 1),
            proof_received=proof,
        )
    decisions, _, level = decide(
        _catalog(case),
        hcpcs="CASE",
        plan_class=_class(payer_type),
        diagnoses=["CASE"],
        income=income,
        on=date(year, 6, 1),
        indication=str(case.input.get("drug", "")),
    )
    keyed = {(d.kind, None if d.kind == "pharmacy" else d.program_id): d for d in decisions}
    return keyed, level.percent if level else None


def _key(item: Mapping[str, Any]) -> tuple[str, str | None]:
    return item["kind"], item.get("id") if item["kind"] != "pharmacy" else None


def _eligible(
    keyed: Mapping[tuple[str, str | None], ProgramDecision],
) -> set[tuple[str, str | None]]:
    return {k for k, d in keyed.items() if d.status == "eligible"}


def _assert_eligibility(case: Case, expected: Mapping[str, Any], proof: bool = True) -> None:
    payer = str(case.input["payer_type"])
    keyed, percent = _decide(
        case, payer, year=int(case.input.get("guideline_year", 2025)), proof=proof
    )
    if "fpl_pct" in case.expected:
        assert percent == D(str(case.expected["fpl_pct"]))
    assert _eligible(keyed) == {_key(i) for i in expected.get("eligible_programs") or []}
    for item in expected.get("ineligible") or []:
        key = (
            _key(item)
            if item.get("id") or item["kind"] == "pharmacy"
            else ("manufacturer", "MFR-ANY")
        )
        decision = keyed[key]
        assert decision.status != "eligible", (key, decision.reasons)
        if "% FPL" in item["reason"]:  # the same percent the case computed, in the reason
            assert f"{case.expected['fpl_pct']}%" in decision.reasons[0]
    # The header: the 2026 table gives the same answers.
    again, _ = _decide(case, payer, year=2026, proof=proof)
    assert _eligible(again) == _eligible(keyed)


def eligibility(case: Case) -> None:
    """Each eligible program is the case's, each refused one names its reason (hand
    computation of the income as % of the 2025 guideline in the case)."""
    _assert_eligibility(case, case.expected)


def all_government(case: Case) -> None:
    """Medicaid, TRICARE, VA, dual eligible, Medicare with a commercial secondary: the
    manufacturer program is refused for each (the OIG bulletin and 42 U.S.C. 1320a-7b(b))."""
    for patient in case.input["patients"]:
        keyed, _ = _decide(case, patient["payer_type"], year=2025)
        decision = keyed[("manufacturer", "MFR-OCREVUS-DRUG")]
        assert (decision.status == "eligible") is case.expected["manufacturer_eligible"][
            patient["ref"]
        ]
        assert "1320a-7b(b)" in decision.reasons[0]


def pharmacy_need_determination(case: Case) -> None:
    """a: application and income proof in -> the pharmacy's assistance (153.4% <= 300%);
    b: no determination yet -> pending (income_needed), never a routine waiver."""
    _assert_eligibility(case, case.expected["a"], proof=True)
    keyed, _ = _decide(case, str(case.input["payer_type"]), year=2025, proof=False)
    assert _eligible(keyed) == set()
    assert keyed[("pharmacy", None)].status == "income_needed"
    assert "financial need" in keyed[("pharmacy", None)].reasons[0]


# ------------------------------------------------------------------------------ arithmetic
def _terms(spec: Mapping[str, Any], anchor: date, **extra: Any) -> Terms:
    copay = spec.get("patient_copay")
    program = _program(
        id=spec["id"],
        kind=extra.pop("kind", "manufacturer"),
        plan_classes=[PlanClass.COMMERCIAL],
        annual_maximum=spec.get("annual_max"),
        patient_pays_per_dose=copay if copay else None,
        per_dose_maximum=spec.get("per_dose_limit"),
        program_year=spec.get("program_year", "calendar"),
        renewal=extra.pop("renewal", "assumed_same_terms"),
    )
    return Terms(program, program.annual_maximum, D(1), anchor, None)


def _given(ledger: Ledger, doses: Sequence[str], share: Decimal) -> list[Decimal]:
    """The ledger over the case's doses, each with the share the case gives."""
    for n, day in enumerate(doses, 1):
        service = ServiceDay(
            n, date.fromisoformat(day), (Charge(Component.DRUG, "CASE", 1, share, "case"),)
        )
        ledger(
            service, [Part(Component.DRUG, PartKind.COINSURANCE, share, "case")] if share else []
        )
    return [ledger.paid[n] for n in range(1, len(doses) + 1)]


def _per_dose(case: Case, paid: Sequence[Decimal], shares: Sequence[Decimal]) -> None:
    for want, pays, share in zip(case.expected["per_dose"], paid, shares, strict=True):
        assert pays == D(str(want.get("program_pays", want.get("foundation_pays")))), want
        assert share - pays == D(str(want["patient_after"])), want
        if "share_before" in want:
            assert share == D(str(want["share_before"])), want


def _calendar_2027(case: Case) -> tuple[Decimal, list[Decimal]]:
    """A calendar-2027 program over the case's doses at its given share; per dose and the day
    its maximum was used up, as the case says. (The share, what the program paid.)"""
    i = case.input
    ledger = Ledger(_terms(i["program"], date(2027, 1, 1)), True)
    share = D(str(i["share_before_per_dose"]))
    paid = _given(ledger, i["doses"], share)
    _per_dose(case, paid, [share] * len(paid))
    assert ledger.ran_out[date(2027, 1, 1)] == date.fromisoformat(
        case.expected["program_max_reached_on"]
    )
    return share, paid


def janssen_calendar_max(case: Case) -> None:
    """4000 - 5 = 3995 a dose; 5 x 3995 = 19975; 10-12 pays 25 (used up); 12-07 pays 0;
    2028 resets: 3995. 2027 patient 5 x 5 + 3975 + 4000 = 8000."""
    share, paid = _calendar_2027(case)
    assert sum(paid[:7]) == D("20000.00") and len(paid) * share - sum(paid) == D("8005.00")


def calendar_program_vs_plan_year(case: Case) -> None:
    """12000 a calendar year at 2000 a dose: 6 doses in 2026 (used up 11-23), 6 in 2027 (used
    up 06-07); 2027-07-05 is a new plan year but not a new program year: 0. Plan year 1:
    13 x 2000 = 26000 before, 24000 paid, 2000 owed."""
    i = case.input
    ledger = Ledger(_terms(i["program"], date.fromisoformat(i["enrolled_in_program"])), True)
    share = D(str(i["share_before_per_dose"]))
    paid = _given(ledger, i["doses"], share)
    _per_dose(case, paid, [share] * len(paid))
    first_plan_year = [p for d, p in zip(i["doses"], paid, strict=True) if d <= "2027-06-30"]
    assert (len(first_plan_year), sum(first_plan_year)) == (13, D("24000.00"))
    assert ledger.ran_out == {
        date(int(y), 1, 1): date.fromisoformat(v["max_reached_on"])
        for y, v in case.expected["per_program_year"].items()
    }


def _walked(case: Case, ledger: Ledger) -> list[DayResult]:
    """The plan's walk (the case's deductible, coinsurance and maximum) with the ledger in it."""
    plan, allowed = case.input["plan"], D(str(case.input["allowed_per_dose"]))
    rules = {Component.DRUG: CostShareRule(D(str(plan["coinsurance"])), None, False, "case")}
    days = [
        ServiceDay(n, date.fromisoformat(d), (Charge(Component.DRUG, "CASE", 1, allowed, "case"),))
        for n, d in enumerate(case.input["doses"], 1)
    ]
    deductible = Pool("deductible", "in network", D(str(plan["deductible"])), None)
    oop = Pool("out-of-pocket maximum", "in network", D(str(plan["oop_max"])), None)
    return list(walk(days, rules, deductible, oop, on_day=ledger).days)


def accumulator(case: Case) -> None:
    """Nothing the program pays is credited: 2000 + 0.20 x 3000 = 2600 a dose, the program
    pays 5 x 2600 = 13000, then 2000 (used up 10-12) and she pays 600, which the plan credits
    to the deductible (1400 left); 12-07: 1400 + 0.20 x 3600 = 2120. She owes 2720."""
    ledger = Ledger(_terms(case.input["program"], date(2027, 1, 1)), counts_toward_plan=False)
    results = _walked(case, ledger)
    paid = [ledger.paid[r.number] for r in results]
    _per_dose(case, paid, [r.patient for r in results])
    for r, want in zip(results, case.expected["per_dose"], strict=True):
        assert r.patient - ledger.paid[r.number] == D(str(want["credited_to_plan"]))
    assert ledger.ran_out[date(2027, 1, 1)] == date(2027, 10, 12)


def non_accumulator(case: Case) -> None:
    """The program's payments count: 2600, then 1000 x 3, then 400 (maximum met), then 0:
    the program pays 6000, 9000 of its 15000 left, and she owes nothing."""
    ledger = Ledger(_terms(case.input["program"], date(2027, 1, 1)), counts_toward_plan=True)
    results = _walked(case, ledger)
    paid = [ledger.paid[r.number] for r in results]
    _per_dose(case, paid, [r.patient for r in results])
    assert ledger.ran_out == {}
    assert D("15000") - ledger.used[date(2027, 1, 1)] == D(
        str(case.expected["program_remaining_end_2027"])
    )


def maximizer(case: Case) -> None:
    """A maximizer sets the drug's share to the program maximum over the plan year's doses
    (15600 / 13 = 1200): the ledger is given the plan's standard share (2600), so it runs out
    on 2027-05-24 instead, as the case's must_not names."""
    i = case.input
    ledger = Ledger(_terms(i["program"], date(2027, 1, 1)), counts_toward_plan=False)
    share = D(str(i["plan"]["standard_share_if_not_enrolled_in_program"]))
    paid = _given(ledger, i["doses"], share)
    want = case.expected["per_dose_all"]
    assert paid == [D(str(want["program_pays"]))] * len(paid)


def per_dose_limit(case: Case) -> None:
    """min(3000, 2000, left) = 2000 for five doses: 10000 used on 08-17; then 0. She owes
    5 x 1000 + 2 x 3000 = 11000."""
    share, paid = _calendar_2027(case)
    assert len(paid) * share - sum(paid) == D(str(case.expected["per_year"]["2027"]["patient"]))


def share_zero(case: Case) -> None:
    """A $0 share: the program pays 0 and keeps 20000 - 3000 = 17000."""
    i = case.input
    ledger = Ledger(_terms(i["program"], date(2027, 1, 1)), True)
    ledger.used[date(2027, 1, 1)] = D(str(i["program_used_2027_before"]))
    paid = _given(ledger, i["doses"], D("0.00"))
    _per_dose(case, paid, [D(0)])
    assert D("20000") - ledger.used[date(2027, 1, 1)] == D(
        str(case.expected["program_remaining_after"])
    )


def ocrevus_two_programs(case: Case) -> None:
    """The infusion program's maximum: 1500 in the first calendar year, 1000 after. One
    ledger with one maximum: 600 + 600 + 300 in 2027, and 2028's 600 leaves 900, not 400."""
    i = case.input
    admin = next(p for p in i["programs"] if p["covers"] == "administration")
    spec = {**admin, "annual_max": admin["annual_max"]["first_calendar_year"]}
    ledger = Ledger(_terms(spec, date.fromisoformat("2027-01-04")), True)
    share = D(str(i["share_before_per_infusion"]["administration"]))
    paid = _given(ledger, i["infusions"], share)
    assert paid == [D(str(p["admin"]["program"])) for p in case.expected["per_infusion"]]
    assert ledger.terms.maximum is not None
    left = ledger.terms.maximum - ledger.used[date(2028, 1, 1)]  # 2028's own maximum: 1000
    assert left == D(str(case.expected["per_year"]["2028 (to 2028-05-29)"]["admin_remaining"]))


def foundation_grant(case: Case) -> None:
    """Part B: 0.20 x 4000 = 800 (2026 deductible met); 2027-01-11: 283 + 0.20 x 3717 =
    1026.40. The $5000 grant from 2026-09-15: 800, 1600, 2626.40, 3426.40, 4226.40, then
    773.60 (used up 06-28); 08-23: 0; 10-18 is after the 12 months: 0."""
    i = case.input
    grant = i["grant"]
    start = date.fromisoformat(grant["period"].split("..")[0])
    spec = {"id": grant["id"], "annual_max": grant["amount"], "program_year": "enrollment"}
    ledger = Ledger(_terms(spec, start, kind="foundation", renewal="reapply"), True)
    rules = {Component.DRUG: CostShareRule(D("0.2"), None, False, "Part B 20%")}
    results: list[DayResult] = []
    for year, deductible in ((2026, D(0)), (2027, D(str(i["part_b_deductible_2027_assumed"])))):
        days = [
            ServiceDay(
                n, date.fromisoformat(d), (Charge(Component.DRUG, "CASE", 1, D(4000), "case"),)
            )
            for n, d in enumerate(i["doses"], 1)
            if d.startswith(str(year))
        ]
        pools = Pool("deductible", "", deductible, None), Pool("oop", "", None, None)
        results.extend(walk(days, rules, *pools, on_day=ledger).days)
    paid = [ledger.paid[r.number] for r in results]
    _per_dose(case, paid, [r.patient for r in results])
    assert ledger.ran_out[start] == date.fromisoformat(case.expected["grant_exhausted_on"])
    assert ledger.program_year(date(2027, 10, 18)) is None  # re-enrolment, not a renewal


CHECKS: dict[str, Callable[[Case], None]] = {
    "assist-elig-commercial-employer-ocrelizumab-manufacturer": eligibility,
    "assist-elig-aca-marketplace-counts-as-commercial": eligibility,
    "assist-elig-medicare-part-b-manufacturer-ineligible-foundation-eligible": eligibility,
    "assist-elig-medicare-advantage-fund-closed-waitlist": eligibility,
    "assist-elig-medicaid-tricare-va-dual-all-government": all_government,
    "assist-elig-income-above-foundation-limit": eligibility,
    "assist-elig-foundation-boundary-exactly-400-pct": eligibility,
    "assist-elig-commercial-off-label-manufacturer-ineligible": eligibility,
    "assist-elig-pharmacy-own-assistance-medicare-needs-individual-need-determination": pharmacy_need_determination,
    "assist-calc-janssen-5-per-infusion-20000-calendar-max-runs-out-october": janssen_calendar_max,
    "assist-calc-calendar-program-vs-july-june-plan-year": calendar_program_vs_plan_year,
    "assist-calc-accumulator-program-not-credited-patient-pays-late-in-year": accumulator,
    "assist-calc-non-accumulator-program-credited-oop-met-then-zero": non_accumulator,
    "assist-calc-maximizer-even-spread-over-plan-year": maximizer,
    "assist-calc-per-dose-limit-and-annual-max": per_dose_limit,
    "assist-calc-share-zero-program-pays-nothing": share_zero,
    "assist-calc-ocrevus-drug-and-infusion-programs-separate-caps": ocrevus_two_programs,
    "assist-calc-foundation-12-month-grant-medicare-part-b": foundation_grant,
}
XFAIL = {
    "assist-calc-maximizer-even-spread-over-plan-year": "a maximizer's per-dose share (the "
    "program maximum spread over the plan year's doses) is not modelled: the estimate names the "
    "maximizer, treats the program's payments as uncounted and lowers its confidence",
    "assist-calc-ocrevus-drug-and-infusion-programs-separate-caps": "one program is applied to "
    "a course, with one maximum per program year: a second program on the same course and a "
    "first-year maximum that differs from later years ($1,500 then $1,000) are not modelled",
}


def test_every_case_has_a_check() -> None:
    """Given the assistance case book, when its cases are listed, then each has its check (a
    new case without one fails here)."""
    assert set(CHECKS) == {case.id for case in load(CASES)}


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            p.values[0], id=p.id, marks=[pytest.mark.xfail(strict=True, reason=XFAIL[p.id])]
        )
        if p.id in XFAIL
        else p
        for p in params(CASES)
    ],
)
def test_case(case: Case) -> None:
    """Given a case written from its source, when the program is decided or applied as the
    estimate does, then the case's answer holds (arithmetic in each docstring and case)."""
    CHECKS[case.id](case)
