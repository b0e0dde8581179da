"""Labelled referral/order forms (faxes) → draft fields, each with a confidence.

Fax referral forms differ in layout but share their labels ("Patient Name:", "DOB:",
"Member ID:", "NPI:" …), so extraction is label-driven: a value runs from its label to the
next label on the same line (two-column forms put two pairs on one line). Generic labels
("Name", "Phone", "Fax", "NPI", "Address") take their meaning from the section heading above
them ("PRESCRIBER", "REFERRING CLINIC" …) or from the last specific label seen.

Confidence per field: the text layer of an e-fax is exact (``TEXT_LAYER_CONFIDENCE``); OCR
fields take the lowest word confidence in the value (the mean for free text such as notes);
a value that fails its validator (NPI check digit, NDC shape, ICD-10 shape, phone, date) is
capped at ``INVALID_CONFIDENCE`` so it always lands in review. Values from a closed vocabulary
(route, sex, relationship, site of care) that OCR read as exactly a known term are raised to
``VOCABULARY_CONFIDENCE``: Tesseract scores short words like "IV" low even when clean, and a
misread ("1V", "lV") would not match the vocabulary.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter, ValidationError

from intake.models.codes import HcpcsCode, Icd10Code, Ndc, Npi, Phone
from intake.models.draft import Draft, set_path
from intake.referrals.ocr import OcrPage
from intake.referrals.outcome import Extraction
from intake.referrals.values import digits, parse_address, parse_date, route_text, split_name

TEXT_LAYER_CONFIDENCE = 0.99
INVALID_CONFIDENCE = 0.5
NOISE_CONFIDENCE = 0.5
VOCABULARY_CONFIDENCE = 0.9  # OCR'd text that is exactly a known term (IV, Male, Self, Home)


@dataclass(frozen=True)
class Token:
    text: str
    confidence: float


Line = tuple[Token, ...]


def lines_from_text(text: str, confidence: float = TEXT_LAYER_CONFIDENCE) -> list[Line]:
    return [
        tuple(Token(w, confidence) for w in raw.split()) for raw in text.splitlines() if raw.strip()
    ]


def _speckle(text: str, confidence: float) -> bool:
    """Scanner dust read as "words": no letter, digit or label mark, or 1-2 unsure characters.

    "#:" and ":" stay: they end labels such as "Group #:" (dropping them merges fields).
    """
    if ":" in text or "#" in text:
        return False
    return not any(c.isalnum() for c in text) or (len(text) <= 2 and confidence < NOISE_CONFIDENCE)


def lines_from_ocr(page: OcrPage) -> list[Line]:
    """OCR lines minus speckle words; long words are kept even when unsure (they need review)."""
    lines = []
    for line in page.lines:
        tokens = tuple(
            Token(w.text, w.confidence) for w in line.words if not _speckle(w.text, w.confidence)
        )
        if tokens:
            lines.append(tokens)
    return lines


# label (lower case, single spaces) → key; "~" keys are generic and resolved by section.
_LABELS: dict[str, str] = {}
for _key, _names in {
    "patient.name": ("patient name", "patient", "pt name", "name of patient"),
    "~name": ("name",),
    "~dob": ("dob", "d.o.b.", "date of birth", "birth date"),
    "patient.sex": ("sex", "gender"),
    "~address": ("address", "home address", "street address"),
    "patient.address": ("patient address",),
    "~phone": (
        "phone",
        "phone #",
        "phone number",
        "telephone",
        "tel",
        "home phone",
        "cell",
        "cell phone",
        "mobile",
    ),
    "patient.phone": ("patient phone",),
    "prescriber.phone": ("prescriber phone", "office phone", "physician phone"),
    "referring_clinic.phone": ("clinic phone", "practice phone"),
    "~fax": ("fax", "fax #", "fax number"),
    "prescriber.fax": ("prescriber fax", "physician fax", "office fax"),
    "referring_clinic.fax": ("clinic fax", "practice fax"),
    "patient.preferred_language": ("language", "preferred language", "primary language"),
    "patient.email": ("email", "e-mail"),
    "patient.weight_kg": ("weight", "wt"),
    "insurance.payer_name": (
        "insurance/payer",
        "insurance",
        "payer",
        "payor",
        "insurance company",
        "primary insurance",
        "insurance name",
        "health plan",
        "payer name",
    ),
    "insurance.payer_id": ("payer id", "payor id", "payer #"),
    "insurance.member_id": (
        "member id",
        "member #",
        "member number",
        "subscriber id",
        "policy #",
        "policy number",
        "policy id",
        "insurance id",
        "id #",
        "member id #",
    ),
    "insurance.group_number": ("group #", "group number", "group no", "group", "group id"),
    "insurance.plan_name": ("plan", "plan name"),
    "insurance.relationship": (
        "relationship to subscriber",
        "relationship to insured",
        "relationship",
        "patient relationship",
    ),
    "insurance.subscriber.name": (
        "subscriber",
        "subscriber name",
        "policy holder",
        "insured name",
        "insured",
    ),
    "insurance.subscriber.date_of_birth": ("subscriber dob", "subscriber date of birth"),
    "prescriber.name": (
        "prescriber",
        "prescriber name",
        "prescribing physician",
        "ordering physician",
        "physician",
        "ordering provider",
        "provider",
        "referring physician",
        "referring provider",
    ),
    "~npi": ("npi", "npi #"),
    "prescriber.npi": ("prescriber npi", "physician npi"),
    "referring_clinic.npi": ("clinic npi", "practice npi", "group npi"),
    "prescriber.specialty": ("specialty",),
    "therapy.drug_name": ("drug", "medication", "drug name", "drug/medication"),
    "therapy.ndc": ("ndc", "ndc #"),
    "therapy.hcpcs": ("hcpcs", "hcpcs code", "j-code", "j code"),
    "therapy.dose": ("dose", "dosage"),
    "therapy.route": ("route",),
    "therapy.frequency": ("frequency", "freq"),
    "therapy.duration": ("duration", "length of therapy", "duration of therapy"),
    "therapy.start_date": ("start date", "anticipated start date"),
    "therapy.site_of_care": ("site of care",),
    "diagnoses": (
        "icd-10",
        "icd10",
        "icd-10 code",
        "icd-10 codes",
        "icd-10-cm",
        "diagnosis",
        "diagnosis code",
        "dx",
    ),
    "clinical_notes": ("notes", "clinical notes", "comments", "clinical information"),
    "referring_clinic.name": (
        "clinic",
        "referring clinic",
        "practice",
        "practice name",
        "clinic name",
        "facility",
        "referring practice",
        "referring facility",
    ),
    "referring_clinic.contact_name": (
        "contact",
        "contact name",
        "clinic contact",
        "referral coordinator",
    ),
    "clinic_reference": ("referral #", "referral number", "ref #", "referral id", "referral no"),
    "~from": ("from",),
    "-": ("date", "to", "page", "re", "signature", "prescriber signature", "physician signature"),
}.items():
    for _name in _names:
        _LABELS[_name] = _key

_LABEL_RE = re.compile(
    r"(?<![\w/])("
    + "|".join(
        re.escape(n).replace(r"\ ", r"[\s.]+") for n in sorted(_LABELS, key=len, reverse=True)
    )
    + r")\s*[:;]",
    re.IGNORECASE,
)
_SECTIONS = [
    ("patient", r"patient(?: information| info| demographics)?"),
    ("insurance", r"(?:primary )?insurance(?: information| info)?|payer information|coverage"),
    (
        "prescriber",
        r"(?:prescriber|physician|provider|ordering provider|prescribing physician)"
        r"(?: information| info)?",
    ),
    (
        "order",
        r"(?:order|therapy|medication|medication order|prescription)"
        r"(?: information| details| info)?|order details",
    ),
    ("diagnosis", r"diagnos[ie]s(?: information| codes?)?"),
    ("notes", r"(?:clinical )?notes|comments|clinical information"),
    (
        "clinic",
        r"(?:referring )?(?:clinic|practice|facility|office)(?: information| info)?"
        r"|referral source",
    ),
]
_SECTION_RE = [
    (name, re.compile(rf"^(?:{pattern})\s*:?$", re.IGNORECASE)) for name, pattern in _SECTIONS
]
_SECTION_OF = {
    "patient.name": "patient",
    "prescriber.name": "prescriber",
    "referring_clinic.name": "clinic",
    "insurance.payer_name": "insurance",
    "therapy.drug_name": "order",
    "diagnoses": "diagnosis",
}
_GENERIC = {
    "~name": {
        "prescriber": "prescriber.name",
        "clinic": "referring_clinic.name",
        "insurance": "insurance.subscriber.name",
    },
    "~dob": {"insurance": "insurance.subscriber.date_of_birth"},
    "~address": {"clinic": "-", "prescriber": "-", "insurance": "-", "header": "-"},
    "~phone": {
        "prescriber": "prescriber.phone",
        "clinic": "referring_clinic.phone",
        "insurance": "-",
        "header": "-",
    },
    "~fax": {
        "prescriber": "prescriber.fax",
        "clinic": "referring_clinic.fax",
        "header": "referring_clinic.fax",
        "patient": "-",
        "insurance": "-",
    },
    "~npi": {"clinic": "referring_clinic.npi"},
    "~from": {"header": "referring_clinic.name"},
}
_DEFAULT = {
    "~name": "patient.name",
    "~dob": "patient.date_of_birth",
    "~address": "patient.address",
    "~phone": "patient.phone",
    "~fax": "-",
    "~npi": "prescriber.npi",
    "~from": "-",
}
_ICD10_IN_TEXT = re.compile(r"\b([A-TV-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?)\b")
_RELATIONSHIPS = {
    "self": "self",
    "patient": "self",
    "spouse": "spouse",
    "wife": "spouse",
    "husband": "spouse",
    "child": "child",
    "son": "child",
    "daughter": "child",
    "dependent": "child",
}
_FREE_TEXT = {"clinical_notes"}
_PHONE_IN_TEXT = re.compile(r"(?:\+?1[\s.-]*)?\(?\d{3}\)?[\s.-]*\d{3}[\s.-]*\d{4}\b")
_SEXES = {"m": "M", "male": "M", "f": "F", "female": "F"}


def _vocab(score: float, known: bool) -> float:
    return max(score, VOCABULARY_CONFIDENCE) if known else score


def _valid(adapter: TypeAdapter[Any], value: str) -> bool:
    try:
        adapter.validate_python(value)
    except ValidationError:
        return False
    return True


_CHECKS: dict[str, Callable[[str], bool]] = {
    "npi": lambda v: _valid(TypeAdapter(Npi), v),
    "ndc": lambda v: _valid(TypeAdapter(Ndc), v),
    "hcpcs": lambda v: _valid(TypeAdapter(HcpcsCode), v),
    "phone": lambda v: _valid(TypeAdapter(Phone), v),
    "fax": lambda v: _valid(TypeAdapter(Phone), v),
    "code": lambda v: _valid(TypeAdapter(Icd10Code), v),
}


@dataclass
class _Value:
    text: str
    tokens: list[Token]

    def confidence(self, *, mean: bool = False) -> float:
        scores = [t.confidence for t in self.tokens] or [0.0]
        return sum(scores) / len(scores) if mean else min(scores)


@dataclass
class _Reader:
    draft: Draft = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)
    priority: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def put(self, path: str, value: Any, score: float, *, priority: int = 1) -> None:
        if value is None or value == "" or self.priority.get(path, -1) >= priority:
            return
        check = _CHECKS.get(path.rsplit(".", 1)[-1])
        if check is not None and isinstance(value, str) and not check(value):
            score = min(score, INVALID_CONFIDENCE)
        set_path(self.draft, path, value)
        self.confidence[path] = round(score, 3)
        self.priority[path] = priority

    def field(self, key: str, value: _Value, *, priority: int = 1) -> None:
        score = value.confidence(mean=key in _FREE_TEXT)
        text = value.text
        if key in {"patient.name", "prescriber.name", "insurance.subscriber.name"}:
            base = key.rsplit(".", 1)[0]
            parts = split_name(text)
            keep = {"first_name", "last_name"} | (
                {"middle_name"}
                if base == "patient"
                else {"credentials"}
                if base == "prescriber"
                else set()
            )
            for part, part_value in parts.items():
                if part in keep:
                    self.put(f"{base}.{part}", part_value, score, priority=priority)
            if not parts:
                self.problems.append(f"{base}: could not read a name from the form")
        elif key.endswith("date_of_birth") or key.endswith("start_date"):
            parsed = parse_date(text, past=key.endswith("date_of_birth"))
            self.put(key, parsed or text, score if parsed else min(score, INVALID_CONFIDENCE))
        elif key == "patient.address":
            address = parse_address(text)
            if address is None:
                self.put("patient.address.line1", text, min(score, INVALID_CONFIDENCE))
                self.problems.append(
                    "patient.address: could not split the address into street, city, state and ZIP"
                )
            for part, part_value in (address or {}).items():
                self.put(f"patient.address.{part}", part_value, score)
        elif key == "patient.weight_kg":
            m = re.match(r"^(\d+(?:\.\d+)?)\s*(kg|kgs|lb|lbs|pounds?)?\b", text, re.IGNORECASE)
            if m:
                kg = float(m[1]) * (
                    0.45359237 if (m[2] or "kg").lower().startswith(("lb", "pound")) else 1
                )
                self.put(key, round(kg, 1), score)
        elif key == "patient.sex":
            known = text.lower() in _SEXES
            self.put(key, _SEXES.get(text.lower(), text), _vocab(score, known))
        elif key == "insurance.relationship":
            relation = _RELATIONSHIPS.get(text.lower().strip("."))
            self.put(key, relation or "other", _vocab(score, relation is not None))
        elif key == "therapy.site_of_care":
            lower = text.lower()
            site = (
                "home"
                if "home" in lower
                else "infusion_suite"
                if any(
                    w in lower for w in ("suite", "infusion center", "ambulatory", "aic", "clinic")
                )
                else text
            )
            self.put(key, site, _vocab(score, site != text))
        elif key == "therapy.route":
            route = route_text(text)
            self.put(key, route, _vocab(score, route in {"IV", "SC", "IM", "PO"}))
        elif key.endswith((".phone", ".fax")):
            m = _PHONE_IN_TEXT.search(text)
            if m is None and priority == 0:
                return  # a fax header fallback that is not a number is no evidence at all
            self.put(key, m[0] if m else text, score, priority=priority)
        elif key.endswith(".npi"):
            self.put(key, digits(text) or text, score, priority=priority)
        elif key in {"insurance.member_id", "insurance.payer_id", "clinic_reference"}:
            self.put(key, re.sub(r"\s+", "", text), score)
        elif key == "therapy.hcpcs":
            self.put(key, text.upper().replace(" ", ""), score)
        elif key == "diagnoses":
            self.diagnoses(value)
        else:
            self.put(key, text, score, priority=priority)

    def diagnoses(self, value: _Value) -> None:
        matches = list(_ICD10_IN_TEXT.finditer(value.text))
        if not matches:
            self.problems.append("diagnoses: no ICD-10 code found next to the diagnosis label")
        for i, m in enumerate(matches):
            end = matches[i + 1].start() if i + 1 < len(matches) else len(value.text)
            description = value.text[m.end() : end].strip(" ,;:-\u2013()")
            index = len(self.draft.get("diagnoses", []))
            code_tokens = [t for t in value.tokens if m[1] in t.text] or value.tokens
            self.put(f"diagnoses.{index}.code", m[1], _Value(m[1], code_tokens).confidence())
            if description:
                self.put(f"diagnoses.{index}.description", description, value.confidence(mean=True))


def _joined(line: Line) -> tuple[str, list[tuple[int, int, Token]]]:
    spans, pos = [], 0
    for token in line:
        spans.append((pos, pos + len(token.text), token))
        pos += len(token.text) + 1
    return " ".join(t.text for t in line), spans


def _section(text: str) -> str | None:
    return next((name for name, rx in _SECTION_RE if rx.match(text.strip())), None)


def extract_fields(lines: Sequence[Line]) -> Extraction:
    """Read labelled fields from the page lines (text layer or OCR) into a draft."""
    reader = _Reader()
    section = "header"
    pending: str | None = None  # a label whose value sits on the next line
    last_key: str | None = None
    for line in lines:
        text, spans = _joined(line)
        if (found := _section(text)) is not None:
            section, pending, last_key = found, None, None
            continue
        matches = list(_LABEL_RE.finditer(text))
        if not matches:
            value = _Value(text, [t for _s, _e, t in spans])
            if pending is not None:
                reader.field(pending, value)
                last_key, pending = pending, None
            elif last_key == "clinical_notes" or section == "notes":
                notes = reader.draft.get("clinical_notes")
                joined = f"{notes}\n{text}" if notes else text
                score = min(
                    reader.confidence.get("clinical_notes", 1.0), value.confidence(mean=True)
                )
                reader.priority.pop("clinical_notes", None)
                reader.put("clinical_notes", joined, score)
                last_key = "clinical_notes"
            elif section == "diagnosis" and _ICD10_IN_TEXT.match(text):
                reader.diagnoses(value)
            continue
        pending = None
        for i, m in enumerate(matches):
            end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
            label = re.sub(r"[\s.]+", " ", m[1].lower()).strip()
            key = _LABELS.get(label) or _LABELS.get(label.replace(" ", "."), "-")
            priority = 1
            if key.startswith("~"):
                resolved = _GENERIC[key].get(section, _DEFAULT[key])
                priority = 0 if section == "header" else 1
                key = resolved
            section = (
                _SECTION_OF.get(key, section)
                if section != "header" or key in {"patient.name", "insurance.payer_name"}
                else section
            )
            raw = text[m.end() : end]
            value_text = raw.strip(" :;_-")
            start = m.end() + (len(raw) - len(raw.lstrip(" :;_-")))
            tokens = [t for s, e, t in spans if e > start and s < start + len(value_text)]
            if key == "-":
                last_key = None
                continue
            last_key = key
            if not value_text:
                pending = key if i == len(matches) - 1 else None
                continue
            reader.field(key, _Value(value_text, tokens), priority=priority)
    return Extraction(draft=reader.draft, confidence=reader.confidence, problems=reader.problems)
