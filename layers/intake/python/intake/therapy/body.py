"""The patient's weight and height, from every place a referral writes them.

Structured values come first: ``Patient.weight_kg`` / ``height_cm`` (filled by the format
readers from our JSON, a FHIR Observation or an HL7 OBX), then a coded body weight or height
among the referral's clinical facts (LOINC 29463-7 / 3141-9 body weight, 8302-2 body height,
with a UCUM unit). Only when neither says does free text count: the clinical notes and the
order as written (the sig), read by whole number-and-unit phrases ("wt 187 lb", "85.2 kg",
"150#", "Ht 5'6\"", "6'1\"", "170 cm").

Conversions are the exact definitions (NIST SP 811 appendix B / the 1959 international yard
and pound agreement): 1 lb = 0.45359237 kg, 1 in = 2.54 cm; nothing is rounded before it is
used (a tier edge such as "less than 60 kg" must see 59.87 kg, not 60).

Unknown is an answer: no weight anywhere gives ``None`` and the caller says "weight needed";
a height never stands in for a weight, and two weights in the notes that disagree are not
chosen between (the reader reports both, the weight stays unknown). No value read here is
ever logged (a weight is PHI); only where it was found.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from intake.models.referral import ClinicalFact, ClinicalFactKind, Referral

KG_PER_LB = Decimal("0.45359237")
"""Exact by definition (NIST SP 811, B.8: 1 lb (avoirdupois) = 0.45359237 kg)."""
CM_PER_IN = Decimal("2.54")
"""Exact by definition (NIST SP 811, B.8: 1 in = 2.54 cm)."""
WEIGHT_LOINC = frozenset({"29463-7", "3141-9"})
"""LOINC Body weight, Body weight Measured."""
HEIGHT_LOINC = frozenset({"8302-2", "8306-3", "8308-9"})
"""LOINC Body height, Body height --lying, Body height --standing."""
_UCUM_KG = {"kg": Decimal(1), "g": Decimal("0.001"), "[lb_av]": KG_PER_LB, "lb": KG_PER_LB}
_UCUM_CM = {"cm": Decimal(1), "m": Decimal(100), "[in_i]": CM_PER_IN, "in": CM_PER_IN}
_AGREE_KG = Decimal("0.1")
"""Two readings of one weight within this are the same weight written twice."""

Where = Literal["structured", "clinical fact", "clinical notes", "order"]

_NUMBER = r"(\d{1,3}(?:\.\d{1,2})?)"
_WEIGHT_CUE = r"(?:\b(?:wt|wgt|weight|weighs|body\s+weight|bw)\b\.?\s*(?:(?:is|of|=|:|-)\s*)?)"
_WEIGHT_RE = re.compile(
    rf"(?<![\w./])(?P<n1>{_NUMBER})\s*(?P<unit>kgs?|kilograms?|lbs?|pounds?)\b(?!\s*/)"
    rf"|{_WEIGHT_CUE}(?P<n2>{_NUMBER})\s*(?P<hash>#)",
    re.IGNORECASE,
)
"""A number with a weight unit ("212 lbs", "85.2 kg"; not the "kg" of "5 mg/kg", not "70 kg/m2"),
or a weight cue then a number and "#" (US shorthand for pounds: "wt 150#")."""
_FEET_INCHES_RE = re.compile(
    r"(?<![\w.])([3-7])\s*(?:'|\u2019|ft\.?|feet|foot)\s*(?:(\d{1,2}(?:\.\d)?)\s*(?:\"|\u201d|''|in\.?\b|inch(?:es)?\b)?)?",
    re.IGNORECASE,
)
_CM_RE = re.compile(r"(?<![\w./])(\d{2,3}(?:\.\d)?)\s*cm\b(?!\s*/)", re.IGNORECASE)
_INCHES_RE = re.compile(
    r"\b(?:ht|hgt|height)\b\.?\s*(?:(?:is|of|=|:|-)\s*)?(\d{2}(?:\.\d)?)\s*(?:in\.?\b|inch(?:es)?\b|\")",
    re.IGNORECASE,
)
_CHANGE_AFTER = re.compile(
    r"(?<!\s)\s*(?:of\s+)?(?:weight\s+)?(?:loss|gain|lost|gained|down|up)\b", re.I
)
_CHANGE_BEFORE = re.compile(
    r"(?:\b(?:lost|gained|loss of|gain of|down|up|by|lift\w*|restrict\w*|carry\w*|max"
    r"|over|under|than|limit\w*)|[+±])\s*$",
    re.I,
)
"""A change of weight or a lifting limit ("lost 12 lb", "lifting restriction 10 lb"): no weight."""
_HEIGHT_CUE = re.compile(r"\b(?:ht|hgt|height|tall)\b", re.IGNORECASE)
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_US_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")


@dataclass(frozen=True, slots=True)
class Measure:
    """One weight (kg) or height (cm) and where it was written."""

    value: Decimal
    """kg for a weight, cm for a height; full precision (shown rounded, used as is)."""
    written: str
    """As the clinic wrote it ("wt 187 lb"), for a person to confirm; never logged."""
    where: Where
    measured_on: date | None = None

    @property
    def shown(self) -> str:
        return f"{self.value.quantize(Decimal('0.1')).normalize():f}"


@dataclass(frozen=True, slots=True)
class Body:
    """What the referral says of the patient's weight and height."""

    weight: Measure | None
    height: Measure | None
    conflicts: tuple[str, ...] = ()
    """Why a value found is not used (two weights that disagree), in words without values."""

    @property
    def weight_kg(self) -> Decimal | None:
        return None if self.weight is None else self.weight.value

    @property
    def height_cm(self) -> Decimal | None:
        return None if self.height is None else self.height.value


def dates_in(text: str) -> list[date]:
    """Every calendar date written in ``text`` (2026-11-20, 11/20/2026); invalid ones skipped."""
    found = [(int(y), int(m), int(d)) for y, m, d in _ISO_DATE.findall(text)]
    found += [(int(y), int(m), int(d)) for m, d, y in _US_DATE.findall(text)]
    out = []
    for y, m, d in found:
        try:
            out.append(date(y, m, d))
        except ValueError:
            continue
    return out


def read_weights(text: str | None) -> list[tuple[Decimal, str]]:
    """Every weight written in ``text``, in kg (exact), with the words it was read from."""
    out: list[tuple[Decimal, str]] = []
    for m in _WEIGHT_RE.finditer(text or ""):
        if m.group("hash"):
            number, per = m.group("n2"), KG_PER_LB
        else:
            number = m.group("n1")
            per = Decimal(1) if m.group("unit").lower().startswith("k") else KG_PER_LB
        after = text[m.end() : m.end() + 20] if text else ""
        before = text[max(0, m.start() - 12) : m.start()] if text else ""
        if _CHANGE_AFTER.match(after) or _CHANGE_BEFORE.search(before):
            continue  # a change of weight ("lost 12 lb", "5 kg weight loss"), not a weight
        out.append((Decimal(number) * per, m.group(0).strip()))
    return out


def read_heights(text: str | None) -> list[tuple[Decimal, str]]:
    """Every height written in ``text``, in cm (exact): 5'6", 6 ft 1 in, 170 cm, Ht 66 in.
    Feet-and-inches and inches need a height cue or the inch mark (a bare "5'" is not one)."""
    text = text or ""
    out: list[tuple[Decimal, str]] = []
    for m in _FEET_INCHES_RE.finditer(text):
        before = text[max(0, m.start() - 12) : m.start()]
        if m.group(2) is None and not _HEIGHT_CUE.search(before):
            continue
        inches = Decimal(m.group(1)) * 12 + Decimal(m.group(2) or 0)
        out.append((inches * CM_PER_IN, m.group(0).strip()))
    for m in _INCHES_RE.finditer(text):
        out.append((Decimal(m.group(1)) * CM_PER_IN, m.group(0).strip()))
    for m in _CM_RE.finditer(text):
        before = text[max(0, m.start() - 12) : m.start()]
        if _HEIGHT_CUE.search(before) or Decimal(m.group(1)) >= 100:
            out.append((Decimal(m.group(1)), m.group(0).strip()))
    return out


def _fact_value(fact: ClinicalFact, units: dict[str, Decimal]) -> Decimal | None:
    if fact.value is None or fact.unit is None:
        return None
    per = units.get(fact.unit.strip())
    try:
        return None if per is None else Decimal(fact.value.strip()) * per
    except ArithmeticError:
        return None


def _from_facts(
    facts: list[ClinicalFact], codes: frozenset[str], units: dict[str, Decimal]
) -> Measure | None:
    best: Measure | None = None
    for f in facts:
        if f.kind is not ClinicalFactKind.OBSERVATION or f.code not in codes:
            continue
        value = _fact_value(f, units)
        if value is None:
            continue
        m = Measure(value, f"{f.value} {f.unit}", "clinical fact", f.effective)
        if best is None or (m.measured_on or date.min) > (best.measured_on or date.min):
            best = m
    return best


def _from_text(
    referral: Referral, kind: Literal["weight", "height"]
) -> tuple[Measure | None, tuple[str, ...]]:
    t = referral.therapy
    order = " ".join((t.dose, t.frequency, t.duration))
    return _read_texts(referral.clinical_notes or "", order, kind)


@functools.lru_cache(maxsize=256)
def _read_texts(
    notes: str, order: str, kind: Literal["weight", "height"]
) -> tuple[Measure | None, tuple[str, ...]]:
    """The measure the notes and the order agree on (cached by text: a referral's plan, its
    estimate and its packet each ask, and the answer is immutable)."""
    reader = read_weights if kind == "weight" else read_heights
    texts: list[tuple[Where, str]] = [("clinical notes", notes), ("order", order)]
    found: list[Measure] = []
    for where, text in texts:
        for sentence in re.split(r"(?<=[.;!?])\s+|\n+", text):
            dated = max(dates_in(sentence), default=None)
            found += [Measure(v, w, where, dated) for v, w in reader(sentence)]
    if not found:
        return None, ()
    tolerance = _AGREE_KG if kind == "weight" else Decimal(1)
    if max(m.value for m in found) - min(m.value for m in found) > tolerance:
        return None, (
            f"the {where_words(found)} give different {kind}s: a person must say which is current",
        )
    return found[0], ()


def where_words(found: list[Measure]) -> str:
    return " and ".join(sorted({m.where for m in found}))


def body_of(referral: Referral) -> Body:
    """The patient's weight and height: structured first, then coded facts, then free text."""
    p = referral.patient
    conflicts: list[str] = []
    weight: Measure | None
    if p.weight_kg is not None:
        weight = Measure(
            Decimal(str(p.weight_kg)), f"{p.weight_kg:g} kg", "structured", p.weight_measured_on
        )
    else:
        weight = _from_facts(referral.clinical_facts, WEIGHT_LOINC, _UCUM_KG)
        if weight is None:
            weight, why = _from_text(referral, "weight")
            conflicts += why
    height: Measure | None
    if p.height_cm is not None:
        height = Measure(Decimal(str(p.height_cm)), f"{p.height_cm:g} cm", "structured")
    else:
        height = _from_facts(referral.clinical_facts, HEIGHT_LOINC, _UCUM_CM)
        if height is None:
            height, why = _from_text(referral, "height")
            conflicts += why
    return Body(weight, height, tuple(conflicts))


def weight_based(dose_text: str) -> bool:
    """The order's dose is per kilogram ("5 mg/kg", "0.4 g/kg", "400 mg per kg") or per m2
    (BSA needs a weight too)."""
    low = dose_text.lower().replace(" ", "")
    return any(
        k in low for k in ("/kg", "perkg", "/m2", "/m²", "perm2", "weight-based", "weightbased")
    )


BSA_FORMULA = "Mosteller"
"""BSA = sqrt(height cm x weight kg / 3600) (Mosteller RD, N Engl J Med 1987;317:1098). Labels
that dose per m2 (rituximab, RITUXAN PI section 2.2) name no formula; this one is stated with
every figure it gives, so a reviewer can redo it."""


def bsa_m2(weight_kg: Decimal, height_cm: Decimal) -> Decimal:
    """Body surface area by Mosteller's formula (``BSA_FORMULA``), unrounded."""
    return (height_cm * weight_kg / Decimal(3600)).sqrt()
