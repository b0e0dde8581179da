"""Evidence dates in the notes (TB test, hepatitis B, labs) older than 12 months before the
referral's receipt are flagged in the letter and the checklist, not ticked as present. A current
mention in the notes is a quote to confirm, never ticked as an attached result (issue 22)."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date

import pytest
from pypdf import PdfReader

from intake.authorization.packet import Pharmacy, decide_prior_auth
from intake.authorization.packet.letter import evidence_checklist, necessity_letter
from intake.models.referral import Referral
from tests.unit.prior_auth.conftest import benefits_with, packet_for

Load = Callable[[str], Referral]
NOTES = (
    "Failed adalimumab 2019-03-01 after 9 months. TB test negative 2025-02-10. "
    "Hepatitis B surface antigen negative 11/20/2026."
)
RECEIVED = date(2026, 11, 30)


@pytest.fixture
def referral(load_referral: Load) -> Referral:
    # sample 01: infliximab (J1745) at SBX01, whose policy asks for TB, hepatitis B, prior
    # therapy failure and weight
    return load_referral("01-ppo-deductible-coinsurance.json").model_copy(
        update={"clinical_notes": NOTES}
    )


def test_given_old_tb_test_when_checked_then_flagged_not_ticked(referral: Referral) -> None:
    # Given notes with a TB test 21 months before receipt and a recent hepatitis B screen
    decision = decide_prior_auth(referral, benefits_with())
    # When the checklist is made against the receipt date
    checks = {c.item: c for c in evidence_checklist(referral, decision, received_on=RECEIVED)}
    # Then the TB test is flagged for a current result, the rest quoted to confirm
    tb = checks["TB test"]
    assert not tb.present and tb.stale
    assert tb.note == "dated 2025-02-10, over 12 months old: a current result is needed"
    hep_b = checks["Hepatitis B screen"]
    assert hep_b.to_confirm and not hep_b.present and not hep_b.stale
    assert hep_b.dated == date(2026, 11, 20)
    # prior therapy history stays valid however old
    prior = checks["Prior therapy failure"]
    assert prior.to_confirm and not prior.stale


@pytest.mark.parametrize(
    ("tested", "stale"), [("2025-11-30", False), ("2025-11-29", True), ("2026-11-30", False)]
)
def test_given_test_date_at_the_12_month_edge_when_checked_then_exact(
    referral: Referral, tested: str, stale: bool
) -> None:
    notes = f"TB test (QuantiFERON) negative {tested}."
    referral = referral.model_copy(update={"clinical_notes": notes})
    decision = decide_prior_auth(referral, benefits_with())
    tb = next(
        c
        for c in evidence_checklist(referral, decision, received_on=RECEIVED)
        if c.item == "TB test"
    )
    assert (tb.stale, tb.to_confirm, tb.present) == (stale, not stale, False)


def test_given_earlier_receipt_when_checked_then_same_test_is_current(referral: Referral) -> None:
    # the receipt date is the caller's, not the clock: received in March 2025, it was current
    decision = decide_prior_auth(referral, benefits_with())
    checks = evidence_checklist(referral, decision, received_on=date(2025, 3, 1))
    tb = next(c for c in checks if c.item == "TB test")
    assert tb.to_confirm and not tb.stale


def test_given_old_tb_test_when_letter_written_then_it_names_the_stale_result(
    referral: Referral,
) -> None:
    decision = decide_prior_auth(referral, benefits_with())
    letter = necessity_letter(
        referral, "Pharmacy", RECEIVED, received_on=RECEIVED, decision=decision
    )
    assert (
        "Evidence dates: TB test dated 2025-02-10, over 12 months old: a current result is "
        "needed." in letter
    )


def test_given_old_tb_test_when_packet_built_then_checklist_unticked_with_the_reason(
    referral: Referral, pharmacy: Pharmacy
) -> None:
    packet = packet_for(referral, pharmacy, received_on=RECEIVED)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(packet.pdf)).pages)
    flat = " ".join(text.split())
    # (criteria.json anti_tnf: TB screening at most 365 days old; 2025-02-10 is 658 days
    # before 2026-11-30)
    assert (
        "[ ] TB screening (IGRA/PPD), within 12 months - dated 2025-02-10, more than 365 days "
        "before the referral: a current result is needed" in flat
    )
    assert (
        "[?] Hepatitis B screening (HBsAg, anti-HBc) - to confirm, free text (the referral: "
        "clinical notes, dated 2026-11-20)" in flat
    )
    assert "[x] Hepatitis B" not in flat
