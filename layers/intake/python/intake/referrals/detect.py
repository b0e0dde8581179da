"""Which intake format a file is, judged by its content and never by its file name.

Fax servers name everything ``.pdf`` or ``.dat``, interface engines drop HL7 as ``.txt`` and
clinics rename files; the first bytes are what counts. JSON is parsed here (within limits) so
FHIR and our own JSON can be told apart by their keys, and the parsed value is handed on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum

from intake.referrals.decode import decode_text
from intake.referrals.limits import DEFAULT_LIMITS, Limits


class DocumentFormat(StrEnum):
    PDF = "pdf"
    TIFF = "tiff"
    HL7V2 = "hl7v2"
    FHIR = "fhir"
    JSON = "json"
    X12 = "x12"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Detection:
    """The format, plus what detection already decoded so parsers need not do it again."""

    format: DocumentFormat
    text: str | None = None
    document: object = None
    reason: str | None = None  # set when the file cannot be read as this (or any) format
    doubts: tuple[str, ...] = ()  # guesses made reading it, for a person to check


_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive: unzip it and send the documents inside"),
    (b"\x1f\x8b", "a gzip-compressed file: decompress it and send the document inside"),
    (b"\x89PNG", "a PNG image: send faxes and scans as PDF"),
    (b"\xff\xd8\xff", "a JPEG image: send faxes and scans as PDF"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office file: print it to PDF"),
)
_REFERRAL_KEYS = frozenset({"patient", "insurance", "prescriber", "therapy", "diagnoses"})
_MLLP_CHARS = "\x0b\x1c\ufeff \t\r\n"


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    if not sample:
        return False
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\r\n\t\x0b\x1c\x0c")
    return controls > max(2, len(sample) // 50)


def _has_segment_header(text: str, name: str) -> bool:
    return (
        len(text) > 4 and text.startswith(name) and not text[3].isalnum() and text[3] not in " \r\n"
    )


def _json_shape_problem(value: object, limits: Limits) -> str | None:
    """Depth and size walk done iteratively so a hostile document cannot blow the stack."""
    stack: list[tuple[object, int]] = [(value, 1)]
    nodes = 0
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if nodes > limits.max_json_nodes:
            return (
                f"the JSON holds more than {limits.max_json_nodes} values; "
                "a referral is far smaller"
            )
        if depth > limits.max_json_depth:
            return f"the JSON is nested more than {limits.max_json_depth} levels deep"
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return None


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON number")


class _KeyTracker:
    """``object_pairs_hook`` noting keys that appear twice in one object (JSON allows it;
    the last would silently win)."""

    def __init__(self) -> None:
        self.duplicates: list[str] = []

    def __call__(self, pairs: list[tuple[str, object]]) -> dict[str, object]:
        found: dict[str, object] = {}
        for key, value in pairs:
            if key in found and key not in self.duplicates and len(self.duplicates) < 10:
                self.duplicates.append(key[:60])
            found[key] = value
        return found

    def doubts(self) -> tuple[str, ...]:
        if not self.duplicates:
            return ()
        names = ", ".join(f"'{k}'" for k in self.duplicates)
        return (
            f"the JSON names the same field twice in one object ({names}); the last one was "
            "read: check which is meant",
        )


_FALLBACK_ENCODINGS = {"cp1252": "Windows-1252", "latin-1": "Latin-1"}


def _encoding_doubts(encoding: str, text: str) -> tuple[str, ...]:
    """A non-UTF-8 file decoded by guess is named, unless HL7 declares that character set."""
    name = _FALLBACK_ENCODINGS.get(encoding)
    if name is None:
        return ()
    msh = text.split("\r", 1)[0].split("\n", 1)[0]
    fields = msh.split(msh[3]) if len(msh) > 3 else []
    declared = fields[17].upper() if len(fields) > 17 else ""
    if "8859" in declared or "1252" in declared:
        return ()
    return (
        f"the file is not valid UTF-8; it was read as {name}: check names and addresses for "
        "wrong characters",
    )


def _detect_json(text: str, limits: Limits, doubts: tuple[str, ...] = ()) -> Detection:
    if len(text.encode("utf-8", "surrogatepass")) > limits.max_json_bytes:
        return Detection(
            DocumentFormat.JSON,
            reason=f"the JSON is larger than {limits.max_json_bytes // (1024 * 1024)} MB",
        )
    keys = _KeyTracker()
    try:
        value = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=keys)
    except RecursionError:
        return Detection(DocumentFormat.JSON, reason="the JSON is nested too deeply to read")
    except json.JSONDecodeError as exc:
        return Detection(
            DocumentFormat.JSON,
            reason=f"the JSON is cut off or malformed ({exc.msg} at line {exc.lineno}, "
            f"column {exc.colno})",
        )
    except ValueError as exc:
        return Detection(DocumentFormat.JSON, reason=f"the JSON holds an unreadable value ({exc})")
    problem = _json_shape_problem(value, limits)
    if problem is not None:
        return Detection(DocumentFormat.JSON, reason=problem)
    doubts = (*doubts, *keys.doubts())
    if isinstance(value, dict):
        if isinstance(value.get("resourceType"), str):
            return Detection(DocumentFormat.FHIR, text=text, document=value, doubts=doubts)
        if _REFERRAL_KEYS & value.keys():
            return Detection(DocumentFormat.JSON, text=text, document=value, doubts=doubts)
        return Detection(
            DocumentFormat.JSON,
            document=value,
            reason="the JSON object is neither a FHIR resource (no resourceType) nor a referral "
            "(no patient, insurance, prescriber or therapy)",
        )
    kind = "a list" if isinstance(value, list) else "a single value"
    return Detection(
        DocumentFormat.JSON,
        document=value,
        reason=f"the JSON is {kind}, not one referral object; send one referral per file",
    )


def detect(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Detection:
    """Sniff ``data``: PDF, HL7 v2 (any separators), FHIR JSON, our JSON, X12, or unknown."""
    if not data.strip():
        return Detection(DocumentFormat.UNKNOWN, reason="the file is empty")
    if b"%PDF-" in data[:1024]:
        return Detection(DocumentFormat.PDF)
    if data.startswith((b"II*\x00", b"MM\x00*")):
        return Detection(DocumentFormat.TIFF)
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return Detection(DocumentFormat.UNKNOWN, reason=f"the file is {what}")
    decoded = decode_text(data)
    head = decoded.text.lstrip(_MLLP_CHARS)
    doubts = _encoding_doubts(decoded.encoding, head)
    if _looks_binary(head):
        return Detection(
            DocumentFormat.UNKNOWN, reason="the file is binary data, not a document we can read"
        )
    if (
        _has_segment_header(head, "MSH")
        or _has_segment_header(head, "FHS")
        or _has_segment_header(head, "BHS")
    ):
        return Detection(DocumentFormat.HL7V2, text=head, doubts=doubts)
    if _has_segment_header(head, "ISA"):
        return Detection(
            DocumentFormat.X12,
            text=head,
            reason="the file is an X12 EDI interchange (eligibility or authorization traffic), "
            "not a referral",
        )
    if head.startswith(("{", "[")):
        return _detect_json(head, limits, doubts)
    if head.startswith("<"):
        return Detection(
            DocumentFormat.UNKNOWN,
            reason="the file is XML (FHIR XML or a CDA document); send FHIR as JSON",
        )
    return Detection(
        DocumentFormat.UNKNOWN,
        reason="the file is not a PDF, HL7 v2 message, FHIR Bundle or JSON referral",
    )


def detect_format(data: bytes) -> DocumentFormat:
    """Just the format (convenience for routing and logging)."""
    return detect(data).format
