"""Healthcare identifiers as annotated types, each validated and normalized once.

Parsers of real documents must not reject a referral for cosmetic differences (``J1745`` vs
``j1745``, ``0006-4952-01`` vs ``00006495201``), so every type normalizes before it checks.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field

_NPI_RE = re.compile(r"^\d{10}$")
_ICD10_RE = re.compile(r"^([A-Z][0-9][0-9A-Z])\.?([0-9A-Z]{1,4})?$")
"""The shape of an ICD-10-CM code (U07.1 COVID-19 included). Whether it exists and is billable
is the release's answer, asked at the door (``intake.referrals.diagnoses``), not the model's:
stored referrals load without reading the code set."""
_HCPCS_RE = re.compile(r"^(?:[A-V]\d{4}|\d{4}[0-9A-Z])$")
_NDC_SHAPES = {
    (4, 4, 2): (1, 0, 0),
    (5, 3, 2): (0, 1, 0),
    (5, 4, 1): (0, 0, 1),
    (5, 4, 2): (0, 0, 0),
}


def npi_check_digit_ok(npi: str) -> bool:
    """Luhn check over the NPI with the ``80840`` issuer prefix (CMS NPI check digit rule)."""
    if not _NPI_RE.match(npi):
        return False
    total = 0
    for i, digit in enumerate(int(c) for c in reversed("80840" + npi)):
        doubled = digit * 2 if i % 2 == 1 else digit
        total += doubled - 9 if doubled > 9 else doubled
    return total % 10 == 0


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _validate_npi(value: str) -> str:
    npi = re.sub(r"[\s-]", "", value)
    if not _NPI_RE.match(npi):
        raise ValueError("an NPI has exactly 10 digits")
    if not npi_check_digit_ok(npi):
        raise ValueError("NPI check digit does not match (likely a typo)")
    return npi


def _validate_icd10(value: str) -> str:
    code = value.strip().upper()
    m = _ICD10_RE.match(code)
    if not m:
        raise ValueError("is not an ICD-10-CM code (letter, 2 characters, optional . and up to 4)")
    return m.group(1) + ("." + m.group(2) if m.group(2) else "")


def _validate_hcpcs(value: str) -> str:
    code = value.strip().upper()
    if not _HCPCS_RE.match(code):
        raise ValueError("is not a HCPCS Level II (e.g. J1745) or CPT code (e.g. 99601)")
    return code


def normalize_ndc(value: str) -> str:
    """Any hyphenated 10-digit NDC (4-4-2, 5-3-2, 5-4-1) or an 11-digit one → 11-digit 5-4-2."""
    raw = value.strip()
    parts = raw.split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        shape = tuple(len(p) for p in parts)
        pad = _NDC_SHAPES.get(shape)  # type: ignore[arg-type]
        if pad is None:
            raise ValueError(f"is an NDC with an unknown segment shape {'-'.join(map(str, shape))}")
        return "".join("0" * z + p for z, p in zip(pad, parts, strict=True))
    digits = raw.replace("-", "")
    if digits.isdigit() and len(digits) == 11:
        return digits
    raise ValueError("is not an NDC (10 digits hyphenated 4-4-2/5-3-2/5-4-1, or 11 digits)")


def _validate_phone(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10 or digits[0] in "01":
        raise ValueError("is not a 10-digit US phone number")
    return digits


Npi = Annotated[str, BeforeValidator(_strip), AfterValidator(_validate_npi)]
Icd10Code = Annotated[str, AfterValidator(_validate_icd10)]
HcpcsCode = Annotated[str, AfterValidator(_validate_hcpcs)]
Ndc = Annotated[str, AfterValidator(normalize_ndc)]
Phone = Annotated[str, AfterValidator(_validate_phone)]
Name = Annotated[str, BeforeValidator(_strip), Field(min_length=1, max_length=60)]
MemberId = Annotated[
    str,
    BeforeValidator(_strip),
    Field(min_length=2, max_length=80, pattern=r"^[A-Za-z0-9-]+$"),
]
