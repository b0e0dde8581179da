"""Format detection by content and text decoding (BOMs, UTF-16, Latin-1), names kept intact."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from intake.referrals import DocumentFormat, detect, detect_format, parse_referral_document
from intake.referrals.decode import decode_text

NAMES = ("王小明", "José Muñoz")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", DocumentFormat.PDF),
        (b"junk before the header\n%PDF-1.4\n", DocumentFormat.PDF),
        (b"MSH|^~\\&|A|B|C|D|20250101||REF^I12|1|P|2.5\rPID|1\r", DocumentFormat.HL7V2),
        (b"MSH#^~\\&#A#B\rPID#1\r", DocumentFormat.HL7V2),
        (b"\x0bMSH|^~\\&|A\rPID|1\r\x1c\r", DocumentFormat.HL7V2),
        (b'{"resourceType": "Bundle", "entry": []}', DocumentFormat.FHIR),
        (b'  {"patient": {}, "insurance": {}}', DocumentFormat.JSON),
        (
            b"ISA*00*          *00*          *ZZ*A*ZZ*B*250101*1200*^*00501*1*0*P*:~",
            DocumentFormat.X12,
        ),
        (b"Dear colleague, please see the attached.", DocumentFormat.UNKNOWN),
    ],
)
def test_format_is_detected_from_content(data: bytes, expected: DocumentFormat) -> None:
    # Given bytes with no file name at all / When detected / Then the content decides
    assert detect_format(data) is expected


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"]
)
@pytest.mark.parametrize("name", NAMES)
def test_unicode_names_survive_every_encoding(encoding: str, name: str) -> None:
    # Given text in any of the encodings clinics send (with and without BOM)
    data = f"MSH|^~\\&|A|B\rPID|1||X||{name}\r".encode(encoding)
    # When decoded
    decoded = decode_text(data)
    # Then the name is intact
    assert name in decoded.text


def test_latin1_fallback_keeps_spanish_names() -> None:
    # Given a legacy Latin-1 HL7 feed (invalid as UTF-8)
    data = "PID|1||X||Muñoz^José\r".encode("latin-1")
    # When decoded / Then the Spanish name is read correctly
    assert "Muñoz^José" in decode_text(data).text
    assert decode_text(data).encoding in {"cp1252", "latin-1"}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_hl7_message_in_any_encoding_parses_the_same(hl7_fixtures: Path, encoding: str) -> None:
    # Given the Chinese-patient RDE^O11 re-encoded
    text = (hl7_fixtures / "rde-o11-tocilizumab-zh.hl7").read_text(encoding="utf-8")
    # When parsed
    outcome = parse_referral_document(text.encode(encoding))
    # Then 王小明 is read whatever the encoding
    assert outcome.referral is not None
    assert (outcome.referral.patient.last_name, outcome.referral.patient.first_name) == (
        "王",
        "小明",
    )


def test_json_referral_in_utf16_keeps_names(events_dir: Path) -> None:
    # Given our FHIR sample re-written with José Muñoz and sent as UTF-16 with a BOM
    bundle = json.loads((events_dir / "24-fhir-bundle.json").read_text(encoding="utf-8"))
    patient = bundle["entry"][0]["resource"]
    patient["name"] = [{"family": "Muñoz", "given": ["José"]}]
    data = json.dumps(bundle, ensure_ascii=False).encode("utf-16")
    # When parsed
    outcome = parse_referral_document(data)
    # Then the Spanish name is intact
    assert outcome.referral is not None
    assert outcome.referral.patient.last_name == "Muñoz"
    assert outcome.referral.patient.first_name == "José"


def test_detection_hands_on_the_parsed_json() -> None:
    # Given a FHIR resource / When detected / Then the parsed document travels with it
    detection = detect(b'{"resourceType": "Patient", "id": "p1"}')
    assert detection.format is DocumentFormat.FHIR
    assert detection.document == {"resourceType": "Patient", "id": "p1"}
    assert detection.reason is None
