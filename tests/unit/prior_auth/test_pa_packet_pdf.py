"""The packet PDF: every field a reviewer needs, readable text, Unicode names, attachments."""

from __future__ import annotations

import io
from collections.abc import Callable

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader

from intake.authorization.packet import (
    Packet,
    Pharmacy,
    build_appeal_pdf,
)
from intake.authorization.packet import fonts as fonts_module
from intake.models.referral import Referral
from intake.x12.t278 import AuthDecision
from tests.unit.prior_auth.conftest import EVENTS, NOW, benefits_with, packet_for

Load = Callable[[str], Referral]


def _packet(referral: Referral, pharmacy: Pharmacy, original: str | None) -> Packet:
    return packet_for(
        referral,
        pharmacy,
        benefits_with((("42", "43"), True)),
        original_document=(EVENTS / original).read_bytes() if original else None,
        original_name=original or "none",
        trace_number="PATEST0001",
    )


def _text(pdf: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def test_given_chinese_patient_referral_when_packet_built_then_pdf_has_every_field(
    load_referral: Load,
    pharmacy: Pharmacy,
) -> None:
    # Given the auth-required sample (Chinese notes) and its JSON original
    referral = load_referral("03-auth-required-chinese.json")
    # When (its speed is a figure in `make bench`, not a test)
    packet = _packet(referral, pharmacy, "03-auth-required-chinese.json")
    text = _text(packet.pdf)
    # Then: cover sheet, patient, insurance, prescriber, drug, ICD-10, notes, letter, original
    for expected in (
        "FAX - Prior Authorization Request",
        "800-555-0198",
        pharmacy.name,
        "CONFIDENTIALITY",
        "Noah Chen",
        "1965-11-02",
        "SBP000000102",
        "Sandbox Health PPO",
        "Amelia Hart",
        "1234567893",
        "Immune globulin (human) 10%",
        "J1569",
        "0.4 g/kg",
        "IV",
        "every 4 weeks",
        "6 months",
        "Home (place of service 12)",
        "D80.1 - Nonfamilial hypogammaglobulinemia",
        "患者首选普通话",
        "Letter of Medical Necessity",
        "Prior therapies",
        "S9338",
        "99601",
        "Attachment: original referral",
        "LSC-2026-0003",
        "Immunoglobulin (IgG) levels",
    ):
        assert expected in text, expected
    pages = len(PdfReader(io.BytesIO(packet.pdf)).pages)
    assert f"{pages} (including this cover sheet)" in text


def test_given_packet_when_page_one_rendered_then_it_is_a_real_page_image(
    load_referral: Load,
    pharmacy: Pharmacy,
) -> None:
    packet = _packet(load_referral("02-hmo-copay-spanish.json"), pharmacy, None)
    page = pdfium.PdfDocument(packet.pdf)[0]
    image = page.render(scale=1).to_pil().convert("L")
    assert image.size[0] > 500 and image.size[1] > 700
    dark = sum(image.histogram()[:128])
    assert dark > 2000  # text was drawn, not a blank page
    assert "Sofía" in _text(packet.pdf)


def test_given_pdf_original_when_packet_built_then_its_pages_are_appended(
    load_referral: Load,
    pharmacy: Pharmacy,
) -> None:
    referral = load_referral("01-ppo-deductible-coinsurance.json")
    original = PdfReader(EVENTS / "20-fax-efax-text.pdf")
    packet = _packet(referral, pharmacy, "20-fax-efax-text.pdf")
    reader = PdfReader(io.BytesIO(packet.pdf))
    tail = reader.pages[-len(original.pages) :]
    total = len(reader.pages)
    first = total - len(original.pages) + 1
    for n, (page, source) in enumerate(zip(tail, original.pages, strict=True), start=first):
        # the original's text, page for page, stamped with the packet's numbering
        assert page.extract_text().startswith(source.extract_text())
        assert f"Page {n} of {total}" in page.extract_text()
    assert f"{total} (including this cover sheet)" in reader.pages[0].extract_text()
    # and no separator page before it: the page before the original is the letter's
    assert "Letter of Medical Necessity" in reader.pages[first - 2].extract_text()


def test_given_no_unicode_fonts_when_packet_built_then_transliterated_with_a_note(
    load_referral: Load,
    pharmacy: Pharmacy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a machine without TTF fonts (core Helvetica only)
    monkeypatch.setattr(fonts_module, "font_plan", lambda: fonts_module.FontPlan(None))
    monkeypatch.setattr("intake.authorization.packet.pdf.font_plan", fonts_module.font_plan)
    # When
    referral = load_referral("03-auth-required-chinese.json")
    # (an address with Chinese characters: the notes' Mandarin preference is left out of
    # the clinical pages, so it no longer carries the CJK text)
    address = referral.patient.address.model_copy(update={"line2": "公寓 2"})
    patient = referral.patient.model_copy(update={"address": address})
    packet = _packet(referral.model_copy(update={"patient": patient}), pharmacy, None)
    text = _text(packet.pdf)
    # Then the packet still builds, says what it lost, and keeps the Latin fields
    assert "Noah Chen" in text and "could not be printed" in text


def test_given_denial_when_appeal_built_then_letter_quotes_it_and_appends_packet(
    load_referral: Load,
    pharmacy: Pharmacy,
) -> None:
    referral = load_referral("01-ppo-deductible-coinsurance.json")
    packet = _packet(referral, pharmacy, None)
    denial = AuthDecision(
        status="denied",
        action_code="A3",
        review_number="SBX123",
        reason_code="0C",
        reason="Authorization/access restrictions",
    )
    appeal = build_appeal_pdf(
        referral,
        denial,
        packet.pdf,
        pharmacy=pharmacy,
        now=NOW,
        clinical_basis="Disease activity persists on current therapy.",
    )
    text = _text(appeal)
    assert "Prior Authorization Appeal" in text
    assert "Authorization/access restrictions; reason code 0C; review number SBX123" in text
    assert "Failed adalimumab after 9 months" in text
    n_packet = len(PdfReader(io.BytesIO(packet.pdf)).pages)
    assert len(PdfReader(io.BytesIO(appeal)).pages) == n_packet + 1
