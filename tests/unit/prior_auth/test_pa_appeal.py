"""The appeal letter answers the denial's reason (network, medical necessity, missing
information), mapped from reason codes by data, and names the real site of care."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

import pytest
from fpdf import FPDF
from pypdf import PdfReader

from intake.authorization.packet import Pharmacy, build_appeal_pdf, decide_prior_auth
from intake.authorization.packet.denials import DenialFamilies, denial_families
from intake.models.referral import Referral
from intake.x12.t278.decision import AuthDecision, LineDecision
from tests.unit.prior_auth.conftest import benefits_with

Load = Callable[[str], Referral]
NOW = datetime(2026, 12, 3, 10, 0)


@pytest.fixture
def original_packet() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="ORIGINAL PACKET PAGE")
    return bytes(pdf.output())


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)


def _denied(code: str | None, *, lines: tuple[LineDecision, ...] = ()) -> AuthDecision:
    return AuthDecision(
        status="denied",
        action_code="A3",
        review_number="SBXREV1",
        reason_code=code,
        reason="Out of network" if code == "09" else "Not certified",
        lines=lines,
    )


def _appeal_with_evidence(
    referral: Referral, answer: AuthDecision, original_packet: bytes, pharmacy: Pharmacy
) -> str:
    """The appeal's text when the documentation the payer asks for is checked against the
    referral (received 2026-11-30): the prior-auth decision on an active plan goes with it."""
    return _text(
        build_appeal_pdf(
            referral,
            answer,
            original_packet,
            pharmacy=pharmacy,
            now=NOW,
            pa_decision=decide_prior_auth(referral, benefits_with()),
            received_on=date(2026, 11, 30),
        )
    )


def test_given_network_denial_for_suite_patient_when_appealed_then_network_exception(
    load_referral: Load, pharmacy: Pharmacy, original_packet: bytes
) -> None:
    # Given sample 10 (ocrelizumab in an infusion suite) denied out of network (HCR03 09)
    referral = load_referral("10-slow-payer.json")
    # When the appeal is written
    text = _text(
        build_appeal_pdf(referral, _denied("09"), original_packet, pharmacy=pharmacy, now=NOW)
    )
    # Then it asks for a network exception with the three arguments, at the real site
    assert "Request for Network Exception (Single-Case Agreement)" in text
    assert "Continuity of care" in text
    assert "No in-network provider able to deliver the therapy in an ambulatory infusion suite" in (
        text
    )
    assert "hospital outpatient" in text and "in-network allowed amounts" in text
    assert "at home" not in text
    assert "ORIGINAL PACKET PAGE" in text  # the original packet follows


def test_given_medical_necessity_denial_when_appealed_then_clinical_argument_with_evidence(
    load_referral: Load, pharmacy: Pharmacy, original_packet: bytes
) -> None:
    # Given an infliximab referral whose TB test is old, denied with no reason code
    referral = load_referral("01-ppo-deductible-coinsurance.json").model_copy(
        update={"clinical_notes": "Failed adalimumab. TB test negative 2025-02-10."}
    )
    # When the appeal is written with the documentation the payer asks for
    text = _appeal_with_evidence(referral, _denied(None), original_packet, pharmacy)
    # Then it argues medical necessity with the evidence listed, at home
    assert "Request for Reconsideration" in text and "Network Exception" not in text
    assert "medically necessary" in text and "Diagnoses:" in text
    assert "Prior therapies: Failed adalimumab." in text
    assert "TB test - dated 2025-02-10, over 12 months old: a current result is needed" in text
    assert "Site of care (at home)" in text


def test_given_missing_information_rejection_when_appealed_then_what_is_now_attached(
    load_referral: Load, pharmacy: Pharmacy, original_packet: bytes
) -> None:
    referral = load_referral("01-ppo-deductible-coinsurance.json")
    rejected = AuthDecision(status="rejected", reason_code="15", reason="Required data missing")
    text = _appeal_with_evidence(referral, rejected, original_packet, pharmacy)
    assert "Additional Information - Prior Authorization Appeal" in text
    assert "It is now attached" in text
    # the notes' TB sentence is quoted to confirm, never listed as an attached result
    assert (
        "[?] TB test - mentioned in the notes, to be confirmed (not attached) (dated 2026-10-02)"
        in text
    )
    assert "[x] TB test" not in text


def test_given_partial_answer_when_appealed_then_lines_not_certified_are_listed(
    load_referral: Load, pharmacy: Pharmacy, original_packet: bytes
) -> None:
    lines = (
        LineDecision(
            procedure_code="J1745",
            status="modified",
            requested_units=Decimal(40),
            approved_units=Decimal(20),
            effective_from=date(2026, 12, 1),
            effective_to=date(2027, 5, 31),
        ),
        LineDecision(procedure_code="99601", status="denied", reason="Not certified"),
    )
    partial = AuthDecision(
        status="partial", action_code="A2", certification_number="C1", lines=lines
    )
    text = _text(
        build_appeal_pdf(
            load_referral("01-ppo-deductible-coinsurance.json"),
            partial,
            original_packet,
            pharmacy=pharmacy,
            now=NOW,
        )
    )
    assert "J1745: approved 20 of 40 units, 2026-12-01 to 2027-05-31" in text
    assert "99601: not certified (Not certified)" in text


@pytest.mark.parametrize(
    ("decision", "family"),
    [
        (_denied("09"), "network"),
        (_denied("0C"), "medical_necessity"),  # a known code with no family: the default
        (_denied(None), "medical_necessity"),
        (_denied("ZZ"), "medical_necessity"),
        (
            _denied(
                None,
                lines=(LineDecision(procedure_code="99601", status="denied", reason_code="09"),),
            ),
            "network",
        ),
        (AuthDecision(status="rejected", reason_code="15"), "missing_information"),
        (AuthDecision(status="rejected", reason_code="09"), "medical_necessity"),  # AAA 09
    ],
)
def test_given_reason_codes_when_classified_then_family_from_the_table(
    decision: AuthDecision, family: str
) -> None:
    assert denial_families().family_of(decision) == family


def test_given_payer_specific_table_when_classified_then_data_decides() -> None:
    # Given a companion guide's code added to the table (data, not code)
    table = denial_families().model_copy(
        update={"decision_reasons": {**denial_families().decision_reasons, "0C": "network"}}
    )
    assert isinstance(table, DenialFamilies)
    assert table.family_of(_denied("0C")) == "network"
