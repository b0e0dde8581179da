"""HL7 v2 referrals and infusion orders (REF^I12, RDE^O11, ORM^O01) → draft.

Library: python-hl7 (``hl7`` on PyPI) rather than hl7apy. Both are maintained; hl7apy
validates against per-version message structures, which is what we do *not* want at intake:
clinic interface engines send v2.3-v2.8 with local quirks, and a structure error must still
yield a draft for the liaison. python-hl7 reads any message with whatever separators MSH
declares, unescapes values and has no dependencies; on the public REF^I12 sample it parses in
~8 ms where hl7apy took 130-390 ms. Mapping is by segment (wherever it appears), so a REF^I12
that also carries RXO/RXR segments is read as well as an RDE^O11.

Where the order sits: RDE^O11 (RXE-2 give code with NDC, RXE-3/5 dose, RXR route, TQ1 or
RXE-1 timing, RXC components, RXE-27 indication); ORM^O01 (ORC-7 timing, OBR-4 service code
(HCPCS), RXO for the drug, DG1). REF^I12 has no pharmacy segments, so the order travels in
PR1-3 / OBR-4 (HCPCS) and OBX observations whose OBX-3 code or text is one of: DRUG, NDC,
HCPCS, DOSE, ROUTE, FREQ/FREQUENCY, DURATION, START, SITE (site of care); other text OBX
and NTE segments become clinical notes.

Which messages are referrals is data (``_ORDER_MESSAGES``, HL7 v2.5.1 chapter 4A pharmacy
orders and chapter 11 referrals; ORM^O01 from v2.3/2.4): any other message (ADT, ORU, VXU,
RDS...) is refused naming what it is. Several orders (ORC groups with RXE/RXO) are each named;
the first is read and the liaison confirms. Inside an RDE^O11 order group the RXR and TQ1
that follow RXE belong to it (the encoded order), those before it to the RXO part. Amounts
are read with their unit component: the unit's identifier unless it is a bare number, then
its text. OBX, DG1, PR1 and RXA become clinical facts; OBX weights and heights (LOINC, or a
hospital's own code whose text and unit say so) fill the patient (``referrals.measures``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from intake.models.draft import Draft, get_path, set_path
from intake.referrals.limits import LimitExceededError, Limits
from intake.referrals.measures import Measure, body_measure, fact, put_facts, put_measures
from intake.referrals.outcome import Extraction
from intake.referrals.values import (
    digits,
    duration_text,
    frequency_text,
    hl7_date,
    hl7_datetime,
    route_text,
)

_ICD10_SYSTEMS = {"I10", "I10C", "I10CM", "ICD10", "ICD10CM", "ICD-10-CM", "ICD-10", "I10-CM"}
_NDC_SYSTEMS = {"NDC", "N4", "NDC11", "NDC10"}
_HCPCS_SYSTEMS = {"HCPCS", "HCPC", "HCPCSII", "C4", "CPT", "CPT4", "CPT-4"}
_RELATIONSHIP = {
    "SEL": "self",
    "SELF": "self",
    "01": "spouse",
    "SPO": "spouse",
    "CHD": "child",
    "19": "child",
    "DOM": "spouse",
}
_REFERENCE_OK = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_OBX_FIELDS = {
    "DRUG": "drug_name",
    "MEDICATION": "drug_name",
    "NDC": "ndc",
    "HCPCS": "hcpcs",
    "DOSE": "dose",
    "ROUTE": "route",
    "FREQ": "frequency",
    "FREQUENCY": "frequency",
    "DURATION": "duration",
    "START": "start_date",
    "START DATE": "start_date",
    "SITE": "site_of_care",
    "SITE OF CARE": "site_of_care",
}


class _Seg:
    """Typed, never-raising access to one python-hl7 segment (1-based like the standard)."""

    def __init__(self, segment: Any) -> None:
        self._seg = segment
        self.name = str(segment[0]).strip()
        self._read: dict[tuple[int, int, int, int], str] = {}

    def get(self, field: int, comp: int = 1, sub: int = 1, rep: int = 1) -> str:
        key = (field, comp, sub, rep)
        if key in self._read:  # the mapping and the facts read the same components
            return self._read[key]
        if field >= len(self._seg):  # absent field: skip python-hl7's checks (most lookups)
            self._read[key] = ""
            return ""
        try:
            value = str(self._seg.extract_field(1, field, rep, comp, sub)).strip()
        except (IndexError, ValueError, TypeError, AttributeError, KeyError):
            value = ""
        self._read[key] = value
        return value

    def reps(self, field: int) -> int:
        try:
            return len(self._seg(field)) if field < len(self._seg) else 0
        except (IndexError, TypeError):
            return 0


def _put(draft: Draft, path: str, value: Any, *, override: bool = False) -> None:
    if value is None or value == "":
        return
    if override or get_path(draft, path) is None:
        set_path(draft, path, value)


def _phone(seg: _Seg, field: int, want: tuple[str, ...] = ("PH", "CP", "")) -> str | None:
    """XTN: unformatted (12), area+local (6, 7), then the old formatted first component."""
    for rep in range(1, max(seg.reps(field), 1) + 1):
        if seg.get(field, 3, rep=rep).upper() not in want:
            continue
        number = (
            seg.get(field, 12, rep=rep)
            or (seg.get(field, 6, rep=rep) + seg.get(field, 7, rep=rep))
            or seg.get(field, 1, rep=rep)
        )
        if len(digits(number)) >= 10:
            return number
    return None


def _address(draft: Draft, prefix: str, seg: _Seg, field: int) -> None:
    # XAD-1 is an SAD: street or mailing address & street name & dwelling number; senders
    # that split "1000&Hospital Lane" mean one street line.
    street, name = seg.get(field, 1, 1), seg.get(field, 1, 2)
    _put(draft, f"{prefix}.line1", f"{street} {name}" if name and name not in street else street)
    _put(draft, f"{prefix}.line2", seg.get(field, 2))
    _put(draft, f"{prefix}.city", seg.get(field, 3))
    _put(draft, f"{prefix}.state", seg.get(field, 4))
    _put(draft, f"{prefix}.postal_code", seg.get(field, 5))


def _person(draft: Draft, prefix: str, seg: _Seg, field: int, *, xcn: bool = False) -> None:
    """XPN (family^given^middle^suffix^prefix^degree) or XCN (id first, NPI in XCN-13)."""
    shift = 1 if xcn else 0
    _put(draft, f"{prefix}.last_name", seg.get(field, 1 + shift))
    _put(draft, f"{prefix}.first_name", seg.get(field, 2 + shift))
    if prefix == "patient":
        _put(draft, f"{prefix}.middle_name", seg.get(field, 3 + shift))
    if prefix == "prescriber":
        _put(draft, f"{prefix}.credentials", seg.get(field, 6 + shift))
    if xcn and seg.get(field, 1) and seg.get(field, 13).upper() in {"NPI", ""}:
        _put(draft, f"{prefix}.npi", seg.get(field, 1))


def _coded(seg: _Seg, field: int, rep: int = 1) -> tuple[str, str, str]:
    """CWE/CE → (code, text, coding system), checking the alternate triplet too."""
    code, text, system = (
        seg.get(field, 1, rep=rep),
        seg.get(field, 2, rep=rep),
        seg.get(field, 3, rep=rep),
    )
    alt = (seg.get(field, 4, rep=rep), seg.get(field, 5, rep=rep), seg.get(field, 6, rep=rep))
    known = _NDC_SYSTEMS | _HCPCS_SYSTEMS | _ICD10_SYSTEMS
    if system.upper() not in known and alt[0] and alt[2].upper() in known:
        return alt[0], alt[1] or text, alt[2].upper()
    return code, text, system.upper()


# FDA NDC Directory: the 10-digit NDC is printed in three segments, 4-4-2, 5-3-2 or 5-4-1;
# a hyphenated code of one of these shapes is an NDC even when the sender names no system.
_NDC_PRINTED = re.compile(r"^(\d{4}-\d{4}-\d{2}|\d{5}-\d{3}-\d{2}|\d{5}-\d{4}-\d)$")
# ICD-10-CM code shape (CMS ICD-10-CM tabular: letter, digit, alphanumeric, then up to four
# after the dot): a diagnosis with no coding system is kept only when it has this shape.
_ICD10_SHAPE = re.compile(r"^[A-TV-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")


def _drug_code(draft: Draft, seg: _Seg, field: int) -> None:
    """CWE give code: NDC and/or HCPCS, in the primary or the alternate triplet."""
    for first in (1, 4):
        code, text, system = (seg.get(field, first + i) for i in range(3))
        if system.upper() in _NDC_SYSTEMS or (not system and _NDC_PRINTED.match(code)):
            _put(draft, "therapy.ndc", code)
        elif system.upper() in _HCPCS_SYSTEMS:
            _put(draft, "therapy.hcpcs", code)
        if first == 1:
            _put(draft, "therapy.drug_name", text)


_QUANTITY = re.compile(r"^\d[\d.,]*\s+\S")
_BARE_NUMBER = re.compile(r"^[\d.]+$")


def _unit(seg: _Seg, field: int) -> str:
    """CWE/CE units: the identifier, unless it is a bare number (a local code), then the text."""
    ident, text = seg.get(field, 1), seg.get(field, 2)
    if ident and not _BARE_NUMBER.match(ident):
        return ident
    return text


def _dose(draft: Draft, seg: _Seg, amount_field: int, unit_field: int, problems: list[str]) -> None:
    """Give amount (e.g. RXE-3) with its units (RXE-5); a unit that is missing or holds a
    quantity leaves the dose empty and says which component to check."""
    amount = seg.get(amount_field)
    if not amount:
        return
    where = f"{seg.name}-{unit_field}"
    unit = _unit(seg, unit_field)
    if not unit:
        problems.append(f"{where}: the amount {amount!r} has no unit; the dose needs checking")
    elif _QUANTITY.match(unit):
        problems.append(
            f"{where} (units) holds {unit!r}, a quantity and not a unit; the dose needs checking"
        )
    else:
        _put(draft, "therapy.dose", f"{amount} {unit}")


def _diagnosis(draft: Draft, code: str, text: str, system: str) -> None:
    if not code or (system and system not in _ICD10_SYSTEMS):
        return
    if not system and not _ICD10_SHAPE.match(code.upper()):
        return
    known = [d.get("code") for d in draft.get("diagnoses", [])]
    if code in known:
        return
    entry = {"code": code, **({"description": text} if text else {})}
    draft.setdefault("diagnoses", []).append(entry)


def _msh(draft: Draft, seg: _Seg) -> None:
    _put(draft, "received_at", hl7_datetime(seg.get(7)))


def _rf1(draft: Draft, seg: _Seg) -> None:
    ref = seg.get(6)
    if _REFERENCE_OK.match(ref):
        _put(draft, "clinic_reference", ref)


def _prd(draft: Draft, seg: _Seg) -> None:
    if seg.get(1).upper() not in {"RP", "RF"}:  # referring provider; RT (referred-to) is us
        return
    _person(draft, "prescriber", seg, 2)
    _put(draft, "prescriber.phone", _phone(seg, 5))
    _put(draft, "prescriber.fax", _phone(seg, 5, ("FX",)))
    for rep in range(1, max(seg.reps(7), 1) + 1):
        if seg.get(7, 2, rep=rep).upper() == "NPI":
            _put(draft, "prescriber.npi", seg.get(7, 1, rep=rep))
    _put(draft, "referring_clinic.name", seg.get(10) or seg.get(4, 9) or seg.get(4, 4))
    if seg.get(10, 7).upper() == "NPI":
        _put(draft, "referring_clinic.npi", seg.get(10, 10))
    _put(draft, "referring_clinic.phone", _phone(seg, 13))
    _put(draft, "referring_clinic.fax", _phone(seg, 13, ("FX",)))


# HL7 table 0131 (contact role): only these name someone at the referring clinic; C
# (emergency contact), N (next of kin), E (employer), I (insurance company), F/S (agencies)
# are the patient's people, never the clinic's.
_CLINIC_CONTACT_ROLES = {"", "CP", "PR", "O"}


def _ctd(draft: Draft, seg: _Seg) -> None:
    """REF^I12 contact data: the person at the clinic who handles the referral."""
    if seg.get(1).upper() not in _CLINIC_CONTACT_ROLES:
        return
    name = " ".join(x for x in (seg.get(2, 2), seg.get(2, 1)) if x)
    _put(draft, "referring_clinic.contact_name", name)


def _pid(draft: Draft, seg: _Seg) -> None:
    _person(draft, "patient", seg, 5)
    _put(draft, "patient.date_of_birth", hl7_date(seg.get(7)))
    _put(draft, "patient.sex", seg.get(8))
    _address(draft, "patient.address", seg, 11)
    _put(draft, "patient.phone", _phone(seg, 13) or _phone(seg, 14))
    _put(draft, "patient.preferred_language", seg.get(15, 1) or seg.get(15, 2))


def _in1(draft: Draft, seg: _Seg) -> None:
    """IN1 set 1 (or the first IN1) is the primary insurance, set 2 the secondary."""
    if "insurance" not in draft:
        prefix = "insurance"
    elif seg.get(1) == "2" and "secondary_insurance" not in draft:
        prefix = "secondary_insurance"
    else:
        return
    _put(draft, f"{prefix}.plan_name", seg.get(2, 2) or seg.get(2, 1))
    _put(draft, f"{prefix}.payer_id", seg.get(3, 1))
    _put(draft, f"{prefix}.payer_name", seg.get(4, 1))
    _put(draft, f"{prefix}.group_number", seg.get(8))
    _put(draft, f"{prefix}.member_id", seg.get(36) or seg.get(49, 1))
    relation = seg.get(17, 1).upper()
    if relation:
        _put(draft, f"{prefix}.relationship", _RELATIONSHIP.get(relation, "other"))
    if relation and _RELATIONSHIP.get(relation) != "self":
        _put(draft, f"{prefix}.subscriber.last_name", seg.get(16, 1))
        _put(draft, f"{prefix}.subscriber.first_name", seg.get(16, 2))
        _put(draft, f"{prefix}.subscriber.date_of_birth", hl7_date(seg.get(18)))


def _in2(draft: Draft, seg: _Seg) -> None:
    _put(draft, "insurance.member_id", seg.get(61, 1))


def _dg1(draft: Draft, seg: _Seg) -> None:
    code, text, system = _coded(seg, 3)
    _diagnosis(draft, code, text or seg.get(4), system)


def _coded_fact(seg: _Seg, kind: str) -> dict[str, Any]:
    """DG1 (condition) and PR1 (procedure) share a layout: 3 the code, 4 its text, 5 the date."""
    code, text, system = _coded(seg, 3)
    return fact(
        kind,
        f"HL7 {seg.name}-{seg.get(1) or '?'}",
        code=code,
        system=system,
        display=seg.get(4) or text,
        effective=hl7_date(seg.get(5)),
    )


def _rxa_fact(seg: _Seg, kind: str) -> dict[str, Any]:
    return fact(
        kind,
        f"HL7 RXA-{seg.get(2) or '?'}",
        code=seg.get(5, 1),
        system=seg.get(5, 3),
        display=seg.get(5, 2),
        value=seg.get(6),
        unit=_unit(seg, 7),
        status=seg.get(20),
        effective=hl7_date(seg.get(3)),
    )


def _orc(draft: Draft, seg: _Seg) -> None:
    ref = seg.get(2, 1)
    if _REFERENCE_OK.match(ref):
        _put(draft, "clinic_reference", ref)
    _person(draft, "prescriber", seg, 12, xcn=True)
    _put(draft, "prescriber.phone", _phone(seg, 14))
    _put(draft, "prescriber.fax", _phone(seg, 14, ("FX",)))
    _put(draft, "referring_clinic.name", seg.get(21, 1))
    if seg.get(21, 7).upper() == "NPI":
        _put(draft, "referring_clinic.npi", seg.get(21, 10))
    _put(draft, "referring_clinic.phone", _phone(seg, 23))
    _put(draft, "referring_clinic.fax", _phone(seg, 23, ("FX",)))
    _tq(draft, seg, 7)


def _tq(draft: Draft, seg: _Seg, field: int) -> None:
    """Old TQ data type (ORC-7, RXE-1): quantity^interval^duration^start."""
    _put(draft, "therapy.frequency", frequency_text(seg.get(field, 2)))
    _put(draft, "therapy.duration", duration_text(seg.get(field, 3)))
    _put(draft, "therapy.start_date", hl7_date(seg.get(field, 4)))


def _tq1(draft: Draft, seg: _Seg) -> None:
    _put(draft, "therapy.frequency", seg.get(3, 2) or frequency_text(seg.get(3, 1)))
    _put(draft, "therapy.duration", duration_text(seg.get(6, 1), seg.get(6, 2) or None))
    _put(draft, "therapy.start_date", hl7_date(seg.get(7)))


def _rxe(draft: Draft, seg: _Seg, problems: list[str]) -> None:
    _drug_code(draft, seg, 2)
    _dose(draft, seg, 3, 5, problems)
    _tq(draft, seg, 1)
    for rep in range(1, max(seg.reps(27), 1) + 1):
        _diagnosis(draft, *_coded(seg, 27, rep))


def _rxo(draft: Draft, seg: _Seg, problems: list[str]) -> None:
    _drug_code(draft, seg, 1)
    if get_path(draft, "therapy.dose") is None:
        _dose(draft, seg, 2, 4, problems)
    for rep in range(1, max(seg.reps(20), 1) + 1):
        _diagnosis(draft, *_coded(seg, 20, rep))


_ROUTES_KNOWN = {"IV", "SC", "IM", "PO"}


def _rxr(draft: Draft, seg: _Seg) -> None:
    """RXR-1 route: the code or the text, whichever names a known route; else as written."""
    code, text = seg.get(1, 1), seg.get(1, 2)
    known = next((r for r in (route_text(code), route_text(text)) if r in _ROUTES_KNOWN), None)
    _put(draft, "therapy.route", known or route_text(text or code))


def _rxc(draft: Draft, seg: _Seg) -> None:
    if seg.get(1).upper() == "A":  # the additive is the drug; the base is the diluent
        _drug_code(draft, seg, 2)


def _obr(draft: Draft, seg: _Seg) -> None:
    code, _text, system = _coded(seg, 4)
    if system in _HCPCS_SYSTEMS:
        _put(draft, "therapy.hcpcs", code)
    if not get_path(draft, "prescriber.last_name"):
        _person(draft, "prescriber", seg, 16, xcn=True)
        _put(draft, "prescriber.phone", _phone(seg, 17))


def _pr1(draft: Draft, seg: _Seg) -> None:
    code, _text, system = _coded(seg, 3)
    if system in _HCPCS_SYSTEMS:
        _put(draft, "therapy.hcpcs", code)


def _obx(draft: Draft, seg: _Seg, notes: list[str]) -> None:
    code, text = seg.get(3, 1).upper(), seg.get(3, 2)
    key = _OBX_FIELDS.get(code) or _OBX_FIELDS.get(text.upper())
    kind = seg.get(2).upper()
    value = seg.get(5, 1)
    if key in {"ndc", "hcpcs", "drug_name"}:
        _put(draft, f"therapy.{key}", value)
        if kind in {"CWE", "CE"} and key != "drug_name":
            _put(draft, "therapy.drug_name", seg.get(5, 2))
    elif key == "route":
        _put(draft, "therapy.route", route_text(value))
    elif key == "frequency":
        _put(
            draft,
            "therapy.frequency",
            seg.get(5, 2) if kind in {"CWE", "CE"} and seg.get(5, 2) else frequency_text(value),
        )
    elif key == "start_date":
        _put(draft, "therapy.start_date", hl7_date(value))
    elif key == "site_of_care":
        _put(draft, "therapy.site_of_care", value.lower().replace(" ", "_"))
    elif key is not None:
        units = seg.get(6, 1)
        _put(draft, f"therapy.{key}", f"{value} {units}".strip() if kind == "NM" else value)
    elif kind in {"TX", "ST", "FT", "CWE", "CE"}:
        texts = [
            seg.get(5, 2 if kind in {"CWE", "CE"} else 1, rep=r)
            for r in range(1, max(seg.reps(5), 1) + 1)
        ]
        body = " ".join(t for t in texts if t)
        if body:
            notes.append(f"{text}: {body}" if text else body)


def _obx_value(seg: _Seg) -> str:
    """OBX-5 as written: coded values by their text (or code), repetitions joined by '~';
    pointers and encapsulated data (RP, ED) are not values a reviewer reads."""
    kind = seg.get(2).upper()
    if kind in {"RP", "ED"}:
        return ""
    coded = kind in {"CWE", "CE", "CNE"}
    values = [
        (seg.get(5, 2, rep=r) or seg.get(5, 1, rep=r)) if coded else seg.get(5, 1, rep=r)
        for r in range(1, max(seg.reps(5), 1) + 1)
    ]
    return "~".join(v for v in values if v)


def _obx_fact(seg: _Seg, index: int) -> dict[str, Any]:
    return fact(
        "observation",
        f"HL7 OBX-{seg.get(1) or index}",
        code=seg.get(3, 1),
        system=seg.get(3, 3),
        display=seg.get(3, 2),
        value=_obx_value(seg),
        unit=_unit(seg, 6),
        interpretation=seg.get(8),
        status=seg.get(11),
        effective=hl7_date(seg.get(14)),
    )


def _obx_measure(seg: _Seg, index: int, problems: list[str]) -> Measure | None:
    if seg.get(2).upper() not in {"NM", "SN", "ST", ""}:
        return None
    # SN (structured numeric): comparator^number; "^82" is 82, ">^82" is not a measurement
    value = seg.get(5, 1)
    if seg.get(2).upper() == "SN":
        value = seg.get(5, 2) if value in {"", "="} else ""
    return body_measure(
        code=seg.get(3, 1),
        system=seg.get(3, 3),
        text=seg.get(3, 2),
        value=value,
        unit=_unit(seg, 6),
        measured_on=hl7_date(seg.get(14)),
        problems=problems,
        where=f"OBX-{seg.get(1) or index} ({seg.get(3, 2) or seg.get(3, 1)})",
    )


# Segments read wherever they appear (the patient, coverage, referral and provider parts).
_HANDLERS = {
    "MSH": _msh,
    "RF1": _rf1,
    "PRD": _prd,
    "CTD": _ctd,
    "PID": _pid,
    "IN1": _in1,
    "IN2": _in2,
    "DG1": _dg1,
    "OBR": _obr,
    "PR1": _pr1,
}
# PRD (REF^I12) and ORC/OBR both name the ordering provider; PRD is read first.
_ORDER = ("MSH", "RF1", "PID", "IN1", "IN2", "PRD", "CTD", "DG1")
_AFTER_ORDER = ("OBR", "PR1")

# Messages that order or refer therapy: HL7 v2.5.1 chapter 4A (pharmacy/treatment orders:
# OMP^O09 order, RDE^O11 encoded order, RDE^O25 refill authorization request), chapter 11
# (REF^I12 patient referral) and ORM^O01 (general order, v2.3-2.4; RDE^O01 in v2.3).
_ORDER_MESSAGES = {"REF", "RDE", "OMP", "ORM"}
# What other messages are, to name the refusal (HL7 v2.5.1 chapters 3, 4, 4A, 7, 10).
_OTHER_MESSAGES = {
    "ADT": "a patient administration event (admit, transfer, update)",
    "ORU": "a report of results",
    "OUL": "a report of results",
    "VXU": "an immunization record",
    "RDS": "a pharmacy's report of a dispense already made",
    "RAS": "a report of a medication administered",
    "RGV": "a report of a medication given",
    "OML": "a laboratory order",
    "OMG": "a general clinical order (no medication)",
    "SIU": "a scheduling notice",
    "MDM": "a document notification",
    "DFT": "a financial transaction",
    "BAR": "a billing account record",
    "ACK": "an acknowledgment",
}


def _groups(segs: list[_Seg]) -> list[list[_Seg]]:
    """Order groups: each ORC with the segments up to the next ORC; RXE/RXO/RXC without an
    ORC (v2.3 senders) make one group of the whole message."""
    groups: list[list[_Seg]] = []
    for seg in segs:
        if seg.name == "ORC":
            groups.append([seg])
        elif groups:
            groups[-1].append(seg)
    if groups:
        return groups
    for seg in segs:  # no ORC: an order starts at RXO, or at an RXE after one already seen
        starts = seg.name == "RXO" or (
            seg.name == "RXE" and (not groups or any(s.name == "RXE" for s in groups[-1]))
        )
        if starts:
            groups.append([seg])
        elif groups:
            groups[-1].append(seg)
    return groups


# HL7 table 0119 (order control): these say the order is withdrawn, not to be carried out.
_WITHDRAWN = {"CA", "DC", "OC", "OD", "CR", "DR"}


def _withdrawn(group: list[_Seg]) -> str | None:
    control = next((s.get(1).upper() for s in group if s.name == "ORC"), "")
    return control if control in _WITHDRAWN else None


def _is_drug_order(group: list[_Seg]) -> bool:
    return any(s.name in {"RXE", "RXO"} for s in group)


def _order_label(group: list[_Seg]) -> str:
    for name, field in (("RXE", 2), ("RXO", 1)):
        seg = next((s for s in group if s.name == name), None)
        if seg is not None and (seg.get(field, 1) or seg.get(field, 2)):
            code, text = seg.get(field, 1), seg.get(field, 2)
            return f"{text} ({code})" if text and code else text or code
    return "an order with no drug code"


def _read_order(draft: Draft, group: list[_Seg], problems: list[str]) -> None:
    """One order group into the therapy: RXE (what is dispensed) and the RXR/TQ1 after it
    first, then RXO (what was asked for) with its own RXR/TQ1, RXC, then ORC-7 timing."""
    names = [s.name for s in group]
    cut = names.index("RXE") if "RXE" in names else len(group)
    encoded, requested = group[cut:], group[:cut]
    steps: list[tuple[list[_Seg], str, Callable[[Draft, _Seg], None]]] = [
        (encoded, "RXE", lambda d, s: _rxe(d, s, problems)),
        (encoded, "TQ1", _tq1),
        (encoded, "RXR", _rxr),
        (requested, "TQ1", _tq1),
        (requested, "RXR", _rxr),
        (requested, "RXO", lambda d, s: _rxo(d, s, problems)),
        (group, "RXC", _rxc),
        (group, "ORC", _orc),
    ]
    for part, name, read in steps:
        for seg in part:
            if seg.name == name:
                read(draft, seg)


def _segments(text: str, limits: Limits) -> str:
    """Normalize line ends, strip MLLP framing, cut a one-message batch down to its message."""
    body = text.strip("\x0b\x1c\r\n \ufeff").replace("\r\n", "\r").replace("\n", "\r")
    if len(body.encode("utf-8", "surrogatepass")) > limits.max_hl7_bytes:
        raise LimitExceededError(
            f"the HL7 message is larger than {limits.max_hl7_bytes // 1024} KB"
        )
    lines = [line for line in body.split("\r") if line.strip()]
    if len(lines) > limits.max_hl7_segments:
        raise LimitExceededError(
            f"the HL7 message has more than {limits.max_hl7_segments} segments"
        )
    lines = [line for line in lines if line[:3] not in {"FHS", "BHS", "FTS", "BTS"}]
    starts = [i for i, line in enumerate(lines) if line.startswith("MSH")]
    if len(starts) != 1:
        raise ValueError(
            "the HL7 batch holds no message"
            if not starts
            else f"the HL7 file holds {len(starts)} messages; send one referral per file"
        )
    return "\r".join(lines[starts[0] :])


def _message_kind(segs: list[_Seg]) -> tuple[str, str]:
    code = segs[0].get(9, 1).upper() if segs else ""
    return code, f"{code}^{segs[0].get(9, 2).upper()}" if segs else ""


def parse_hl7(text: str, limits: Limits) -> Extraction:
    """Read one HL7 v2 message; raises ValueError (plain words) if it cannot be parsed at all
    or is not a referral or order."""
    import hl7  # only ingest reads HL7; other functions import this module without the library

    body = _segments(text, limits)
    try:
        message = hl7.parse(body)
    except Exception as exc:  # python-hl7 raises IndexError/ParseException/... on garbage
        raise ValueError(f"the HL7 message is malformed ({type(exc).__name__})") from exc
    segs = [_Seg(s) for s in message]
    code, kind = _message_kind(segs)
    if code and code not in _ORDER_MESSAGES:
        what = _OTHER_MESSAGES.get(code, "a message intake does not read")
        raise ValueError(
            f"the HL7 {kind} message is {what}, not a referral or order: send a REF^I12, "
            "RDE^O11, OMP^O09 or ORM^O01"
        )
    draft: Draft = {}
    problems: list[str] = []
    doubts: list[str] = []
    notes: list[str] = []
    names = {s.name for s in segs}
    if "PID" not in names:
        problems.append(f"the HL7 {kind} message has no PID segment (patient)")
    if "IN1" not in names:
        problems.append(f"the HL7 {kind} message has no IN1 segment (insurance)")
    for name in _ORDER:
        for seg in (s for s in segs if s.name == name):
            _HANDLERS[name](draft, seg)
    groups = _groups(segs)
    withdrawn = [g for g in groups if _is_drug_order(g) and _withdrawn(g)]
    drug_orders = [g for g in groups if _is_drug_order(g) and not _withdrawn(g)]
    if withdrawn:
        problems.append(
            "not read as the order (ORC-1 "
            + "; ".join(f"{_withdrawn(g)}: {_order_label(g)}" for g in withdrawn)
            + "): a cancelled or discontinued order is not a referral"
        )
    for group in (drug_orders or [g for g in groups if not _is_drug_order(g)])[:1]:
        _read_order(draft, group, problems)
    if len(drug_orders) > 1:
        labels = "; ".join(f"{i}. {_order_label(g)}" for i, g in enumerate(drug_orders, 1))
        doubts.append(
            f"the HL7 {kind} message holds {len(drug_orders)} orders ({labels}); the first was "
            "read: confirm which therapy this referral is for and send the others apart"
        )
    for name in _AFTER_ORDER:
        for seg in (s for s in segs if s.name == name):
            _HANDLERS[name](draft, seg)
    facts: list[dict[str, Any]] = []
    measures: list[Measure] = []
    rxa_kind = "immunization" if code == "VXU" else "medication"
    for index, seg in enumerate(segs, 1):
        if seg.name == "OBX":
            _obx(draft, seg, notes)
            if not (_OBX_FIELDS.keys() & {seg.get(3, 1).upper(), seg.get(3, 2).upper()}):
                facts.append(_obx_fact(seg, index))  # the order's own OBX are not findings
            if (measure := _obx_measure(seg, index, problems)) is not None:
                measures.append(measure)
        elif seg.name == "NTE" and seg.get(3):
            notes.append(seg.get(3))
        elif seg.name == "DG1":
            facts.append(_coded_fact(seg, "condition"))
        elif seg.name == "PR1":
            facts.append(_coded_fact(seg, "procedure"))
        elif seg.name == "RXA":
            facts.append(_rxa_fact(seg, rxa_kind))
    put_measures(draft, measures)
    if notes:
        _put(draft, "clinical_notes", "\n".join(notes))
    if len(draft) == 1 and "received_at" in draft:
        draft.clear()
        problems.append(f"the HL7 {kind} message holds a header (MSH) but no referral segments")
    else:
        put_facts(draft, [f for f in facts if len(f) > 2], problems)
    return Extraction(draft=draft, problems=problems, doubts=doubts).structured()
