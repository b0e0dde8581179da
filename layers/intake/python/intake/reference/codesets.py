"""The code sets: ICD-10-CM (billable flag, description, children) and HCPCS Level II units.

The file is ``intake/data/codesets/icd10cm.tsv.gz`` (one line per code of the release: code
without the dot, 1 = billable / 0 = header, description), written with its source, release and
hashes in ``manifest.json`` by ``scripts/refresh_codesets.py``. A code is billable when it is a
leaf of the tabular list (ICD-10-CM Official Guidelines I.B.1: code to the highest number of
characters available); a category or subcategory with codes below it is a header, never sent.

HCPCS Level II rows (``hcpcs.json``: descriptor and billing unit per code, each row citing where
it was read, checked against CMS's January 2026 alpha-numeric file, with its termination date
where CMS ended the code) are the codes this system bills, until CMS's quarterly file can be
vendored.

Nothing is read at import time: the first lookup loads the file once per process (about
97,000 codes; see the README's figures), so a Lambda that never looks a code up pays nothing.
"""

from __future__ import annotations

import bisect
import functools
import gzip
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib import resources
from typing import Any

_DATA = "intake.data.codesets"
ICD10_FILE = "icd10cm.tsv.gz"
HCPCS_FILE = "hcpcs.json"


def icd10_key(code: str) -> str:
    """The code set's key: upper case, no dot, no spaces (``d80.1`` → ``D801``)."""
    return code.strip().upper().replace(".", "").replace(" ", "")


def dotted(key: str) -> str:
    """ICD-10-CM as written: a dot after the category (``D801`` → ``D80.1``)."""
    return key if len(key) <= 3 else f"{key[:3]}.{key[3:]}"


@dataclass(frozen=True, slots=True)
class Icd10Entry:
    """One code of the release."""

    code: str
    billable: bool
    description: str


@dataclass(frozen=True, slots=True)
class _Icd10Table:
    keys: list[str]
    rows: dict[str, str]
    """code → the rest of its line (``1\tdescription``), split only when asked."""


@functools.cache
def manifest() -> dict[str, Any]:
    """Which release each code set is, its source and hashes (``manifest.json``)."""
    data: dict[str, Any] = json.loads(
        resources.files(_DATA).joinpath("manifest.json").read_text("utf-8")
    )
    return data


@functools.cache
def _icd10() -> _Icd10Table:
    raw = gzip.decompress(resources.files(_DATA).joinpath(ICD10_FILE).read_bytes())
    rows = dict(line.split("\t", 1) for line in raw.decode("utf-8").splitlines())
    return _Icd10Table(sorted(rows), rows)  # already sorted by the refresh: one linear pass


def icd10_release() -> str:
    """``ICD-10-CM FY2026 (April 1, 2026 update)``: what a decision or a problem names."""
    m = manifest()["icd10cm"]
    return f"ICD-10-CM FY{m['fiscal_year']} ({m['release']})"


def icd10(code: str) -> Icd10Entry | None:
    """The code in the release, or None when it is not an ICD-10-CM code."""
    key = icd10_key(code)
    row = _icd10().rows.get(key)
    return Icd10Entry(dotted(key), row[0] == "1", row[2:]) if row else None


def is_billable(code: str) -> bool:
    """True only for a code of the release with no codes below it."""
    entry = icd10(code)
    return entry is not None and entry.billable


def describe(code: str) -> str | None:
    """The release's long description of the code (None when it is not a code)."""
    entry = icd10(code)
    return entry.description if entry else None


def _descendant_keys(key: str) -> list[str]:
    table = _icd10()
    lo = bisect.bisect_right(table.keys, key)
    hi = bisect.bisect_left(table.keys, key + "\x7f", lo)
    return table.keys[lo:hi]


def _parent_key(key: str) -> str | None:
    rows = _icd10().rows
    return next((key[:n] for n in range(len(key) - 1, 2, -1) if key[:n] in rows), None)


def children(code: str) -> tuple[str, ...]:
    """The codes directly below ``code`` in the tabular list (dotted, in order)."""
    key = icd10_key(code)
    return tuple(dotted(k) for k in _descendant_keys(key) if _parent_key(k) == key)


def billable_codes(code: str) -> tuple[str, ...]:
    """Every billable code at or below ``code``: what to choose instead of a header."""
    key = icd10_key(code)
    rows = _icd10().rows
    below = [key, *_descendant_keys(key)] if key in rows else []
    return tuple(dotted(k) for k in below if rows[k][0] == "1")


@dataclass(frozen=True, slots=True)
class HcpcsEntry:
    """A HCPCS Level II code: its long descriptor and billing unit (``10 mg``: units = dose in
    mg / 10, rounded up; ``1 day`` for a per diem), with the source the row was read from."""

    code: str
    description: str
    unit_amount: Decimal
    unit_measure: str
    source: str
    cms_description: str | None = None
    """The record's long descriptor as read in CMS's January 2026 alpha-numeric file (CMS's
    lower case); None when the row was not checked against it."""
    terminated: date | None = None
    """CMS's TERM_DT: the last day the code may be billed; None while it is current."""
    successor: str | None = None
    """The code CMS added in its place when it was terminated."""

    def billable_on(self, day: date) -> bool:
        """Whether a service on ``day`` may carry this code (not after its termination)."""
        return self.terminated is None or day <= self.terminated

    @property
    def unit(self) -> str:
        return f"{self.unit_amount} {self.unit_measure}"


@functools.cache
def _hcpcs() -> dict[str, HcpcsEntry]:
    raw = json.loads(resources.files(_DATA).joinpath(HCPCS_FILE).read_text("utf-8"))
    return {
        code: HcpcsEntry(
            code,
            row["description"],
            Decimal(row["unit"]["amount"]),
            row["unit"]["measure"],
            row["source"],
            row.get("cms_2026_jan"),
            date.fromisoformat(row["terminated"]) if "terminated" in row else None,
            row.get("successor"),
        )
        for code, row in raw["codes"].items()
    }


def hcpcs(code: str) -> HcpcsEntry | None:
    """The code's row, or None when the vendored rows do not hold it (not "no unit": unknown;
    the file is not yet CMS's complete HCPCS file, see manifest.json)."""
    return _hcpcs().get(code.strip().upper())


def hcpcs_unit(code: str) -> tuple[Decimal, str] | None:
    """The billing unit of a HCPCS code (``(Decimal(500), "mg")`` for J1561), None if unknown."""
    entry = hcpcs(code)
    return (entry.unit_amount, entry.unit_measure) if entry else None
