"""Structured body weight and height in clinics' messages, and clinical facts for the draft.

Shared by the HL7 v2 and FHIR readers. Which observation is a weight or a height comes from
LOINC (the codes below, with their LOINC long names); a hospital's own code counts when its
text says weight or height AND its unit is a mass or a length: the unit decides, never a
default. A weight without a unit is not read (unknown is an answer); the reader says why.

Unit factors are the exact UCUM definitions (UCUM, "The Unified Code for Units of Measure",
table of customary units: [lb_av] = 7000 [gr] = 0.45359237 kg, [oz_av] = 1/16 [lb_av],
[in_i] = 2.54 cm, [ft_i] = 12 [in_i]); the words beside each UCUM code are the spellings
clinics' interfaces send (HL7 v2 OBX-6 is often free text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from intake.models.referral import MAX_CLINICAL_FACTS

LOINC = "http://loinc.org"
# LOINC codes (loinc.org, long common names): body weight and body height observations.
WEIGHT_LOINC = {
    "29463-7": "Body weight",
    "3141-9": "Body weight Measured",
}
HEIGHT_LOINC = {
    "8302-2": "Body height",
    "3137-7": "Body height Measured",
    "8306-3": "Body height --lying",
}
_LOINC_SYSTEMS = {"LN", "LOINC", LOINC}

# UCUM code → (kind, factor to kg or cm), with the spellings seen in OBX-6 / Quantity.unit.
_UNITS: dict[str, tuple[str, float]] = {}
for _codes, _kind, _factor in (
    (("kg", "kgs", "kilogram", "kilograms"), "mass", 1.0),
    (("g", "gm", "gram", "grams"), "mass", 0.001),
    (("[lb_av]", "lb", "lbs", "pound", "pounds"), "mass", 0.45359237),
    (("[oz_av]", "oz", "ounce", "ounces"), "mass", 0.45359237 / 16),
    (("cm", "centimeter", "centimeters", "centimetre", "centimetres"), "length", 1.0),
    (("m", "meter", "meters", "metre", "metres"), "length", 100.0),
    (("[in_i]", "in", "inch", "inches"), "length", 2.54),
    (("[ft_i]", "ft", "foot", "feet"), "length", 30.48),
):
    for _code in _codes:
        _UNITS[_code] = (_kind, _factor)

_WEIGHT_WORDS = re.compile(r"\b(weight|wt|wgt)\b", re.IGNORECASE)
_HEIGHT_WORDS = re.compile(r"\b(height|ht|hgt|length)\b", re.IGNORECASE)
_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*$")


@dataclass(frozen=True)
class Measure:
    """A weight (kg) or height (cm) read from one observation, with its date if given."""

    kind: str  # "weight" | "height"
    value: float
    measured_on: str | None


def body_measure(
    *,
    code: str | None,
    system: str | None,
    text: str | None,
    value: str | None,
    unit: str | None,
    measured_on: str | None,
    problems: list[str],
    where: str,
) -> Measure | None:
    """A weight or height when the observation is one (by LOINC, or by its text and unit)."""
    by_loinc = None
    if code and (system or "").strip() in _LOINC_SYSTEMS | {""}:
        by_loinc = "weight" if code in WEIGHT_LOINC else "height" if code in HEIGHT_LOINC else None
    words = " ".join(x for x in (text, code) if x)
    by_text = (
        "weight"
        if _WEIGHT_WORDS.search(words)
        else "height"
        if _HEIGHT_WORDS.search(words)
        else None
    )
    kind = by_loinc or by_text
    if kind is None:
        return None
    number = _NUMBER.match(value or "")
    if number is None:
        if by_loinc is not None and value:
            problems.append(f"{where}: the {kind} {value!r} is not a number; it was not read")
        return None
    unit_text = (unit or "").strip()
    known = _UNITS.get(unit_text) or _UNITS.get(unit_text.lower())
    want = "mass" if kind == "weight" else "length"
    if known is None or known[0] != want:
        if by_loinc is not None or not unit_text:
            said = f"in {unit_text!r}" if unit_text else "without a unit"
            problems.append(f"{where}: a {kind} given {said} was not read; the unit is needed")
        return None
    scaled = float(number[1]) * known[1]
    return Measure(kind, round(scaled, 1), measured_on)


def put_measures(draft: dict[str, Any], measures: list[Measure]) -> None:
    """The most recent weight and height (by date; undated ones only when nothing is dated)."""
    for kind, path in (("weight", "weight_kg"), ("height", "height_cm")):
        found = [m for m in measures if m.kind == kind]
        if not found:
            continue
        best = max(found, key=lambda m: m.measured_on or "")
        patient = draft.setdefault("patient", {})
        patient.setdefault(path, best.value)
        if kind == "weight" and best.measured_on and patient.get(path) == best.value:
            patient.setdefault("weight_measured_on", best.measured_on)


_LIMITS = {"code": 64, "system": 200, "unit": 40, "interpretation": 40, "status": 40}


def fact(kind: str, source: str, **values: str | None) -> dict[str, Any]:
    """A clinical fact shaped for ``ClinicalFact``: empty values dropped, long ones cut."""
    out: dict[str, Any] = {"kind": kind, "source": source[:120]}
    for key, value in values.items():
        if value is None or not str(value).strip():
            continue
        text = str(value).strip()
        out[key] = text[: _LIMITS.get(key, 2000)]
    return out


def put_facts(draft: dict[str, Any], facts: list[dict[str, Any]], problems: list[str]) -> None:
    if not facts:
        return
    if len(facts) > MAX_CLINICAL_FACTS:
        problems.append(
            f"the message holds {len(facts)} clinical facts; the first {MAX_CLINICAL_FACTS} "
            "were kept"
        )
    draft["clinical_facts"] = facts[:MAX_CLINICAL_FACTS]
