"""Small, format-neutral readers for values that arrive as free text or HL7/FHIR codes.

Every format spells dates, names, routes and frequencies its own way; normalizing here keeps
the format modules about structure and gives all of them the same draft for the same data.
Readers return None when unsure rather than guess, so the field lands in ``fields_missing``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})")
_WORD_DATE = re.compile(
    r"^(?:(\d{1,2})[ -]([A-Za-z]{3,9})\.?[ -,]*(\d{4})|([A-Za-z]{3,9})\.? (\d{1,2}),? (\d{4}))$"
)


def _make(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def parse_date(text: str | None, *, past: bool = False) -> str | None:
    """US-style and ISO dates → ``YYYY-MM-DD``; two-digit years go to the past when ``past``."""
    if not text:
        return None
    value = text.strip().rstrip(".,;")
    if m := _ISO_DATE.match(value):
        return _make(int(m[1]), int(m[2]), int(m[3]))
    if m := _NUMERIC_DATE.match(value):
        year = int(m[3])
        if len(m[3]) == 2:
            this_year = datetime.now(UTC).year % 100
            year += 2000 if (year <= this_year or not past) else 1900
        return _make(year, int(m[1]), int(m[2]))
    if (m := _COMPACT_DATE.match(value)) and value.isdigit():
        return _make(int(m[1]), int(m[2]), int(m[3]))
    if m := _WORD_DATE.match(value):
        day, month_name, year_s = (m[1], m[2], m[3]) if m[1] else (m[5], m[4], m[6])
        month = _MONTHS.get(month_name.lower())
        return _make(int(year_s), month, int(day)) if month else None
    return None


def hl7_date(value: str | None) -> str | None:
    """HL7 DT/DTM (``YYYYMMDD[HHMM...]``) → ISO date."""
    if not value:
        return None
    m = _COMPACT_DATE.match(value.strip())
    return _make(int(m[1]), int(m[2]), int(m[3])) if m else None


_HL7_DTM = re.compile(r"^(\d{4})(\d{2})(\d{2})(\d{2})?(\d{2})?(\d{2})?(?:\.\d+)?([+-]\d{4})?$")


def hl7_datetime(value: str | None) -> str | None:
    """HL7 DTM with optional offset → ISO 8601 (UTC when no offset is given)."""
    if not value:
        return None
    m = _HL7_DTM.match(value.strip())
    if not m:
        return None
    tz = UTC
    if m[7]:
        sign = 1 if m[7][0] == "+" else -1
        minutes = int(m[7][1:3]) * 60 + int(m[7][3:5])
        if minutes >= 24 * 60:
            return None
        tz = timezone(sign * timedelta(minutes=minutes))
    try:
        stamp = datetime(
            int(m[1]),
            int(m[2]),
            int(m[3]),
            int(m[4] or 0),
            int(m[5] or 0),
            int(m[6] or 0),
            tzinfo=tz,
        )
    except ValueError:
        return None
    return stamp.isoformat()


_CREDENTIALS = {
    "md",
    "do",
    "np",
    "pa",
    "pa-c",
    "rn",
    "aprn",
    "fnp",
    "fnp-c",
    "dnp",
    "phd",
    "pharmd",
    "mbbs",
    "facp",
    "facr",
    "agacnp",
}
_PREFIXES = {"dr", "dr.", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "sr", "sra", "srta"}


def split_name(text: str | None) -> dict[str, str]:
    """ "Last, First M" or "First M Last" (with "Dr." / ", MD") → name parts that were present."""
    if not text or not text.strip():
        return {}
    value = re.sub(r"\s+", " ", text.strip())
    creds: list[str] = []
    pieces = [p.strip() for p in value.split(",") if p.strip()]
    while len(pieces) > 1 and all(w.lower().strip(".") in _CREDENTIALS for w in pieces[-1].split()):
        creds.insert(0, pieces.pop())
    if len(pieces) == 2:
        last, rest = pieces[0], pieces[1].split(" ")
        first, middle = rest[0], " ".join(rest[1:])
    else:
        words = " ".join(pieces).split(" ")
        while words and words[0].lower() in _PREFIXES:
            words.pop(0)
        while len(words) > 2 and words[-1].lower().strip(".") in _CREDENTIALS:
            creds.insert(0, words.pop())
        if len(words) < 2:
            return {"last_name": words[0]} if words else {}
        first, middle, last = words[0], " ".join(words[1:-1]), words[-1]
    out = {"first_name": first, "last_name": last}
    if middle:
        out["middle_name"] = middle
    if creds:
        out["credentials"] = ", ".join(creds)
    return out


_ADDRESS = re.compile(
    r"^(?P<line1>[^,]+?),\s*(?:(?P<line2>(?:apt|apartment|unit|ste|suite|#|fl|floor|bldg|rm)"
    r"\.?\s*[^,]*?),\s*)?(?P<city>[^,]+?),?\s+(?P<state>[A-Za-z]{2})\.?\s+"
    r"(?P<zip>\d{5}(?:-?\d{4})?)$",
    re.IGNORECASE,
)


def parse_address(text: str | None) -> dict[str, str] | None:
    """ "742 Evergreen Ter, Apt 2, Springfield, IL 62704" → Address-shaped dict."""
    if not text:
        return None
    m = _ADDRESS.match(re.sub(r"\s+", " ", text.strip()))
    if not m:
        return None
    out = {
        "line1": m["line1"].strip(),
        "city": m["city"].strip(),
        "state": m["state"].upper(),
        "postal_code": m["zip"],
    }
    if m["line2"]:
        out["line2"] = m["line2"].strip()
    return out


_ROUTES = {
    "iv": "IV",
    "intravenous": "IV",
    "intravenous route": "IV",
    "ivpb": "IV",
    "47625008": "IV",
    "sc": "SC",
    "sq": "SC",
    "subq": "SC",
    "subcut": "SC",
    "subcutaneous": "SC",
    "subcutaneous route": "SC",
    "34206005": "SC",
    "im": "IM",
    "intramuscular": "IM",
    "intramuscular route": "IM",
    "78421000": "IM",
    "po": "PO",
    "oral": "PO",
    "oral route": "PO",
    "26643006": "PO",
}


def route_text(value: str | None) -> str | None:
    """Route code or words → the short form pharmacists use (IV, SC, IM, PO); else as given."""
    if not value or not value.strip():
        return None
    return _ROUTES.get(value.strip().lower(), value.strip())


_UNIT_WORDS = {
    "d": "day",
    "h": "hour",
    "w": "week",
    "wk": "week",
    "m": "month",
    "mo": "month",
    "a": "year",
    "y": "year",
    "min": "minute",
    "s": "second",
}
_QN = re.compile(r"^Q(\d+)(H|D|W|M|MO|WK)$", re.IGNORECASE)
_FIXED = {
    "QD": "daily",
    "DAILY": "daily",
    "BID": "twice daily",
    "TID": "three times daily",
    "QID": "four times daily",
    "QW": "every week",
    "QWK": "every week",
    "QOD": "every other day",
    "QM": "every month",
    "QMO": "every month",
    "ONCE": "once",
    "STAT": "once",
}


def plural(count: str, unit: str) -> str:
    return f"{count} {unit}" + ("" if count in {"1", "1.0"} else "s")


def frequency_text(code: str | None) -> str | None:
    """HL7 0335 repeat patterns (Q8W, BID, QD …) → words; anything else is kept as written."""
    if not code or not code.strip():
        return None
    value = code.strip()
    if m := _QN.match(value):
        unit = _UNIT_WORDS[m[2].lower()]
        return f"every {unit}" if m[1] == "1" else f"every {plural(m[1], unit)}"
    return _FIXED.get(value.upper(), value)


_DURATION_CODE = re.compile(r"^([SMHDWL])(\d+)$", re.IGNORECASE)
_DURATION_UNITS = {"s": "second", "m": "month", "h": "hour", "d": "day", "w": "week", "l": "month"}


def duration_text(value: str | None, unit: str | None = None) -> str | None:
    """ "M12" (HL7 TQ duration), ``("12", "mo")`` or "12 months" → "12 months"."""
    if not value or not value.strip():
        return None
    number = value.strip()
    if unit:
        word = _UNIT_WORDS.get(unit.strip().lower().rstrip("s"), unit.strip().lower().rstrip("s"))
        return plural(number, word)
    if m := _DURATION_CODE.match(number):
        return plural(m[2], _DURATION_UNITS[m[1].lower()])
    return number


def digits(value: str | None) -> str:
    return re.sub(r"\D", "", value or "")
