"""``intake pa packet`` for patients named with accents and Chinese characters: the 278 is
basic-character-set X12, the PDF and the PAS bundle keep the original spelling."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from intake.x12.t278 import parse_278
from intake.x12.text import is_basic, x12_text
from tests.unit.prior_auth.conftest import EVENTS
from tests.unit.prior_auth.test_pa_cli import noah_271, run  # noqa: F401  (fixtures)

Run = Callable[..., tuple[int, str, str]]


def _referral_named(tmp_path: Path, first: str, last: str) -> Path:
    data: dict[str, Any] = json.loads(
        (EVENTS / "03-auth-required-chinese.json").read_text(encoding="utf-8")
    )
    data["patient"].update(first_name=first, last_name=last)
    data["patient"]["address"]["line1"] = "12 Calle Peña*~:^"
    path = tmp_path / "referral.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _packet(runner: Run, referral: Path, benefits: Path, out: Path) -> tuple[int, str, str]:
    return runner(
        "pa",
        "packet",
        "--referral",
        str(referral),
        "--benefits",
        str(benefits),
        "--out",
        str(out),
        "--date",
        "2026-02-02",
    )


@pytest.mark.parametrize(
    ("first", "last", "nm1", "printed"),
    [
        ("JOSÉ", "NÚÑEZ", "NUNEZ*JOSE", "JOSÉ NÚÑEZ"),
        ("伟", "陈", "CHEN*WEI", "伟 陈"),
    ],
)
def test_given_unicode_patient_when_pa_packet_then_basic_278_and_original_spelling_elsewhere(
    run: Run,  # noqa: F811
    noah_271: Path,  # noqa: F811
    tmp_path: Path,
    first: str,
    last: str,
    nm1: str,
    printed: str,
) -> None:
    # Given a referral for the patient and the payer's 271
    referral = _referral_named(tmp_path, first, last)
    out = tmp_path / "out"
    # When the packet is built
    code, _, err = _packet(run, referral, noah_271, out)
    # Then it succeeds; the 278 is basic-character-set X12 naming the patient in upper case
    assert code == 0, err
    x278 = (out / "request.278").read_text(encoding="ascii")
    assert is_basic(x278) and f"NM1*IL*1*{nm1}****MI*SBP000000102~" in x278
    assert parse_278(x278).transactions[0].events
    # And the PDF and the PAS bundle keep the original spelling
    assert printed in PdfReader(out / "packet.pdf").pages[1].extract_text()
    bundle = json.loads((out / "pas-bundle.json").read_text(encoding="utf-8"))
    patient = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    )
    assert patient["name"][0]["family"] == last


names = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=30
).filter(lambda s: s.strip())


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(first=names, last=names)
def test_property_any_unicode_name_never_crashes_pa_packet(
    run: Run,  # noqa: F811
    noah_271: Path,  # noqa: F811
    tmp_path_factory: pytest.TempPathFactory,
    first: str,
    last: str,
) -> None:
    # Given a referral whose patient has any Unicode name
    folder = tmp_path_factory.mktemp("packet")
    referral = _referral_named(folder, first, last)
    # When the packet command runs
    code, _, err = _packet(run, referral, noah_271, folder / "out")
    # Then it never crashes: a packet with basic X12, or exit 2 in plain words
    assert "Traceback" not in err
    if code == 0:
        assert is_basic((folder / "out" / "request.278").read_text(encoding="ascii"))
    else:
        assert code == 2 and err.startswith("error:")
        no_letters = not any(c.isalnum() for c in x12_text(last))
        assert no_letters or "is not a complete referral" in err
