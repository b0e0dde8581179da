"""The fax generator reproduces the committed samples; the scan really has no text layer."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader

from intake_local.samples.make_faxes import efax_pdf, main


def test_generator_reproduces_the_committed_efax(events_dir: Path) -> None:
    assert efax_pdf() == (events_dir / "20-fax-efax-text.pdf").read_bytes()


def test_generated_scan_is_image_only(tmp_path: Path) -> None:
    # Given freshly generated samples
    assert main(["--out", str(tmp_path)]) == 0
    # Then the scan has one page, no extractable text, and one embedded image
    reader = PdfReader(tmp_path / "21-fax-scanned.pdf")
    assert len(reader.pages) == 1
    assert reader.pages[0].extract_text().strip() == ""
    assert len(reader.pages[0].images) == 1
    assert (
        "Member ID: SBXPPO1234"
        in PdfReader(tmp_path / "20-fax-efax-text.pdf").pages[0].extract_text()
    )
