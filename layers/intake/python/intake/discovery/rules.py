"""Discovery's rules as data (``intake/data/discovery.json``), each section naming its source:
what a 271 AAA reject reason means for discovery, the demographic search's fields, and the
Medicare Beneficiary Identifier's format."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from importlib import resources
from typing import Any

from intake.models.discovery import InquiryAnswer

# When one 271 carries several AAA segments, the one that says most about what to do next wins.
_PRECEDENCE = (
    InquiryAnswer.UNKNOWN,
    InquiryAnswer.FIX_REQUEST,
    InquiryAnswer.AMBIGUOUS,
    InquiryAnswer.RETRY_LATER,
    InquiryAnswer.PAYER_SETUP,
    InquiryAnswer.SEARCH_UNSUPPORTED,
    InquiryAnswer.NOT_FOUND,
)


@functools.cache
def rules() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        resources.files("intake.data").joinpath("discovery.json").read_text("utf-8")
    )
    return data


def aaa_meaning(code: str, *, demographic: bool) -> InquiryAnswer:
    """What AAA03 ``code`` means: for a demographic inquiry (no member id sent) or one that
    carried the card's member id. A code with no rule is ``unknown``, never a guess."""
    entry = rules()["aaa"].get(code.strip().upper())
    if entry is None:
        return InquiryAnswer.UNKNOWN
    return InquiryAnswer(entry["demographic" if demographic else "with_member_id"])


def answer_for(codes: Iterable[str], *, demographic: bool) -> InquiryAnswer:
    """One answer for a 271's AAA codes (the most telling, see ``_PRECEDENCE``)."""
    meanings = {aaa_meaning(c, demographic=demographic) for c in codes}
    if not meanings:
        return InquiryAnswer.UNKNOWN
    return next(a for a in _PRECEDENCE if a in meanings)


def member_not_found(codes: Iterable[str]) -> bool:
    """The card's payer answered that it has no such member (and nothing we sent is wrong):
    the case for asking other payers. Any code saying the request needs fixing, or one without
    a rule, keeps the referral with a person (``verify_insurance``)."""
    meanings = [aaa_meaning(c, demographic=False) for c in codes]
    return bool(meanings) and all(m is InquiryAnswer.NOT_FOUND for m in meanings)


def demographic_fields(*, has_sex: bool, has_address: bool) -> list[str]:
    """The fields a Name/Date of Birth search sends for this patient: the option's required
    fields, then those the guide lets us add when we know them (never the member id)."""
    option = rules()["search_options"]["name_dob"]
    known = {"gender": has_sex, "address": has_address}
    return [*option["required"], *(f for f in option["sent_when_known"] if known.get(f, False))]


def normalize_mbi(value: str) -> str:
    """The MBI as systems carry it: upper case, no dashes or spaces (CMS: the card prints
    dashes; files and systems do not use them)."""
    return value.replace("-", "").replace(" ", "").upper()


def is_mbi(value: str) -> bool:
    """Whether ``value`` has the MBI's published format (CMS, 'Understanding the Medicare
    Beneficiary Identifier (MBI) Format'), position by position."""
    spec = rules()["mbi"]
    positions: list[str] = spec["positions"]
    classes: dict[str, str] = spec["classes"]
    mbi = normalize_mbi(value)
    return len(mbi) == len(positions) and all(
        ch in classes[kind] for ch, kind in zip(mbi, positions, strict=True)
    )


def split_suffix(last_name: str) -> tuple[str, str | None]:
    """A generational suffix written into the last name ("Smith-Jones Jr.") goes to NM107: the
    last name without it, and the suffix (None when there is none)."""
    words = last_name.replace(",", " ").split()
    if len(words) > 1:
        tail = words[-1].rstrip(".").upper()
        if tail in rules()["names"]["suffixes"]:
            return " ".join(words[:-1]), tail
    return last_name, None


def hyphen_variants(last_name: str) -> list[tuple[str, str]]:
    """Other spellings a payer may hold a hyphenated last name under, in the data's order:
    (label, last name)."""
    if "-" not in last_name:
        return []
    forms = {"space": last_name.replace("-", " "), "joined": last_name.replace("-", "")}
    return [(f"hyphen_as_{k}", forms[k]) for k in rules()["names"]["hyphen_variants"]]


def retry_with_other_name(codes: list[str]) -> bool:
    """The payer said the name is wrong (AAA 73): a spelling variant may match at this payer."""
    return any(c in rules()["names"]["retry_codes"] for c in codes)
