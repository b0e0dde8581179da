"""Each sample's rendered packet PDF, read back as text (pypdf): no criterion is ticked on a
free-text guess and the 278 claims no attachment the referral's documents do not hold.

Why: the known failure was a checklist that marked labs met because "alt" matched inside
"Alternating", and a packet that claimed the lab attachment (PWK) that did not exist.
"""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from intake.authorization.packet import Pharmacy
from intake.authorization.packet.criteria import evaluate
from intake.models.referral import Referral
from tests.unit.prior_auth.conftest import EVENTS, benefits_with, packet_for

RECEIVED = date(2026, 11, 30)
SAMPLES = sorted(
    p.name
    for p in Path(EVENTS).glob("*.json")
    if p.name[:2].isdigit()
    and '"clinical_notes"' in p.read_text(encoding="utf-8")
    # issue 26: a sample without insurance reaches a packet only with the coverage discovery found
    and '"insurance"' in p.read_text(encoding="utf-8")
)


def _pdf_text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)


def _packet(name: str, pharmacy: Pharmacy) -> tuple[Referral, str, str]:
    referral = Referral.model_validate_json((Path(EVENTS) / name).read_text(encoding="utf-8"))
    packet = packet_for(
        referral,
        pharmacy,
        benefits_with((("1",), True)),
        received_on=RECEIVED,
        start=date(2026, 12, 1),
    )
    return referral, _pdf_text(packet.pdf), packet.x12_278


@pytest.mark.parametrize("name", [n for n in SAMPLES if not n.startswith("09-")])
def test_given_sample_when_packet_rendered_then_no_free_text_tick_and_no_phantom_attachment(
    name: str, pharmacy: Pharmacy
) -> None:
    """Given a sample, when its packet is rendered and read back, then every [x] line is a
    criterion met by a field, a code or a coded fact, and every PWK names one of those."""
    # Given / When
    referral, text, x12 = _packet(name, pharmacy)
    report = evaluate(referral, received_on=RECEIVED)
    # Then
    held = {e.id.upper().replace("_", "-") for e in report.items if e.attached}
    for e in report.items:
        if not e.met:
            assert f"[x] {e.label}" not in text, (name, e.id)
    pwk = re.findall(r"PWK\*[^~]*\.([A-Z0-9-]+)~", x12)
    assert set(pwk) <= held, (name, pwk)


def test_sample_38_packet_shows_the_weight_read_from_the_notes(pharmacy: Pharmacy) -> None:
    """Sample 38: "wt 187 lb" in the notes = 187 x 0.45359237 = 84.8218 kg, shown 84.8 kg,
    to be confirmed; 3 mg/kg x 84.8218 = 254.47 mg a dose -> 26 units of 10 mg (J1745)."""
    _, text, x12 = _packet("38-weight-only-in-notes.json", pharmacy)
    assert '84.8 kg, read from the clinical notes ("187 lb"): to be confirmed' in text
    assert "3 mg/kg x 84.8 kg" in text and "26 units" in text
    assert "weight needed" not in text
    assert ".WEIGHT~" not in x12 and ".TB-SCREENING~" not in x12


def test_sample_39_packet_ticks_no_negated_lab(pharmacy: Pharmacy) -> None:
    """Sample 39: "TB test not done", "Hepatitis B screening pending": neither is found, both
    are named with the trigger, and no PWK claims them."""
    _, text, x12 = _packet("39-labs-negated-in-notes.json", pharmacy)
    assert (
        "[ ] TB screening (IGRA/PPD), within 12 months - the notes mention it only as not done"
        in text
    )
    assert "[ ] Hepatitis B screening (HBsAg, anti-HBc) - the notes mention it only" in text
    assert "TB-SCREENING" not in x12 and "HEPATITIS-B" not in x12
