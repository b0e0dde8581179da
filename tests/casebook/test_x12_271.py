"""The 271 case book (``x12_271.yaml``): 25 hand-written 005010X279A1 271s read as the guide
defines them.

Each case is read by the interpreter the benefits check uses (``interpret_271``) and, where the
case asks about service dates, by the estimate's plan-year split (``plan_years``) and the cost
share each part of a home infusion claim would be charged (``parts.reported_rule``). The figures
asserted are the case's ``expected`` values, so a reviewer's correction to the YAML is what the
test holds the code to; what each check reads is named in its docstring.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from intake.eligibility.benefits.codes import ACTIVE_CODES
from intake.eligibility.benefits.interpret import interpret_271
from intake.eligibility.benefits.parts import pharmacy_rule, reported_rule
from intake.eligibility.service import payer_says_retry
from intake.estimate.accumulators import start_pool
from intake.estimate.cost_share import medical_rule
from intake.estimate.explain import Notes
from intake.estimate.model import Confidence
from intake.estimate.plan_years import PlanYear, plan_years, reset
from intake.models.benefits import (
    Accumulator,
    BenefitLine,
    BenefitsSummary,
    ByLevel,
    CoverageStatus,
)
from intake.models.billing import Component
from tests.casebook.book import Case, params

AS_OF = date(2026, 12, 6)
"""Every case's BHT04 (the day the payer answered): the day its remaining amounts were true."""

PERIODS = {
    "hour": "6",
    "day": "7",
    "service year": "22",
    "calendar year": "23",
    "episode": "26",
    "visit": "27",
    "remaining": "29",
    "lifetime": "32",
    "lifetime remaining": "33",
    "admission": "36",
}
"""X12 element 615 codes by the words the case book uses (stedi.com/edi/x12-005030/element/615)."""

KINDS = {"copay": "B", "deductible": "C", "coinsurance": "A"}


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _money(value: Any) -> Decimal:
    return Decimal(str(value))


def _percent(fraction: Decimal | None) -> Decimal | None:
    return None if fraction is None else fraction * 100


def _only(case: Case) -> BenefitsSummary:
    [summary] = interpret_271(case.input["x12"])
    return summary


def _period_code(text: str) -> str:
    """``service year (EB06 22)`` -> ``22``; ``calendar year`` -> ``23``."""
    words = text.split("(", maxsplit=1)[0].strip()
    return PERIODS[words]


def _assert_accumulator(acc: Accumulator, expected: Mapping[str, Any]) -> None:
    assert acc.total == _money(expected["total"])
    if "remaining" in expected:
        assert acc.remaining == _money(expected["remaining"])
    if "period" in expected:
        assert acc.period == _period_code(expected["period"])


def _year_of(years: Sequence[PlanYear], day: date) -> PlanYear:
    return next(y for y in years if y.start <= day <= y.end)


def _deductible_on(summary: BenefitsSummary, day: date, notes: Notes) -> tuple[PlanYear, Decimal]:
    """The plan year ``day`` falls in and the individual deductible left at its start: the 271's
    remaining amount in the 271's own year, the plan amount again in a later one."""
    years = plan_years(summary, day, AS_OF, notes)
    year = _year_of(years, day)
    levels = summary.summary.deductible.in_network
    if not year.from_271:
        levels = reset(levels)
    remaining = start_pool("deductible", True, levels).pool.remaining
    assert remaining is not None
    return year, remaining


def _year_read(
    case: Case, day: date
) -> tuple[BenefitsSummary, Mapping[str, Any], Notes, PlanYear, Decimal]:
    """The case's 271 read, its medical deductible checked, and ``day``'s plan year."""
    s, e = _only(case), case.expected
    _assert_accumulator(s.summary.deductible.in_network.individual, e["medical"]["deductible_ind"])
    notes = Notes()
    year, remaining = _deductible_on(s, day, notes)
    return s, e, notes, year, remaining


def _covered(summary: BenefitsSummary, service_type: str) -> bool:
    """An active status line (EB01 1-5) names the service type and no EB I line does."""
    active = any(
        b.code in ACTIVE_CODES and service_type in b.service_types for b in summary.benefits
    )
    excluded = any(b.code == "I" and service_type in b.service_types for b in summary.benefits)
    return active and not excluded


def _lines(summary: BenefitsSummary, code: str, service_type: str) -> list[BenefitLine]:
    return [b for b in summary.benefits if b.code == code and service_type in b.service_types]


# --- one check per case -------------------------------------------------------------------


def plan_291(case: Case) -> None:
    """Plan year from DTP*291 RD8; the service-year amounts; a date past the plan end is in the
    next plan year, whose deductible starts again from the plan amount."""
    s, e = _only(case), case.expected
    assert (s.plan.begin, s.plan.end) == (
        _day(e["plan_year"]["begin"]),
        _day(e["plan_year"]["end"]),
    )
    assert s.plan.dates_from == "2100C DTP*291"
    _assert_accumulator(s.summary.deductible.in_network.individual, e["medical"]["deductible_ind"])
    _assert_accumulator(s.summary.out_of_pocket.in_network.individual, e["medical"]["oop_max_ind"])
    assert _percent(s.coinsurance.in_network) == e["medical"]["coinsurance"]["percent"]
    for day, want in e["per_service_date"].items():
        year, remaining = _deductible_on(s, _day(day), Notes())
        assert remaining == _money(want["deductible_remaining"])
        assert f"{year.start}..{year.end}" == str(
            want.get("plan_year", f"{year.start}..{year.end}")
        )
    # 2027-07-06 lies in 2027-07-01..2028-06-30: 1500 again, never the 600 left in 2026-27
    year, _ = _deductible_on(s, date(2027, 7, 6), Notes())
    assert (year.start, year.end, year.from_271) == (date(2027, 7, 1), date(2028, 6, 30), False)


def plan_346_347(case: Case) -> None:
    """346/347 give the plan year; 356 is the member's own start and changes neither the plan
    year nor the payer's remaining deductible."""
    s, e = _only(case), case.expected
    assert (s.plan.begin, s.plan.end) == (
        _day(e["plan_year"]["begin"]),
        _day(e["plan_year"]["end"]),
    )
    assert s.plan.dates_from == "2100C DTP*346/DTP*347"
    assert s.plan.eligibility_begin == _day(e["eligibility_begin"])
    assert (s.plan.eligibility_begin > s.plan.begin) is e["member_enrolled_mid_year"]
    _assert_accumulator(s.summary.deductible.in_network.individual, e["medical"]["deductible_ind"])
    # the remaining 1350 (2000 - 650 met) is kept for December: no reset on enrolment
    _, remaining = _deductible_on(s, date(2026, 12, 14), Notes())
    assert remaining == Decimal("1350")


def no_plan_dates(case: Case) -> None:
    """No 291/346/347: no plan year is read (356 is not one); the estimate assumes the calendar
    year of the 271, names it, and lowers its confidence."""
    s, e, notes, year, remaining = _year_read(case, date(2026, 12, 14))
    assert (s.plan.begin, s.plan.end) == (None, None)
    assert s.plan.eligibility_begin == _day(e["eligibility_begin"])
    assumed = e["plan_year_assumed"]
    assert (year.start, year.end) == (_day(assumed["begin"]), _day(assumed["end"]))
    assert year.basis.startswith("assumed")
    assert remaining == Decimal("400")
    assert any("no plan dates" in a for a in notes.assumptions)
    assert notes.confidence is not Confidence.HIGH
    _, january = _deductible_on(s, date(2027, 1, 11), Notes())
    assert january == Decimal("1000")  # a new (assumed) year: the plan amount again


def calendar_year_23(case: Case) -> None:
    """EB06 23 fixes the year to the calendar year: no plan dates needed, nothing assumed; the
    2026 deductible met does not carry into 2027."""
    s, e, notes, year, _ = _year_read(case, date(2026, 12, 14))
    assert s.plan.begin is None
    assert s.plan.eligibility_date == _day(e["eligibility_date"])
    want = e["deductible_year"]
    assert (year.start, year.end) == (_day(want["begin"]), _day(want["end"]))
    assert year.basis == "EB06 23 Calendar Year"
    assert notes.assumptions == e["assumptions_about_year"]
    for day, after in e["per_service_date"].items():
        _, remaining = _deductible_on(s, _day(day), Notes())
        assert remaining == _money(after["deductible_remaining"])


def policy_539(case: Case) -> None:
    """539 Policy Effective is kept as the policy's date; the plan year is the 291 range."""
    s, e = _only(case), case.expected
    assert (s.plan.begin, s.plan.end) == (
        _day(e["plan_year"]["begin"]),
        _day(e["plan_year"]["end"]),
    )
    assert s.plan.policy_effective == _day(e["policy_effective"])
    _assert_accumulator(s.summary.out_of_pocket.in_network.individual, e["medical"]["oop_max_ind"])


def benefit_292(case: Case) -> None:
    """A 2110 DTP*292 bounds the line it follows only (pharmacy), not the medical lines."""
    s, e = _only(case), case.expected
    day = date(2026, 12, 14)
    status_lines = [b for b in s.benefits if b.code == "1"]
    for line, want in zip(status_lines, e["lines"], strict=True):
        assert list(line.service_types) == want["stc"]
        assert s.active_on(line, day) is want["active_on_2026-12-14"]
    [pharmacy] = _lines(s, "1", "88")
    assert (pharmacy.benefit_begin, pharmacy.benefit_end) == (date(2026, 1, 1), date(2026, 6, 30))
    assert s.active_on(pharmacy, day) is e["pharmacy_benefit_active"]
    assert s.active_on(status_lines[0], day) is e["medical_benefit_active"]


def benefit_348_349(case: Case) -> None:
    """348/349 bound the home health (42) benefit; the copay line after it keeps the plan's."""
    s, e = _only(case), case.expected
    [home_health] = _lines(s, "1", "42")
    want = e["lines"][0]
    assert home_health.benefit_begin == _day(want["benefit_begin"])
    assert home_health.benefit_end == _day(want["benefit_end"])
    [copay] = _lines(s, "B", "42")
    assert copay.amount == _money(e["lines"][1]["copay"]) and copay.time_period == "27"
    assert copay.dates == ()
    assert (s.plan.begin, s.plan.end) == (date(2026, 1, 1), date(2026, 12, 31))
    for day, after in e["per_service_date"].items():
        assert s.active_on(home_health, _day(day)) is after["home_health_active"]


def eb06_periods(case: Case) -> None:
    """Each EB06 read for what it is per; the per-day copay prices the drug per day."""
    s, e = _only(case), case.expected
    for want in e["cost_shares"]:
        [line] = _lines(s, KINDS[want["type"]], want["stc"])
        assert line.amount == _money(want["amount"])
        assert line.time_period == PERIODS[want["per"]]
        assert line.in_network is want["in_network"]
    for want in e["limits"]:
        [line] = [b for b in _lines(s, "F", want["stc"]) if b.amount == _money(want["amount"])]
        assert line.time_period == PERIODS[want["per"]]
    # the lifetime maximum is never an annual out-of-pocket maximum
    assert s.summary.out_of_pocket.in_network.individual.total is None
    drug = reported_rule(s, Component.DRUG, True)
    assert drug is not None and (drug.copay, drug.per) == (Decimal("20"), "day")
    assert drug.segments == ("EB*B*IND*1*PR**7*20*****Y",)
    nursing = reported_rule(s, Component.NURSING, True)
    assert nursing is not None and (nursing.copay, nursing.per) == (Decimal("35"), "visit")
    # 1,000,000 - 982,500 = 17,500 used toward the lifetime limit
    lifetime = {b.time_period: b.amount for b in _lines(s, "F", "30")}
    assert lifetime["32"] - lifetime["33"] == Decimal("17500")


def eb04_not_inherited(case: Case) -> None:
    """A line without EB04/EB05 states none: it does not inherit the line before it."""
    s, e = _only(case), case.expected
    for line, want in zip(s.benefits, e["lines"], strict=True):
        assert line.code == want["eb01"]
        assert list(line.service_types) == want["stc"]
        assert line.insurance_type == want["insurance_type"]
        if "plan_description" in want:
            assert line.plan_description == want["plan_description"]
        if "copay" in want:
            assert line.amount == _money(want["copay"]) and line.time_period == "27"
    assert s.benefits[2].coverage is None


def medical_and_pharmacy(case: Case) -> None:
    """Pharmacy (88) lines are the pharmacy benefit's; the J-code drug takes the medical ones."""
    s, e = _only(case), case.expected
    _assert_accumulator(s.summary.deductible.in_network.individual, e["medical"]["deductible_ind"])
    pharmacy = {b.time_period: b.amount for b in _lines(s, "C", "88")}
    assert all(b.domain == "pharmacy" for b in _lines(s, "C", "88"))
    want = e["pharmacy"]["deductible_ind"]
    assert (pharmacy["23"], pharmacy["29"]) == (_money(want["total"]), _money(want["remaining"]))
    retail = pharmacy_rule(s, True)
    assert (
        retail is not None and _percent(retail.coinsurance) == e["pharmacy"]["coinsurance_percent"]
    )
    assert reported_rule(s, Component.DRUG, True) is None  # never the 25% pharmacy coinsurance


def vision_not_plan_level(case: Case) -> None:
    """Vision (AL) amounts stay vision's; the medical deductible is unknown, and an estimate
    that needs it says so."""
    s, e = _only(case), case.expected
    vision = {b.time_period: b.amount for b in _lines(s, "C", "AL")}
    want = e["vision"]["deductible_ind"]
    assert (vision["23"], vision["29"]) == (_money(want["total"]), _money(want["remaining"]))
    assert s.summary.deductible.in_network.individual.total is e["medical"]["deductible_ind"]
    start = start_pool("deductible", True, s.summary.deductible.in_network)
    assert start.uncertain and "reported no in-network deductible" in start.notes[0]


def narrow_home_health(case: Case) -> None:
    """The 42 coinsurance is for home health (nursing); the drug takes the plan level (30)."""
    s, e = _only(case), case.expected
    drug = reported_rule(s, Component.DRUG, True)
    nursing = reported_rule(s, Component.NURSING, True)
    assert drug is not None and nursing is not None
    assert _percent(drug.coinsurance) == e["drug_line_coinsurance_percent"]
    assert drug.plan_level
    assert _percent(nursing.coinsurance) == e["nursing_visit_coinsurance_percent"]


def _rejected(case: Case) -> BenefitsSummary:
    s, e = _only(case), case.expected
    assert s.status is CoverageStatus.REJECTED
    assert s.status is not CoverageStatus.ACTIVE
    assert s.benefits == ()
    assert len(e.get("benefit_lines", [])) == 0
    return s


def aaa_subscriber(case: Case) -> None:
    """A 2100C AAA: rejected (not active, and not 'inactive': the member was not found)."""
    s, e = _rejected(case), case.expected
    [r] = s.rejections
    assert (r.code, r.follow_up, r.loop) == (
        e["reject_reason"].split()[0],
        e["follow_up"][0],
        "2100C",
    )


def aaa_invalid_dob(case: Case) -> None:
    """AAA01 N: the request was invalid; correct and resubmit, not a retry unchanged."""
    s, e = _rejected(case), case.expected
    [r] = s.rejections
    assert (r.code, r.follow_up, r.valid_request) == (
        e["reject_reason"].split()[0],
        e["follow_up"],
        False,
    )
    assert not payer_says_retry(case.input["x12"])


def network_per_line(case: Case) -> None:
    """EB12 per line: Y in network, N out of network, W both (network not applicable)."""
    s, e = _only(case), case.expected
    inn, out = s.summary.deductible.in_network, s.summary.deductible.out_of_network
    assert inn.individual.total == _money(e["in_network"]["deductible_ind"])
    assert out.individual.total == _money(e["out_of_network"]["deductible_ind"])
    assert _percent(s.coinsurance.in_network) == _money(e["in_network"]["coinsurance_percent"])
    assert _percent(s.coinsurance.out_of_network) == _money(
        e["out_of_network"]["coinsurance_percent"]
    )
    oop = _money(e["network_not_applicable"]["oop_max_ind"])
    assert s.summary.out_of_pocket.in_network.individual.total == oop
    assert s.summary.out_of_pocket.out_of_network.individual.total == oop


def pharmacy_carved_out(case: Case) -> None:
    """EB*U for 88 with its 2120 entity stays on the summary, for the PBM route."""
    s, e = _only(case), case.expected
    assert s.status is CoverageStatus.ACTIVE and _covered(s, "30") is e["medical_benefit_active"]
    [contact] = _lines(s, "U", "88")
    assert contact.domain == "pharmacy"
    [entity] = contact.related_entities
    want = e["pharmacy"]
    assert (entity.name, entity.id, entity.contact) == (
        want["administrator"],
        want["id"],
        want["contact"],
    )
    assert pharmacy_rule(s, True) is e["pharmacy_cost_shares_from_this_271"]


def dependent_loop(case: Case) -> None:
    """The dependent's 2100D dates and 2110D lines are the patient's; the lower of IND and FAM
    remaining binds."""
    s, e = _only(case), case.expected
    assert s.is_dependent and s.patient.first_name == "AVA"
    assert (s.plan.begin, s.plan.end) == (
        _day(e["plan_year"]["begin"]),
        _day(e["plan_year"]["end"]),
    )
    assert s.plan.dates_from == "2100D DTP*346/DTP*347"
    _assert_levels(s.summary.deductible.in_network, e["deductible"])
    pool = start_pool("deductible", True, s.summary.deductible.in_network).pool
    assert pool.remaining == _money(e["patient_deductible_remaining"])  # min(500, 1100)


def _assert_levels(levels: ByLevel, want: Mapping[str, Any]) -> None:
    assert levels.individual.total == _money(want["ind_total"])
    assert levels.individual.remaining == _money(want["ind_remaining"])
    assert levels.family.total == _money(want["fam_total"])
    assert levels.family.remaining == _money(want["fam_remaining"])


def inactive(case: Case) -> None:
    """EB*6: inactive, whatever plan date is present; 357 is the eligibility end."""
    s, e = _only(case), case.expected
    assert s.status is CoverageStatus.INACTIVE
    assert s.plan.eligibility_end == _day(e["eligibility_end"])
    assert s.plan.begin == _day(e["plan_year"]["begin"])


def ind_met_fam_remaining(case: Case) -> None:
    """IND met (0 left) binds over FAM 750 left: min(0, 750) = 0."""
    s, e = _only(case), case.expected
    _assert_levels(s.summary.deductible.in_network, e["deductible"])
    pool = start_pool("deductible", True, s.summary.deductible.in_network).pool
    assert pool.remaining == _money(e["patient_deductible_remaining"])


def told_apart(case: Case) -> None:
    """Medical (1), pharmacy (88), dental (35) and vision (AL) each on their own lines; the dental
    50% and $50 never price the infusion drug."""
    s, e = _only(case), case.expected
    want = e["benefits"]
    for service_type, domain in (
        ("1", "medical"),
        ("88", "pharmacy"),
        ("35", "dental"),
        ("AL", "vision"),
    ):
        assert _covered(s, service_type) is want[domain]["active"]
    assert s.summary.deductible.in_network.individual.total == _money(
        want["medical"]["deductible_ind"]
    )
    dental = [b for b in s.benefits if b.domain == "dental"]
    assert {b.code: b.amount or b.percent for b in dental} == {
        "C": _money(want["dental"]["deductible_ind"]),
        "A": _money(want["dental"]["coinsurance_percent"]) / 100,
    }
    assert reported_rule(s, Component.DRUG, True) is None


def visit_limit_hsd(case: Case) -> None:
    """HSD*VS*30***22: 30 visits per service year; EB*F with EB09 VS: 12 visits left (not $12)."""
    s, e = _only(case), case.expected
    want = e["home_health"]
    nursing = reported_rule(s, Component.NURSING, True)
    assert nursing is not None and (nursing.copay, nursing.per) == (
        _money(want["copay"]),
        want["per"],
    )
    limits = {(v.time_period, v.quantity) for v in s.visit_limits}
    assert (PERIODS[want["limit_period"]], _money(want["visit_limit"])) in limits
    assert ("29", _money(want["visits_remaining"])) in limits
    [left] = _lines(s, "F", "42")
    assert left.amount is None and left.quantity_qualifier == "VS"


def not_reported_not_borrowed(case: Case) -> None:
    """Only MH has a coinsurance: the medical one is unknown, and an estimate assumes one,
    named, at lowered confidence rather than borrowing 30%."""
    s, e = _only(case), case.expected
    _assert_accumulator(s.summary.deductible.in_network.individual, e["medical"]["deductible_ind"])
    assert s.coinsurance.in_network is e["medical"]["coinsurance_percent"]
    assert reported_rule(s, Component.DRUG, True) is None
    rule = medical_rule(s, Component.DRUG, True, Decimal("0.2"))
    assert rule.assumed and "assumed" in rule.source and rule.coinsurance != Decimal("0.3")


def aaa_42(case: Case) -> None:
    """2100A AAA 42: the payer could not answer; unknown (neither active nor inactive), retry."""
    s, e = _only(case), case.expected
    assert s.status not in (CoverageStatus.ACTIVE, CoverageStatus.INACTIVE)
    assert s.benefits == () and e["benefit_lines"] == []
    [r] = s.rejections
    assert (r.code, r.follow_up, r.loop) == ("42", "R", "2100A")
    assert payer_says_retry(case.input["x12"]) is e["retryable"]


def non_covered_home_health(case: Case) -> None:
    """EB*I for 42: home health not covered although the plan (30, 1, 88) is active."""
    s, e = _only(case), case.expected
    assert s.status is CoverageStatus.ACTIVE
    assert _covered(s, "42") is e["home_health_42_covered"]
    assert _covered(s, "1") is e["medical_1_covered"]
    assert _covered(s, "88") is e["pharmacy_88_covered"]
    nursing = reported_rule(s, Component.NURSING, True)
    assert nursing is not None and nursing.not_covered


def eb11_per_line(case: Case) -> None:
    """EB11 and EB12 on each line separately: Y yes, N no, U unknown, absent not stated."""
    s, e = _only(case), case.expected
    answers = {"yes": True, "no": False, "unknown": None, "not stated": None}
    by_type = {b.service_types[0]: b for b in s.benefits}
    for service_type, word in e["authorization_required"].items():
        assert by_type[str(service_type)].auth_required is answers[word]
    for service_type, network in e["in_network"].items():
        assert by_type[str(service_type)].in_network is network


CHECKS: dict[str, Callable[[Case], None]] = {
    "x12-plan-291-rd8-non-calendar-plan-year": plan_291,
    "x12-plan-begin-end-346-347-vs-eligibility-begin-356": plan_346_347,
    "x12-no-plan-dates-service-year-assumed": no_plan_dates,
    "x12-calendar-year-eb06-23-needs-no-plan-dates": calendar_year_23,
    "x12-policy-effective-539-is-not-plan-year": policy_539,
    "x12-benefit-dtp-292-on-2110-narrows-pharmacy": benefit_292,
    "x12-benefit-begin-end-348-349-home-health": benefit_348_349,
    "x12-eb06-time-periods-applied-per-unit": eb06_periods,
    "x12-eb04-not-inherited-from-previous-line": eb04_not_inherited,
    "x12-medical-and-pharmacy-deductibles-kept-apart": medical_and_pharmacy,
    "x12-vision-deductible-not-plan-level": vision_not_plan_level,
    "x12-narrow-home-health-coinsurance-not-plan-level": narrow_home_health,
    "x12-aaa-subscriber-rejected-not-active": aaa_subscriber,
    "x12-aaa-n-invalid-request-dob": aaa_invalid_dob,
    "x12-network-per-line-eb12": network_per_line,
    "x12-pharmacy-carved-out-to-pbm": pharmacy_carved_out,
    "x12-dependent-loop-2000d-dates-and-benefits": dependent_loop,
    "x12-inactive-eb6-with-eligibility-end": inactive,
    "x12-ind-deductible-met-fam-remaining": ind_met_fam_remaining,
    "x12-dental-vision-pharmacy-medical-told-apart": told_apart,
    "x12-visit-limit-hsd-per-service-year": visit_limit_hsd,
    "x12-cost-share-not-reported-not-borrowed": not_reported_not_borrowed,
    "x12-aaa-42-payer-unable-to-respond-unknown-not-inactive": aaa_42,
    "x12-plan-active-home-health-non-covered-eb-i": non_covered_home_health,
    "x12-eb11-authorization-required-per-line": eb11_per_line,
}


def test_every_case_has_a_check() -> None:
    """Given the case book, when its cases are listed, then each has its own check (a case
    added to the YAML without one fails here rather than passing unseen)."""
    assert {p.values[0].id for p in params("x12_271.yaml")} == set(CHECKS)


@pytest.mark.parametrize("case", params("x12_271.yaml"))
def test_case(case: Case) -> None:
    """Given a 271 written from the X279 guide, when it is read as the benefits check reads
    it, then the case's expected figures hold (see each check's docstring for what it reads)."""
    CHECKS[case.id](case)
