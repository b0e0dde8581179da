"""X12 text is X12 text: names go into the 270 and 278 in the basic character set, upper case,
without delimiters or control characters, whatever Unicode the referral holds."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake.x12.delimiters import Delimiters
from intake.x12.errors import X12BuildError
from intake.x12.t270 import EligibilityInquiry, SubscriberInfo, build_270
from intake.x12.t278 import (
    Diagnosis,
    Member,
    Party,
    ReviewRequest,
    ServiceLine,
    build_278_request,
    parse_278,
)
from intake.x12.text import BASIC_CHARACTERS, is_basic, latin_spelling, x12_name, x12_text
from tests.unit.x12.conftest import Run


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Núñez", "NUNEZ"),
        ("José", "JOSE"),
        ("陈伟", "CHENWEI"),
        ("陈伟 (Chen Wei)", "CHEN WEI"),
        ("O'Brien-Smith", "O'BRIEN-SMITH"),
        ("Straße", "STRASSE"),
        ("Ørsted", "ORSTED"),
        ("a*b~c:d^e", "ABCDE"),
        ("line\tone\r\ntwo\x00", "LINE ONE TWO"),
        ("Ann 😀 Lee", "ANN LEE"),
        ("  spaced   out  ", "SPACED OUT"),
    ],
)
def test_given_unicode_text_when_written_for_x12_then_basic_upper_case(
    given: str, expected: str
) -> None:
    # Given a name as a referral spells it / When written for X12 / Then basic upper case
    assert x12_text(given) == expected


def test_given_latin_spelling_beside_chinese_when_read_then_latin_spelling_wins() -> None:
    assert latin_spelling("陈伟\uff08Chen Wei\uff09") == "Chen Wei"
    assert latin_spelling("陈伟 (陈)") == "陈伟 (陈)"  # no Latin letters inside: transliterate


def test_given_other_delimiters_when_written_then_those_delimiters_dropped() -> None:
    pipes = Delimiters(element="|", repetition="!", component="&", segment="\n")
    assert x12_text("A|B!C&D*E", delimiters=pipes) == "ABCD*E"


def test_given_long_transliteration_when_written_then_cut_to_element_maximum() -> None:
    assert len(x12_text("陈" * 60, max_length=60)) == 60


def test_given_name_without_letters_when_required_then_build_error_without_the_value() -> None:
    with pytest.raises(X12BuildError, match="subscriber last name has no letters") as caught:
        x12_name("😀😀", max_length=60, what="subscriber last name")
    assert "😀" not in str(caught.value)


def _inquiry(first: str, last: str) -> EligibilityInquiry:
    return EligibilityInquiry(
        payer_name="Sandbox Salud Médica",
        payer_id="SBX01",
        provider_name="Farmacia Infusión*Casa",
        provider_npi="1881000008",
        subscriber=SubscriberInfo(
            first_name=first, last_name=last, dob=date(1970, 1, 2), member_id="SBP000000101"
        ),
        service_date=date(2026, 2, 2),
        trace_number="T1",
    )


def _request(first: str, last: str) -> ReviewRequest:
    return ReviewRequest(
        trace_number="PA0001",
        umo=Party("Sandbox Salud Médica", "SBX01", "PI"),
        requester=Party(
            "Farmacia Infusión", "1881000008", phone="312-555-0150", contact_name="Mª José~Ruiz"
        ),
        subscriber=Member(first, last, date(1970, 1, 2), "M", "SBP000000101", "GRP^1"),
        diagnoses=(Diagnosis("D80.1", principal=True),),
        services=(ServiceLine("J1569", 10),),
        event_start=date(2026, 3, 1),
        providers=(("DN", Party("Pérez", "1234567893", first_name="Ana", is_person=True)),),
    )


def test_given_accented_and_chinese_names_when_270_and_278_built_then_basic_only() -> None:
    # Given patients named NÚÑEZ JOSÉ and 陈伟
    for first, last, nm1 in (("JOSÉ", "NÚÑEZ", "NUNEZ*JOSE"), ("伟", "陈", "CHEN*WEI")):
        # When the 270 and the 278 are built
        x270 = build_270(_inquiry(first, last))
        x278 = build_278_request(_request(first, last))
        # Then both hold only the basic character set, with the names transliterated
        for text in (x270, x278):
            assert is_basic(text) and text.isascii()
            assert f"NM1*IL*1*{nm1}****MI*SBP000000101~" in text
        assert "NM1*PR*2*SANDBOX SALUD MEDICA" in x270 and "FARMACIA INFUSIONCASA" in x270
        assert "PER*IC*MA JOSERUIZ" in x278 and "REF*6P*GRP1~" in x278
        assert parse_278(x278).transactions[0].subscriber is not None


names = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=60
).filter(lambda s: s.strip())


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=names, last=names)
def test_property_any_unicode_name_builds_basic_x12_or_a_plain_build_error(
    first: str, last: str
) -> None:
    # Given any Unicode first and last name
    try:
        # When the 270 and the 278 request are built
        x270 = build_270(_inquiry(first, last))
        x278 = build_278_request(_request(first, last))
    except X12BuildError as exc:
        # Then either the name had nothing X12 can carry, said without quoting it
        assert "has no letters or digits" in str(exc)
        assert not any(c.isalnum() for c in x12_text(last))
        return
    # Or both are basic-character-set X12 that our parser reads back, name in upper case
    assert is_basic(x270) and is_basic(x278)
    subscriber = parse_278(x278).transactions[0].subscriber
    assert subscriber is not None and subscriber.entity is not None
    assert subscriber.entity.last_or_org_name == x12_text(last, max_length=60)
    assert set(subscriber.entity.last_or_org_name) <= BASIC_CHARACTERS


@pytest.mark.parametrize(
    ("first", "last", "nm1"), [("JOSÉ", "NÚÑEZ", "NUNEZ*JOSE"), ("伟", "陈", "CHEN*WEI")]
)
def test_given_unicode_patient_when_build_270_command_then_basic_x12(
    run: Run, tmp_path: Path, first: str, last: str, nm1: str
) -> None:
    # Given an inquiry JSON for the patient, written as UTF-8
    inquiry = tmp_path / "inquiry.json"
    inquiry.write_text(_inquiry(first, last).model_dump_json(), encoding="utf-8")
    # When the command builds the 270
    code, out, err = run("x12", "build-270", str(inquiry), "--control-number", "7")
    # Then it succeeds with basic-character-set X12 naming the patient
    assert code == 0, err
    assert is_basic(out.strip()) and f"NM1*IL*1*{nm1}****MI*" in out


def test_given_symbol_only_name_when_build_270_command_then_exit_2_plain_words(
    run: Run, tmp_path: Path
) -> None:
    inquiry = tmp_path / "inquiry.json"
    inquiry.write_text(json.dumps(json.loads(_inquiry("Ann", "★").model_dump_json())))
    code, out, err = run("x12", "build-270", str(inquiry))
    assert code == 2 and out == ""
    assert "subscriber last name has no letters" in err and "★" not in err
