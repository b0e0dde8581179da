"""270 builder: the TR3 layout, and a round trip through our own parser with correct counts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest

from intake.x12.control_numbers import SequentialControlNumbers
from intake.x12.delimiters import Delimiters
from intake.x12.envelope import parse_interchange
from intake.x12.t270 import (
    HOME_INFUSION_SERVICE_TYPES,
    EligibilityInquiry,
    build_270,
    read_270,
)
from intake_local.samples.sandbox_family import LUCAS_MARTINEZ, ava_martinez_inquiry

NOW = datetime(2026, 1, 5, 9, 30)


@pytest.fixture
def inquiry() -> EligibilityInquiry:
    return ava_martinez_inquiry()


def _build(
    inquiry: EligibilityInquiry, delimiters: Delimiters | None = None, line_ending: str = ""
) -> str:
    return build_270(
        inquiry,
        control_numbers=SequentialControlNumbers(7),
        now=NOW,
        delimiters=delimiters or Delimiters(),
        line_ending=line_ending,
    )


def test_given_subscriber_inquiry_when_building_then_tr3_layout(
    inquiry: EligibilityInquiry,
) -> None:
    text = _build(inquiry)
    ids = [s.split("*")[0] for s in text.split("~") if s]
    assert ids == [
        "ISA",
        "GS",
        "ST",
        "BHT",
        "HL",
        "NM1",
        "HL",
        "NM1",
        "HL",
        "TRN",
        "NM1",
        "REF",
        "DMG",
        "DTP",
        "EQ",
        "SE",
        "GE",
        "IEA",
    ]
    assert "GS*HS*" in text
    assert "ST*270*0007*005010X279A1~BHT*0022*13*REF-0001*20260105*0930~" in text
    assert "NM1*1P*2*SAMPLE HOME INFUSION*****XX*1234567893~" in text
    assert "HL*3*2*22*0~TRN*1*REF-0001*9INTAKE001~NM1*IL*1*MARTINEZ*AVA****MI*SBP000000101~" in text
    assert "DMG*D8*19780314*F~DTP*291*D8*20260201~EQ*30^1^42^43^44^88^12^18~" in text
    assert text.startswith("ISA*00*") and len(text.split("~")[0]) + 1 == 106


def test_given_inquiry_when_round_tripped_then_counts_and_values_survive(
    inquiry: EligibilityInquiry,
) -> None:
    text = _build(inquiry)
    ic = parse_interchange(text, strict=True)
    [tx] = ic.groups[0].transactions
    assert tx.trailer.element(1) == str(len(tx.segments) + 2) == "14"
    assert ic.groups[0].trailer.element(1) == "1" and ic.trailer.element(1) == "1"
    [q] = read_270(text)
    assert (q.payer.id, q.provider.id, q.trace_number) == ("SBX01", "1234567893", "REF-0001")
    assert q.subscriber.member_id == "SBP000000101"
    assert q.subscriber.dob == date(1978, 3, 14)
    assert q.subscriber.group_number == "SBXGRP100"
    assert q.service_types == HOME_INFUSION_SERVICE_TYPES
    assert q.patient.service_date == date(2026, 2, 1)
    assert q.dependent is None


def test_given_dependent_when_building_then_hl23_carries_trace_and_eq(
    inquiry: EligibilityInquiry,
) -> None:
    with_dep = inquiry.model_copy(update={"dependent": LUCAS_MARTINEZ})
    text = _build(with_dep)
    assert "HL*3*2*22*1~NM1*IL*" in text
    assert (
        "HL*4*3*23*0~TRN*1*REF-0001*9INTAKE001~NM1*03*1*MARTINEZ*LUCAS~"
        "DMG*D8*20120722*M~INS*N*19~DTP*291*D8*20260201~EQ*"
    ) in text
    [q] = read_270(text)
    assert q.dependent is not None and q.dependent.relationship_code == "19"
    assert q.trace_number == "REF-0001" and q.subscriber.trace_numbers == ()


def test_given_payer_service_types_when_building_then_eq_repeats_them(
    inquiry: EligibilityInquiry,
) -> None:
    custom = inquiry.model_copy(update={"service_types": ("30", "42")})
    assert "EQ*30^42~" in _build(custom)


def test_given_other_delimiters_when_building_then_still_parses(
    inquiry: EligibilityInquiry,
) -> None:
    text = _build(inquiry, delimiters=Delimiters("|", "^", ">", "~"), line_ending="\r\n")
    assert "EQ|30^1^42" in text and "~\r\n" in text
    assert read_270(text)[0].service_types[:3] == ("30", "1", "42")


def test_given_default_control_numbers_when_building_twice_then_isa13_differs(
    inquiry: EligibilityInquiry,
) -> None:
    first = parse_interchange(build_270(inquiry)).control_number
    second = parse_interchange(build_270(inquiry)).control_number
    assert first != second and len(first) == 9


@pytest.mark.parametrize(
    "name", ["lfh-subscriber-health-benefit-check.270", "lfh-dependent-health-benefit-check.270"]
)
def test_given_public_270_when_reading_then_patient_found(
    shared_x12: Callable[[str], str], name: str
) -> None:
    [q] = read_270(shared_x12(name))
    assert q.payer.id == "842610001"
    assert q.trace_number == "93175-012547"
    assert q.service_types == ("30",)
    assert q.subscriber.member_id == "11122333301"


def test_given_bad_service_type_when_building_inquiry_then_validation_error(
    inquiry: EligibilityInquiry,
) -> None:
    with pytest.raises(ValueError, match="service type code"):
        EligibilityInquiry.model_validate({**inquiry.model_dump(), "service_types": ["30", "ABC"]})
