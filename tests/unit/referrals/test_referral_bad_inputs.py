"""A corpus of broken and hostile inputs: each is quarantined or sent to review, quickly."""

from __future__ import annotations

import gzip
import io
import json
import random
import zipfile
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, StreamObject

from intake.referrals import Limits, parse_referral_document
from tests.conftest import SHARED_FIXTURES

ROOT = Path(__file__).resolve().parents[3]
EVENTS = ROOT / "events" / "referrals"
SHARED = SHARED_FIXTURES
HANG_BOUND_S = 300.0
QUARANTINE, REVIEW = "quarantine", "review"


def _pdf(pages: int = 0, *, password: str | None = None) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(612, 792)
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _content_bomb_pdf() -> bytes:
    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    stream = StreamObject()
    stream._data = zlib.compress(b"BT /F1 12 Tf 10 10 Td (A) Tj ET\n" * 200_000)
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    page[NameObject("/Contents")] = writer._add_object(stream)
    page[NameObject("/Resources")] = DictionaryObject()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("referral.pdf", b"\0" * 20_000_000)
    return out.getvalue()


def _hl7(*segments: str) -> bytes:
    return "\r".join(segments).encode()


def _sample(name: str) -> bytes:
    return (EVENTS / name).read_bytes()


def _json(value: object) -> bytes:
    return json.dumps(value).encode()


MSH = "MSH|^~\\&|EHR|CLINIC|INTAKE|US|20250302101400||REF^I12|1|P|2.5.1"
GOOD_JSON = json.loads(
    json.dumps({"patient": {"first_name": "A"}, "insurance": {}, "prescriber": {}})
)

# name → (bytes factory, expected ending, words the reason must contain)
CORPUS: dict[str, tuple[Callable[[], bytes], str, str]] = {
    "empty": (lambda: b"", QUARANTINE, "empty"),
    "whitespace only": (lambda: b" \r\n\t  \n", QUARANTINE, "empty"),
    "binary junk": (lambda: random.Random(7).randbytes(8192), QUARANTINE, "binary"),
    "nul bytes": (lambda: b"\x00" * 4096, QUARANTINE, ""),
    "plain prose": (lambda: b"Please call me about the referral.", QUARANTINE, "not a PDF"),
    "xml document": (lambda: b"<?xml version='1.0'?><ClinicalDocument/>", QUARANTINE, "XML"),
    "png image": (lambda: b"\x89PNG\r\n\x1a\n" + b"\0" * 64, QUARANTINE, "PNG"),
    "zip bomb": (_zip_bomb, QUARANTINE, "ZIP"),
    "gzip bomb": (lambda: gzip.compress(b"\0" * 20_000_000), QUARANTINE, "gzip"),
    "ebcdic text": (lambda: "MSH|^~\\&|A|B\rPID|1".encode("cp500"), QUARANTINE, ""),
    "huge file": (lambda: b"%PDF-1.7\n" + b" " * (21 * 1024 * 1024), QUARANTINE, "larger than"),
    "truncated pdf": (lambda: _sample("20-fax-efax-text.pdf")[:400], QUARANTINE, "PDF"),
    "pdf header only": (lambda: b"%PDF-1.7\n", QUARANTINE, "PDF"),
    "zero-page pdf": (lambda: _pdf(0), QUARANTINE, "no pages"),
    "blank pdf (no text, no image)": (lambda: _pdf(1), QUARANTINE, "nothing to read"),
    "password-protected pdf": (lambda: _pdf(1, password="s3cret"), QUARANTINE, "password"),
    "too many pages": (lambda: _pdf(25), QUARANTINE, "at most 20"),
    "pdf content bomb": (_content_bomb_pdf, QUARANTINE, "drawing instructions"),
    "scan without an OCR engine": (
        lambda: _sample("21-fax-scanned.pdf"),
        QUARANTINE,
        "no OCR engine",
    ),
    "deeply nested json": (lambda: b"[" * 100_000 + b"]" * 100_000, QUARANTINE, "nested"),
    "json deeper than the limit": (
        lambda: _json(json.loads('{"a":' * 80 + "1" + "}" * 80)),
        QUARANTINE,
        "nested",
    ),
    "json with too many values": (
        lambda: _json({"patient": {"notes": [0] * 250_000}}),
        QUARANTINE,
        "values",
    ),
    "truncated json": (lambda: _sample("24-fhir-bundle.json")[:700], QUARANTINE, "cut off"),
    "json array": (lambda: _json([GOOD_JSON]), QUARANTINE, "a list"),
    "json scalar": (lambda: b"42", QUARANTINE, "not a PDF"),
    "json NaN": (lambda: b'{"patient": NaN}', QUARANTINE, "unreadable value"),
    "json unrelated object": (lambda: _json({"hello": "world"}), QUARANTINE, "neither"),
    "json wrong types": (
        lambda: _json(
            {
                "patient": "José",
                "insurance": 5,
                "prescriber": [],
                "therapy": True,
                "diagnoses": "K50.90",
                "referring_clinic": None,
            }
        ),
        REVIEW,
        "patient",
    ),
    "json future birth date": (
        lambda: _json({"patient": {"date_of_birth": "2999-01-01"}}),
        REVIEW,
        "in the future",
    ),
    "hl7 only msh": (lambda: _hl7(MSH), QUARANTINE, "no referral segments"),
    "hl7 missing pid": (
        lambda: _hl7(
            MSH,
            "IN1|1||SBX01|Sandbox Health PPO|||||||||||||||||||||||||||||||||SBX1",
            "DG1|1||K50.90^Crohn^I10",
        ),
        REVIEW,
        "no PID",
    ),
    "hl7 batch of two": (
        lambda: _hl7("BHS|^~\\&", MSH, "PID|1", MSH, "PID|2"),
        QUARANTINE,
        "2 messages",
    ),
    "hl7 too many segments": (lambda: _hl7(MSH, *["NTE|1||x"] * 600), QUARANTINE, "segments"),
    "hl7 garbage fields": (
        lambda: _hl7(MSH, "PID|\\X\\|^^^^|~~~|&&&", "IN1|^|^|^"),
        QUARANTINE,
        "no referral segments",
    ),
    "fhir bundle without patient": (
        lambda: _json(
            {
                "resourceType": "Bundle",
                "entry": [
                    {"resource": {"resourceType": "Coverage", "subscriberId": "SBXPPO1"}},
                    {"resource": {"resourceType": "MedicationRequest", "status": "active"}},
                ],
            }
        ),
        REVIEW,
        "no Patient",
    ),
    "fhir empty bundle": (
        lambda: _json({"resourceType": "Bundle", "entry": []}),
        QUARANTINE,
        "orders nothing",
    ),
    "fhir wrong types everywhere": (
        lambda: _json(
            {
                "resourceType": "Bundle",
                "entry": [
                    {
                        "resource": {
                            "resourceType": "Patient",
                            "name": "José",
                            "telecom": 5,
                            "address": [1, 2],
                            "birthDate": ["x"],
                        }
                    },
                    {
                        "resource": {
                            "resourceType": "MedicationRequest",
                            "subject": 7,
                            "dosageInstruction": {"text": 1},
                            "medicationReference": [],
                        }
                    },
                    "not an entry",
                ],
            }
        ),
        QUARANTINE,
        "no referral details",
    ),
}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_bad_input_ends_in_quarantine_or_review(name: str) -> None:
    make, expected, reason = CORPUS[name]
    data = make()
    # When intake reads it (a hang fails the test after a generous bound; speed is not tested)
    with ThreadPoolExecutor(max_workers=1) as pool:
        outcome = pool.submit(parse_referral_document, data).result(timeout=HANG_BOUND_S)
    # Then it neither crashes nor hangs, and it ends where a person can act on it
    assert outcome.referral is None
    assert outcome.problems, "a reason must be given"
    if expected == QUARANTINE:
        assert not outcome.readable
    else:
        assert outcome.readable and (outcome.fields_missing or outcome.problems)
    assert all("Error" not in p or "(" in p for p in outcome.problems)
    if reason:
        assert any(reason in p for p in outcome.problems), outcome.problems


def test_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 30


def test_x12_interchange_is_not_a_referral() -> None:
    # Given a real 270 eligibility inquiry
    files = sorted((SHARED / "x12").glob("*.270")) if SHARED.is_dir() else []
    if not files:
        pytest.skip("public X12 fixtures not found")
    outcome = parse_referral_document(files[0].read_bytes())
    # Then it is recognized and quarantined with the reason
    assert outcome.format.value == "x12" and not outcome.readable
    assert "X12" in outcome.problems[0]


def test_ocr_page_limit_and_time_budget_are_enforced() -> None:
    # Given tiny limits: zero seconds for the whole file
    outcome = parse_referral_document(
        _sample("20-fax-efax-text.pdf"), limits=Limits(total_time_s=0.0)
    )
    # Then the budget stops it with a plain reason
    assert not outcome.readable
    assert "took longer than" in outcome.problems[0]
    assert outcome.timed_out  # the machine may have been busy: intake reads it again first
    # And a file refused for what it is (not for time) is not marked for another read
    assert not parse_referral_document(b"\x00\x01 not a referral").timed_out


def test_smaller_limits_apply(events_dir: Path) -> None:
    data = (events_dir / "23-hl7-rde-o11.hl7").read_bytes()
    outcome = parse_referral_document(data, limits=Limits(max_hl7_segments=5))
    assert not outcome.readable and "more than 5 segments" in outcome.problems[0]
    outcome = parse_referral_document(data, limits=Limits(max_input_bytes=100))
    assert not outcome.readable and outcome.format.value == "hl7v2"
