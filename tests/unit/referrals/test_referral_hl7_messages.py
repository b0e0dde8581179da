"""HL7 v2 REF^I12, RDE^O11 and ORM^O01 mapping details."""

from __future__ import annotations

from pathlib import Path

from intake.referrals import parse_referral_document


def _parse(path: Path) -> object:
    return parse_referral_document(path.read_bytes())


def test_rde_o11_reads_the_infusion_order(hl7_fixtures: Path) -> None:
    # Given an RDE^O11 (RXE give code with NDC, RXR route, TQ1 timing, RXC components)
    outcome = parse_referral_document((hl7_fixtures / "rde-o11-tocilizumab-zh.hl7").read_bytes())
    # When read / Then the therapy comes from the pharmacy segments
    assert outcome.referral is not None, outcome.problems
    therapy = outcome.referral.therapy
    assert therapy.ndc == "50242013801"
    assert therapy.drug_name == "Tocilizumab (Actemra) 80 mg/4 mL vial"
    assert (therapy.dose, therapy.route) == ("8 mg/kg", "IV")
    assert (therapy.frequency, therapy.duration) == ("every 4 weeks", "6 months")
    assert therapy.start_date is not None and therapy.start_date.isoformat() == "2025-05-01"
    assert [d.code for d in outcome.referral.diagnoses] == ["M05.79"]  # from RXE-27
    assert outcome.referral.prescriber.npi == "1982736450"  # ORC-12 XCN with NPI
    assert outcome.referral.prescriber.fax == "6175550121"
    assert outcome.referral.patient.preferred_language.value == "zh"
    assert "患者偏好普通话" in (outcome.referral.clinical_notes or "")


def test_orm_o01_reads_rxo_obr_and_old_tq_timing(hl7_fixtures: Path) -> None:
    # Given a v2.3 ORM^O01 with ORC-7 TQ timing, OBR-4 HCPCS and RXO drug, a dependent patient
    outcome = parse_referral_document((hl7_fixtures / "orm-o01-ivig-es.hl7").read_bytes())
    # When read
    assert outcome.referral is not None, outcome.problems
    referral = outcome.referral
    # Then every piece is mapped, and the ICD-9 DG1 is skipped
    assert (referral.therapy.hcpcs, referral.therapy.ndc) == ("J1561", "13533080040")
    assert referral.therapy.dose == "0.4 g/kg"
    assert (referral.therapy.frequency, referral.therapy.duration) == ("every 4 weeks", "6 months")
    assert [d.code for d in referral.diagnoses] == ["D80.1"]
    assert referral.insurance.relationship.value == "spouse"
    assert referral.insurance.subscriber is not None
    assert referral.insurance.subscriber.first_name == "María"
    assert referral.patient.first_name == "José" and referral.patient.last_name == "Muñoz"


def test_complete_ref_i12_yields_a_full_referral(hl7_fixtures: Path) -> None:
    # Given a REF^I12 carrying the order in PR1/OBR and OBX observations
    outcome = parse_referral_document((hl7_fixtures / "ref-i12-complete.hl7").read_bytes())
    # When read / Then it is complete, including the site of care
    assert outcome.referral is not None, outcome.problems
    assert outcome.referral.therapy.site_of_care.value == "infusion_suite"
    assert outcome.referral.therapy.frequency == "every 4 weeks"
    assert outcome.referral.clinic_reference == "WSI-REF-7"
    assert outcome.referral.referring_clinic.npi == "1982736450"


def test_custom_separators_and_escapes(hl7_fixtures: Path) -> None:
    # Given the ORM re-encoded with other separators (MSH-1 '#', components '!') and an escape
    text = (hl7_fixtures / "orm-o01-ivig-es.hl7").read_text(encoding="utf-8")
    text = text.replace("|", "#").replace("^", "!").replace("MSH#!~\\&", "MSH#!~\\&", 1)
    text = text.replace("IgG trough 410 mg/dL.", "IgG \\T\\ albumin checked.")
    # When read
    outcome = parse_referral_document(text.encode("utf-8"))
    # Then the same fields come out and the escape is decoded
    assert outcome.referral is not None, outcome.problems
    assert outcome.referral.therapy.hcpcs == "J1561"
    assert "IgG & albumin checked." in (outcome.referral.clinical_notes or "")


def test_lf_line_endings_and_mllp_framing(events_dir: Path) -> None:
    # Given an RDE saved with LF line ends and wrapped in MLLP framing bytes
    text = (events_dir / "23-hl7-rde-o11.hl7").read_text(encoding="utf-8").replace("\r", "\n")
    data = b"\x0b" + text.encode() + b"\x1c\r"
    # When read / Then it parses as well
    outcome = parse_referral_document(data)
    assert outcome.referral is not None
    assert outcome.referral.therapy.ndc == "57894003001"


def test_bad_npi_and_date_go_to_review(events_dir: Path) -> None:
    # Given a REF^I12 with a mistyped NPI and an impossible birth date
    text = (events_dir / "22-hl7-ref-i12.hl7").read_text(encoding="utf-8")
    text = text.replace("1234567893^NPI", "1234567890^NPI").replace("|19680314|M|", "|19681344|M|")
    # When read
    outcome = parse_referral_document(text.encode())
    # Then it is readable but in review, with plain-word problems
    assert outcome.readable and outcome.referral is None
    assert "prescriber.npi" in outcome.fields_missing
    assert "patient.date_of_birth" in outcome.fields_missing
    assert any("check digit" in p for p in outcome.problems)
