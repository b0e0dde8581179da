"""The service plan applies the drug's label where the referral's order leaves a point open.

The reviewers' known failures: "300 mg x 2, then 600 mg" with "every 6 months" was refused at
the door, and the first 600 mg ocrelizumab dose was counted from infusion 2, moving a dose
into the next plan year. The OCREVUS label (section 2.3): 300 mg, then 300 mg two weeks later;
600 mg every 6 months (24 weeks), the first 24 weeks after infusion 1.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from intake.models.referral import Referral
from intake.referrals import parse_referral_document
from intake.therapy import plan_services

SAMPLES = Path(__file__).resolve().parents[3] / "events" / "referrals"


def _ocrelizumab(frequency: str) -> Referral:
    data = (SAMPLES / "37-ocrelizumab-loading-order.json").read_bytes()
    outcome = parse_referral_document(data)
    assert outcome.referral is not None, outcome.problems
    therapy = outcome.referral.therapy.model_copy(update={"frequency": frequency})
    return outcome.referral.model_copy(update={"therapy": therapy})


def test_given_loading_order_as_clinics_write_it_when_read_then_accepted() -> None:
    """Given the sample's "300 mg x 2, then 600 mg" every 6 months, when the referral is read,
    then it is a complete referral (not sent to review for its dose)."""
    outcome = parse_referral_document((SAMPLES / "37-ocrelizumab-loading-order.json").read_bytes())
    assert outcome.referral is not None, outcome.problems
    assert outcome.referral.therapy.dose == "300 mg x 2, then 600 mg"


def test_given_loading_count_without_days_when_planned_then_label_days_and_anchor() -> None:
    """Given no days for the two 300 mg doses and "every 6 months", when planned from
    2027-01-11 for 12 months, then the label fills both open points and says so:
    day 0 and day 14 (2027-01-25); 600 mg at 2027-01-11 + 168 d = 2027-06-28 (from infusion 1,
    not 2027-01-25 + 168 d = 2027-07-12) and 2027-06-28 + 168 d = 2027-12-13 (before the
    course ends 2028-01-11): 300 + 300 + 600 + 600 = 1,800 mg = 1,800 units of J2350."""
    plan = plan_services(_ocrelizumab("every 6 months"), date(2027, 1, 11))
    assert plan.dose_dates == (
        date(2027, 1, 11),
        date(2027, 1, 25),
        date(2027, 6, 28),
        date(2027, 12, 13),
    )
    assert [d.dose for d in plan.days] == [300, 300, 600, 600]
    assert plan.lines[0].units == 1800
    assert any("days 0, 14" in n and "section 2.3" in n for n in plan.notes)
    assert any("from the first infusion" in n for n in plan.notes)


def test_given_order_with_its_own_days_when_planned_then_the_order_is_kept() -> None:
    """Given "days 1 and 15, then every 6 months", when planned, then the order's days stand
    (day 15 = 2027-01-25) and only what it leaves open (the anchor, 24 weeks) is the label's."""
    plan = plan_services(_ocrelizumab("days 1 and 15, then every 6 months"), date(2027, 1, 11))
    assert plan.dose_dates[:3] == (date(2027, 1, 11), date(2027, 1, 25), date(2027, 6, 28))
    assert not any("days 0, 14" in n for n in plan.notes)
