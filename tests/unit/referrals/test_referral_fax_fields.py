"""Labelled-form field extraction and confidences (text layer and a scripted OCR engine)."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake.referrals import OcrLine, OcrPage, OcrWord, parse_referral_document
from intake.referrals.fields import extract_fields, lines_from_ocr, lines_from_text

FORM = """\
03/02/2025 10:14 AM FROM: Lakeside Gastroenterology FAX: (217) 555-0101 P. 1/1
PATIENT INFORMATION
Patient Name: Muñoz, José A DOB: 11/02/1965
Sex: Male Language: Spanish
Address: 2918 S Pulaski Rd, Apt 2, Chicago, IL 60623
Phone: (773) 555-0177
INSURANCE
Insurance/Payer: Sandbox Health PPO Payer ID: SBX01
Member ID: SBXPPO5521 Group #: GRP-12001
Relationship to Subscriber: Spouse
Subscriber Name: María Muñoz
PRESCRIBER
Prescriber: Dr. Grace Okafor, MD NPI: 1674529387
Phone: 773-555-0150 Fax: 773-555-0151
ORDER
Drug: Immune globulin (Gamunex-C) HCPCS: J1561
Dose: 0.4 g/kg Route: Intravenous
Frequency: every 4 weeks Duration: 6 months
Site of Care: Ambulatory infusion suite
ICD-10: D80.1 Nonfamilial hypogammaglobulinemia; J32.9 Chronic sinusitis
Notes: IgG trough 410 mg/dL.
Recurrent sinopulmonary infections.
REFERRING CLINIC
Clinic: Westside Immunology NPI: 1982736450
Phone: (773) 555-0100
"""


class ScriptedOcr:
    """An OcrEngine that 'reads' fixed lines with chosen word confidences."""

    name = "scripted"

    def __init__(self, text: str, confidence: float, low: dict[str, float] | None = None) -> None:
        low = low or {}
        self.page = OcrPage(
            tuple(
                OcrLine(tuple(OcrWord(w, low.get(w, confidence)) for w in line.split()))
                for line in text.splitlines()
                if line.strip()
            )
        )
        self.calls = 0

    def recognize(self, image: bytes, *, timeout_s: float) -> OcrPage:
        assert image.startswith(b"\x89PNG") and timeout_s > 0
        self.calls += 1
        return self.page


def test_text_layer_form_reads_every_field_with_high_confidence() -> None:
    # Given the text of an e-faxed form (two label columns, sections, a continued note)
    extraction = extract_fields(lines_from_text(FORM))
    draft = extraction.draft
    # Then generic labels take their section's meaning and values are normalized
    assert draft["patient"]["first_name"] == "José" and draft["patient"]["last_name"] == "Muñoz"
    assert draft["patient"]["date_of_birth"] == "1965-11-02"
    assert draft["patient"]["address"]["line2"] == "Apt 2"
    assert draft["insurance"]["relationship"] == "spouse"
    assert draft["insurance"]["subscriber"] == {"first_name": "María", "last_name": "Muñoz"}
    assert draft["prescriber"]["phone"] == "773-555-0150"
    assert draft["prescriber"]["credentials"] == "MD"
    assert draft["referring_clinic"]["phone"] == "(773) 555-0100"
    assert draft["referring_clinic"]["fax"] == "(217) 555-0101"  # from the fax header line
    assert draft["therapy"]["route"] == "IV"
    assert draft["therapy"]["site_of_care"] == "infusion_suite"
    assert [d["code"] for d in draft["diagnoses"]] == ["D80.1", "J32.9"]
    assert draft["clinical_notes"].endswith("Recurrent sinopulmonary infections.")
    assert set(extraction.confidence.values()) == {0.99}


def test_bad_npi_check_digit_lowers_the_field_confidence() -> None:
    # Given the same form with a mistyped prescriber NPI
    extraction = extract_fields(lines_from_text(FORM.replace("1674529387", "1674529388")))
    # Then that one field drops below any review threshold while the rest stay high
    assert extraction.confidence["prescriber.npi"] <= 0.5
    assert extraction.confidence["referring_clinic.npi"] == 0.99


def test_ocr_confidence_flows_to_fields_and_low_ones_go_to_review(tmp_path: Path) -> None:
    # Given a scanned page whose member ID the engine read unsurely
    from intake_local.samples.make_faxes import efax_pdf, scanned_pdf

    scan = scanned_pdf(efax_pdf())
    engine = ScriptedOcr(FORM, 0.93, low={"SBXPPO5521": 0.41})
    # When parsed with that engine
    outcome = parse_referral_document(scan, ocr=engine)
    # Then the field confidence is the engine's, and the member ID awaits a person
    assert engine.calls == 1
    assert outcome.readable and outcome.referral is None
    assert outcome.confidence["insurance.member_id"] == pytest.approx(0.41)
    assert outcome.confidence["patient.last_name"] == pytest.approx(0.93)
    assert "insurance.member_id" in outcome.fields_missing
    assert any("low confidence" in p for p in outcome.problems)
    # And a lower threshold lets the same read through
    relaxed = parse_referral_document(scan, ocr=engine, min_confidence=0.4)
    assert relaxed.referral is not None


def test_ocr_speckles_are_dropped_but_label_marks_kept() -> None:
    # Given OCR words with dust ("ee", "-") and a label split as "Group" "#:"
    page = OcrPage(
        (
            OcrLine((OcrWord("ee", 0.3), OcrWord("-", 0.2))),
            OcrLine(
                (
                    OcrWord("Member", 0.95),
                    OcrWord("ID:", 0.9),
                    OcrWord("SBXPPO1234", 0.9),
                    OcrWord("Group", 0.9),
                    OcrWord("#:", 0.9),
                    OcrWord("GRP-1", 0.9),
                )
            ),
        )
    )
    # When turned into lines and fields
    draft = extract_fields(lines_from_ocr(page)).draft
    # Then the dust is gone and the two fields stay apart
    assert draft["insurance"] == {"member_id": "SBXPPO1234", "group_number": "GRP-1"}


def test_vocabulary_terms_read_short_are_trusted() -> None:
    # Given OCR that scores the short word "IV" low (as Tesseract does)
    page = OcrPage(
        (
            OcrLine((OcrWord("Route:", 0.96), OcrWord("IV", 0.7))),
            OcrLine((OcrWord("Dose:", 0.96), OcrWord("5", 0.7))),
        )
    )
    confidence = extract_fields(lines_from_ocr(page)).confidence
    # Then a known route is raised, a free value is not
    assert confidence["therapy.route"] == 0.9
    assert confidence["therapy.dose"] == 0.7


def test_text_layer_pdf_with_spanish_names(tmp_path: Path) -> None:
    # Given an e-fax PDF (Latin-1 core font) with José Muñoz on it
    from fpdf import FPDF

    pdf = FPDF(format="letter", unit="pt")
    pdf.add_page()
    pdf.set_font("Helvetica", "", 11)
    for i, line in enumerate(FORM.splitlines()):
        pdf.text(40, 40 + 16 * i, line)
    # When parsed / Then the names come through the text layer intact
    outcome = parse_referral_document(bytes(pdf.output()))
    assert outcome.referral is not None, outcome.problems
    assert (outcome.referral.patient.first_name, outcome.referral.patient.last_name) == (
        "José",
        "Muñoz",
    )


def test_ocr_page_timeout_is_a_plain_problem(events_dir: Path, tesseract: object) -> None:
    # Given a per-page OCR budget far too small for Tesseract
    from intake.referrals import Limits

    limits = Limits(ocr_page_timeout_s=0.01)
    # When the scan is parsed
    outcome = parse_referral_document(
        (events_dir / "21-fax-scanned.pdf").read_bytes(),
        ocr=tesseract,  # type: ignore[arg-type]
        limits=limits,
    )
    # Then the file is quarantined with the timeout in plain words
    assert not outcome.readable
    assert any("OCR took longer than" in p for p in outcome.problems), outcome.problems
    # And the outcome says it ran out of time, so intake reads it again before quarantining
    assert outcome.timed_out
