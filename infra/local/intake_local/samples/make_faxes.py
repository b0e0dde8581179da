"""Generate the sample fax referrals in ``events/referrals/`` (run: python -m ...make_faxes).

Two PDFs of the same labelled referral form: an e-fax with a text layer (what EHR fax
servers send) and a scanned, image-only copy (what a paper fax becomes) that only OCR can
read. fpdf2 is used (pure Python, no native build). The form uses Helvetica, a core PDF font
(Latin-1, no font file needed), at 12 pt: the size and face fax forms use, and one Tesseract
reads reliably. Tesseract's English model cannot tell "O" from "0" in IDs like "SBXPPO0001",
nor read "ñ" ("Muñoz" → "Mufioz" at 90% confidence), so the sample patient and member ID avoid
both; such values on real faxes come out with low confidence or need the liaison's review.
The scan is made by rasterizing the e-fax with pypdfium2 and adding a slight skew and speckle
noise with Pillow. Output is byte-for-byte reproducible (fixed dates, seeded noise).
"""

from __future__ import annotations

import argparse
import io
import random
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF
from PIL import Image, ImageFilter

FIXED_DATE = datetime(2025, 3, 2, 10, 14, tzinfo=UTC)
DEFAULT_OUT = Path(__file__).resolve().parents[4] / "events" / "referrals"

FAX_HEADER = (
    "03/02/2025 10:14 AM  FROM: Lakeside Gastroenterology  FAX: (217) 555-0101  "
    "TO: Sandbox Infusion Pharmacy  P. 1/1"
)
TITLE = "HOME INFUSION REFERRAL / ORDER FORM"
# (section title or None, [(left "Label: value", right "Label: value" or "")])
FORM: list[tuple[str | None, list[tuple[str, str]]]] = [
    (None, [("Referral #: LR-2025-0412", "Date: 03/02/2025")]),
    (
        "PATIENT INFORMATION",
        [
            ("Patient Name: Ortega, Daniel J", "DOB: 03/14/1968"),
            ("Sex: Male", "Language: Spanish"),
            ("Address: 742 Evergreen Ter, Apt 2, Springfield, IL 62704", ""),
            ("Phone: (217) 555-0142", "Weight: 82 kg"),
        ],
    ),
    (
        "INSURANCE",
        [
            ("Insurance/Payer: Sandbox Health PPO", "Payer ID: SBX01"),
            ("Member ID: SBXPPO1234", "Group #: GRP-77812"),
            ("Relationship to Subscriber: Self", ""),
        ],
    ),
    (
        "PRESCRIBER",
        [
            ("Prescriber: Anita Patel, MD", "NPI: 1234567893"),
            ("Phone: (217) 555-0190", "Fax: (217) 555-0191"),
            ("Specialty: Gastroenterology", ""),
        ],
    ),
    (
        "ORDER",
        [
            ("Drug: Infliximab (Remicade) 100 mg vial", ""),
            ("NDC: 57894-030-01", "HCPCS: J1745"),
            ("Dose: 5 mg/kg", "Route: IV"),
            ("Frequency: every 8 weeks", "Duration: 12 months"),
            ("Start Date: 04/01/2025", "Site of Care: Home"),
        ],
    ),
    (
        "DIAGNOSIS",
        [
            ("ICD-10: K50.90 Crohn's disease, unspecified, without complications", ""),
        ],
    ),
    (
        "CLINICAL NOTES",
        [
            ("Notes: Failed adalimumab. TB test negative 02/10/2025. Premedicate with", ""),
            ("acetaminophen and diphenhydramine.", ""),
        ],
    ),
    (
        "REFERRING CLINIC",
        [
            ("Clinic: Lakeside Gastroenterology", "NPI: 1487652392"),
            ("Phone: (217) 555-0100", "Fax: (217) 555-0101"),
            ("Contact: Dana Reyes", ""),
        ],
    ),
]


def _new_pdf() -> FPDF:
    pdf = FPDF(format="letter", unit="pt")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_producer("intake_local.samples.make_faxes")
    pdf.set_auto_page_break(auto=False)
    return pdf


def efax_pdf(prescriber_npi: str = "1234567893") -> bytes:
    """The e-faxed form: real text, laid out in two label columns (another prescriber NPI
    makes the same patient's order a referral of its own, for the bad-input corpus)."""
    pdf = _new_pdf()
    pdf.add_page()
    pdf.set_font("Helvetica", "", 9)
    pdf.text(36, 28, FAX_HEADER)
    pdf.set_font("Helvetica", "B", 15)
    pdf.text(160, 60, TITLE)
    y = 88.0
    for section, rows in FORM:
        if section:
            y += 6
            pdf.set_font("Helvetica", "B", 12)
            pdf.text(50, y, section)
            pdf.line(50, y + 4, 562, y + 4)
            y += 19
        pdf.set_font("Helvetica", "", 12)
        for left, label in rows:
            right = label.replace("NPI: 1234567893", f"NPI: {prescriber_npi}")
            pdf.text(50, y, left)
            if right:
                pdf.text(340, y, right)
            y += 17
    pdf.text(50, y + 16, "Prescriber signature: ______________________   Date: 03/02/2025")
    return bytes(pdf.output())


def scanned_pdf(efax: bytes, *, dpi: int = 200, seed: int = 20250302) -> bytes:
    """Rasterize the e-fax like a scanner would: grayscale, slightly skewed, speckled, JPEG."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(efax)
    try:
        page = doc[0]
        image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
        page.close()
    finally:
        doc.close()
    image = image.rotate(0.5, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
    rng = random.Random(seed)
    pixels = image.load()
    assert pixels is not None
    width, height = image.size
    for _ in range(width * height // 500):
        pixels[rng.randrange(width), rng.randrange(height)] = rng.randrange(256)
    image = image.filter(ImageFilter.GaussianBlur(0.5))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    pdf = _new_pdf()
    pdf.add_page()
    pdf.image(io.BytesIO(buffer.getvalue()), x=0, y=0, w=pdf.w, h=pdf.h)
    return bytes(pdf.output())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    efax = efax_pdf()
    (out / "20-fax-efax-text.pdf").write_bytes(efax)
    (out / "21-fax-scanned.pdf").write_bytes(scanned_pdf(efax))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
