"""The standing bad-input corpus: hostile or careless uploads, each with the end state a person
sees (run: ``python -m intake_local.samples.bad_inputs [OUT_DIR]`` to write the files).

Every kind is built from the sample referrals in ``events/referrals/`` by one small change,
so each shows one thing. ``expect`` is the referral's documented visible state after intake:

- ``quarantined``: moved to ``quarantine/<id>/`` with its problems and a ``needs_review`` task
  (unreadable files, and structured JSON that is wrong at the source);
- ``in_review``: readable but incomplete, invalid or implausible: a ``complete_referral`` task
  with the draft on the referral (HL7, FHIR, faxes);
- ``in_progress``: accepted after hygiene (control characters removed, a past start date
  meaning "as soon as possible"): its workflow runs and queues the welcome call.

``problem`` is a fragment of the reason a reviewer reads (for ``in_progress``, a fragment of
a note among the problems, or "" when there is none). Output is deterministic.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from intake_local.samples.identity import npi_for

SAMPLES = Path(__file__).resolve().parents[4] / "events" / "referrals"
Expect = Literal["quarantined", "in_review", "in_progress"]
# Accepted HL7 kinds carry no send time (MSH-7), so their welcome call is due 48 h after the
# upload: the sample's 2025 send time would make it overdue on arrival and escalate.
NOW = ("20250302101400-0600", "")


@dataclass(frozen=True)
class BadInput:
    kind: str
    filename: str
    body: bytes
    expect: Expect
    problem: str


def _sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def _referral(tag: str) -> dict[str, Any]:
    """The PPO sample, with a clinic reference unique to the kind (each file its own id)."""
    data: dict[str, Any] = json.loads(_sample("01-ppo-deductible-coinsurance.json"))
    data["clinic_reference"] = f"BAD-{tag}"[:64]
    data["prescriber"]["npi"] = npi_for(f"BAD-{tag}")  # its own referral, never linked
    return data


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()


def _changed(tag: str, change: Callable[[dict[str, Any]], None]) -> bytes:
    data = _referral(tag)
    change(data)
    return _json(data)


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def apply(data: dict[str, Any]) -> None:
        node: Any = data
        parts = path.split(".")
        for part in parts[:-1]:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[parts[-1]] = value

    return apply


def _hl7(tag: str, *replacements: tuple[str, str]) -> bytes:
    text = _sample("22-hl7-ref-i12.hl7").decode("utf-8")
    text = text.replace("LG-LR-0412", f"BAD-{tag}"[:20])
    text = text.replace("1234567893", npi_for(f"BAD-{tag}"))  # its own referral, never linked
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    return text.encode("utf-8")


def _fhir(tag: str, change: Callable[[dict[str, Any]], None]) -> bytes:
    data: dict[str, Any] = json.loads(_sample("24-fhir-bundle.json"))
    data["id"] = f"bad-{tag}"
    change(data)
    return _json(data)


def _fhir_resource(data: dict[str, Any], kind: str) -> dict[str, Any]:
    for entry in data["entry"]:
        if entry["resource"]["resourceType"] == kind:
            resource: dict[str, Any] = entry["resource"]
            return resource
    raise KeyError(kind)


def _fhir_dose(text: str) -> Callable[[dict[str, Any]], None]:
    def apply(data: dict[str, Any]) -> None:
        request = _fhir_resource(data, "MedicationRequest")
        request["dosageInstruction"][0]["text"] = text
        request["dosageInstruction"][0].pop("doseAndRate", None)

    return apply


def _pdf(pages: int, text: str = "") -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="letter")
    pdf.set_creation_date(datetime(2025, 3, 2, tzinfo=UTC))
    pdf.set_font("Helvetica", size=12)
    for _ in range(pages):
        pdf.add_page()
        if text:
            pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


def _tiff_fax() -> bytes:
    """The e-fax sample rendered at fax resolution as a two-page Group 4 TIFF (page 2 blank)."""
    import pypdfium2 as pdfium
    from PIL import Image

    from intake_local.samples.make_faxes import efax_pdf

    document = pdfium.PdfDocument(efax_pdf(prescriber_npi=npi_for("BAD-tiff")))
    try:
        page = document[0]
        image = page.render(scale=200 / 72, grayscale=True).to_pil().convert("1")
        page.close()
    finally:
        document.close()
    blank = Image.new("1", image.size, 1)
    buffer = io.BytesIO()
    image.save(buffer, format="TIFF", compression="group4", save_all=True, append_images=[blank])
    return buffer.getvalue()


def _tiff_claiming(width: int, height: int) -> bytes:
    """A tiny TIFF whose header claims ``width`` x ``height`` pixels (a decompression bomb)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (16, 16), 255).save(buffer, format="TIFF")
    data = bytearray(buffer.getvalue())
    ifd = int.from_bytes(data[4:8], "little")
    for i in range(int.from_bytes(data[ifd : ifd + 2], "little")):
        entry = ifd + 2 + 12 * i
        tag, kind = (int.from_bytes(data[entry + o : entry + o + 2], "little") for o in (0, 2))
        value = {256: width, 257: height}.get(tag)
        if value is not None:
            size = 2 if kind == 3 else 4
            data[entry + 8 : entry + 8 + size] = value.to_bytes(size, "little")
    return bytes(data)


def _pdf_image_bomb(width: int, height: int) -> bytes:
    """A one-page PDF drawing one image whose dictionary claims ``width`` x ``height`` pixels
    (its data is a few bytes: the guard must act on the header, before any decoding)."""
    import zlib

    pixels = zlib.compress(b"\0" * 4096)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /XObject << /Im1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream"
        % (width, height, len(pixels), pixels),
        b"<< /Length 30 >>\nstream\nq 612 0 0 792 0 0 cm /Im1 Do Q\nendstream",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("referral.json", (2025, 1, 1, 0, 0, 0)), _json(_referral("zip"))
        )
    return buffer.getvalue()


def _duplicate_keys(tag: str) -> bytes:
    text = _json(_referral(tag)).decode()
    return text.replace(
        '"member_id": "SBP000000101"', '"member_id": "SBP000000999", "member_id": "SBP000000101"'
    ).encode()


def _deep(levels: int) -> bytes:
    return ("[" * levels + "]" * levels).encode()


def _many_values() -> bytes:
    data = _referral("many")
    data["clinical_notes"] = None
    data["extra"] = list(range(250_000))
    return _json(data)


def _fhir_duplicate(tag: str) -> bytes:
    text = _fhir(tag, lambda d: None).decode()
    return text.replace(
        '"resourceType": "Bundle"', '"resourceType": "Bundle", "type": "x"', 1
    ).encode()


def kinds() -> list[BadInput]:
    """Every kind of bad input, in a stable order."""
    j = "json"
    out: list[BadInput] = []

    def add(kind: str, ext: str, body: bytes, expect: Expect, problem: str) -> None:
        out.append(BadInput(kind, f"{len(out) + 1:02d}-{kind}.{ext}", body, expect, problem))

    # ---- files that are not a referral at all
    add("empty", "json", b"", "quarantined", "the file is empty")
    add("whitespace-only", "txt", b"  \r\n\t \n", "quarantined", "the file is empty")
    add("zip-archive", "zip", _zip(), "quarantined", "a ZIP archive")
    add("gzip", "gz", gzip.compress(b"{}", mtime=0), "quarantined", "gzip-compressed")
    add("png-image", "png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "quarantined", "a PNG image")
    add("pdf-image-bomb", "pdf", _pdf_image_bomb(40_000, 40_000), "quarantined", "million pix")
    add("tiff-pixel-bomb", "tif", _tiff_claiming(40_000, 40_000), "quarantined", "million pixels")
    add("jpeg-image", "jpg", b"\xff\xd8\xff\xe0" + b"\0" * 64, "quarantined", "a JPEG image")
    add("office-doc", "doc", b"\xd0\xcf\x11\xe0" + b"\0" * 64, "quarantined", "Microsoft Office")
    add("random-binary", "dat", bytes(range(256)) * 8, "quarantined", "binary data")
    add("xml-cda", "xml", b"<?xml version='1.0'?><ClinicalDocument/>", "quarantined", "XML")
    add("x12-271", "edi", b"ISA*00*          *00*~", "quarantined", "X12 EDI interchange")
    add("plain-text", "txt", b"Please call me about my infusion.", "quarantined", "not a PDF")
    add("pdf-header-only", "pdf", b"%PDF-1.7\n%%EOF", "quarantined", "")
    add("pdf-blank-page", "pdf", _pdf(1), "quarantined", "")
    add("pdf-too-many-pages", "pdf", _pdf(25, "page"), "quarantined", "at most 20 are read")
    add(
        "oversize-upload",
        "pdf",
        b"%PDF-1.7\n" + b"0" * (21 * 1024 * 1024),
        "quarantined",
        "larger than",
    )
    add("tiff-fax-two-pages", "tif", _tiff_fax(), "in_progress", "")
    # ---- JSON that breaks the reader
    add("json-truncated", j, _json(_referral("trunc"))[:300], "quarantined", "cut off or malformed")
    add("json-list", j, _json([_referral("list")]), "quarantined", "a list")
    add("json-scalar", j, b"42", "quarantined", "not a PDF")
    add("json-nan", j, _json(_referral("nan")).replace(b"70", b"NaN", 1), "quarantined", "NaN")
    add("json-deep-nesting", j, _deep(200), "quarantined", "nested")
    add("json-too-many-values", j, _many_values(), "quarantined", "more than 200000 values")
    add("json-not-a-referral", j, b'{"hello": "world"}', "quarantined", "neither a FHIR")
    add("json-duplicate-keys", j, _duplicate_keys("dup"), "quarantined", "same field twice")
    invalid_utf8 = _json(_referral("utf8")).replace(b"Martinez", b"Mart\xedn\xe9z\xff")
    add("json-invalid-utf8", j, invalid_utf8, "quarantined", "not valid UTF-8")
    # ---- JSON referrals with invalid or implausible values (structured: back to the clinic)
    bad: list[tuple[str, str, Any, str]] = [
        ("dose-zero", "therapy.dose", "0 mg", "therapy.dose: is zero"),
        ("dose-negative", "therapy.dose", "-5 mg/kg", "therapy.dose: is negative"),
        ("dose-huge", "therapy.dose", "100000000000000000000 g/kg", "plausible maximum"),
        ("dose-unreadable", "therapy.dose", "as directed", "cannot be read as a dose"),
        ("dose-wrong-measure", "therapy.dose", "500 units", "dosed in mg, not units"),
        ("duration-9999-years", "therapy.duration", "9999 years", "longer than 5 years"),
        ("duration-many-doses", "therapy.duration", "99999999 doses", "more than 2,000 doses"),
        ("duration-unreadable", "therapy.duration", "until better", "cannot be read as a length"),
        ("frequency-every-hour", "therapy.frequency", "every 1 hour", "doses a day"),
        ("frequency-unreadable", "therapy.frequency", "every 0 weeks", "cannot be read as a sch"),
        ("start-year-9999", "therapy.start_date", "9999-12-31", "days after the referral"),
        ("start-two-years-ahead", "therapy.start_date", "2099-01-01", "days after the referral"),
        ("start-not-a-date", "therapy.start_date", "next tuesday", "is not a date"),
        ("received-in-future", "received_at", "9999-12-31T00:00:00Z", "in the future"),
        ("dob-future", "patient.date_of_birth", "2999-01-01", "in the future"),
        ("dob-1800", "patient.date_of_birth", "1800-01-01", "more than 130 years"),
        ("weight-zero", "patient.weight_kg", 0, "must be more than 0"),
        ("phone-letters", "patient.phone", "call-me-maybe", "10-digit US phone"),
        ("ndc-malformed", "therapy.ndc", "12-34", "not an NDC"),
        ("npi-check-digit", "prescriber.npi", "1234567890", "check digit"),
        ("payer-id-spaces", "insurance.payer_id", "SBX 01", "letters, digits"),
        ("name-5000-chars", "patient.first_name", "A" * 5000, "too long"),
        ("name-only-controls", "patient.first_name", "\u0000\u202e\u200b", "is empty"),
        ("note-900k", "clinical_notes", "n" * 900_000, "clinical_notes: is too long"),
        ("diagnoses-100", "diagnoses", [{"code": "K50.90"}] * 100, "more than 20 diagnoses"),
        ("language-klingon", "patient.preferred_language", "Klingon", "not a language"),
        ("state-unknown", "patient.address.state", "Z9", "2-letter USPS"),
        ("dependent-without-subscriber", "insurance.relationship", "child", "subscriber"),
        ("dose-number-type", "therapy.dose", 5, "should be text"),
    ]
    for kind, path, value, problem in bad:
        add(kind, j, _changed(kind, _set(path, value)), "quarantined", problem)
    add(
        "course-too-many-doses",
        j,
        _changed(
            "course", lambda d: d["therapy"].update(frequency="every 12 hours", duration="4 years")
        ),
        "quarantined",
        "with this frequency the course is more than",
    )
    add(
        "missing-patient",
        j,
        _changed("nopatient", lambda d: d.pop("patient")),
        "quarantined",
        "patient: is missing",
    )
    # ---- accepted after hygiene (the value is cleaned, the referral goes on)
    cleaned: list[tuple[str, str, str, Any, str]] = [
        # kind, tag, path, value, what the referral's problems say ("" for nothing)
        (
            "name-nul-and-rtl-override",
            "rtl",
            "patient.first_name",
            "A\u0000va\u202e",
            "patient.first_name: held control",
        ),
        (
            "member-id-zero-width",
            "zw",
            "insurance.member_id",
            "SBP0000\u200b00101",
            "insurance.member_id: held control",
        ),
        ("start-in-the-past", "past", "therapy.start_date", "2001-01-01", ""),
        (
            "unknown-extra-field",
            "extra",
            "favourite_colour",
            "teal",
            "not a field of a referral (ignored)",
        ),
    ]
    for kind, tag, path, value, problem in cleaned:
        add(kind, j, _changed(tag, _set(path, value)), "in_progress", problem)
    # ---- HL7 v2 (a liaison completes what is wrong)
    add(
        "hl7-escapes-in-names",
        "hl7",
        _hl7("esc", NOW, ("Ortega^Daniel^J", "Ort\\X00\\ega^Dan\\.br\\iel^J\\F\\")),
        "in_progress",
        "patient.last_name: held control",
    )
    add(
        "hl7-note-900k",
        "hl7",
        _hl7("note", ("NTE|1||Failed", "NTE|1||" + "n" * 900_000 + " Failed")),
        "in_review",
        "clinical_notes: is too long",
    )
    add("hl7-dose-zero", "hl7", _hl7("d0", ("||5 mg/kg||", "||0 mg||")), "in_review", "is zero")
    add(
        "hl7-start-9999",
        "hl7",
        _hl7("s9", ("||20250401||||||F", "||99991231||||||F")),
        "in_review",
        "days after the referral",
    )
    add(
        "hl7-cp1252-bytes",
        "hl7",
        _hl7("cp", ("UNICODE UTF-8", "")).replace(b"Ortega", b"Ort\xe9ga"),
        "in_review",
        "not valid UTF-8",
    )
    add(
        "hl7-no-patient",
        "hl7",
        _hl7("nopid", ("PID|1||MRN-55012", "ZZZ|1||MRN-55012")),
        "in_review",
        "no PID segment",
    )
    add("hl7-too-big", "hl7", _hl7("big") + b"NTE|1||" + b"x" * (1100 * 1024), "quarantined", "KB")
    many = b"".join(b"NTE|%d||note\r" % i for i in range(600))
    add("hl7-too-many-segments", "hl7", _hl7("seg") + b"\r" + many, "quarantined", "segments")
    add("hl7-two-messages", "hl7", _hl7("two") + b"\r" + _hl7("two2"), "quarantined", "2 messages")
    add(
        "hl7-header-only",
        "hl7",
        _hl7("hdr").split(b"\r")[0] + b"\r",
        "quarantined",
        "no referral segments",
    )
    add(
        "hl7-bidi-in-address",
        "hl7",
        _hl7("bidi", NOW, ("742 Evergreen Ter", "742 Evergreen\u202e Ter")),
        "in_progress",
        "patient.address.line1: held control",
    )
    # ---- FHIR R4
    add(
        "fhir-dose-huge",
        "json",
        _fhir("dose", _fhir_dose("100000 g/kg")),
        "in_review",
        "plausible maximum",
    )
    add("fhir-duplicate-keys", "json", _fhir_duplicate("dupe"), "in_review", "twice")
    add(
        "fhir-control-chars-only-name",
        "json",
        _fhir("ctl", lambda d: _fhir_resource(d, "Patient")["name"][0].update(family="\u0007")),
        "in_review",
        "patient.last_name",
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=Path("build/bad-inputs"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    index = []
    for item in kinds():
        (args.out / item.filename).write_bytes(item.body)
        index.append({"file": item.filename, "expect": item.expect, "problem": item.problem})
    (args.out / "index.json").write_text(json.dumps(index, indent=2) + "\n", "utf-8")
    print(f"{len(index)} bad inputs written to {args.out}")


if __name__ == "__main__":
    main()
