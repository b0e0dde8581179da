"""The directory's CSV files: one per kind, each column with its parser and meaning.

This module is the documented header (docs/directory.md prints the same table): a file whose
header differs from its kind's columns is rejected as a whole, a row whose cell does not parse
is named with its file, line and reason. Parsers return the typed value or raise ValueError
with the reason in plain words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, get_args

from intake.directory.model import Channel, CopayAssistancePolicy, PlanType

PLAN_TYPES: tuple[str, ...] = get_args(PlanType)
"""Who funds a payer's (or a plan's) coverage. ``unknown``: the directory does not say."""

COPAY_ASSISTANCE_POLICIES: tuple[str, ...] = get_args(CopayAssistancePolicy)
"""How a plan counts manufacturer copay assistance: ``accumulator`` (not toward the deductible
or out-of-pocket maximum), ``maximizer`` (spread over the plan year), ``standard`` (counted),
``unknown`` (not stated: never assumed; a blank cell reads as unknown)."""

CHANNELS: tuple[str, ...] = get_args(Channel)
"""Where a prior-authorization request goes: a 278 through the clearinghouse (value: the
clearinghouse's payer id), the payer's portal (URL), a fax or phone number, or a PBM for
carved-out drugs (value: the PBM's payer id in this directory)."""

YES_NO_UNKNOWN = ("yes", "no", "unknown")

_PAYER_ID = re.compile(r"^[A-Z0-9-]{2,80}$")
_CODE = re.compile(r"^(?:[A-Z][0-9]{4}|[0-9]{5}|[0-9]{11})$")
_PHONE = re.compile(r"^[0-9]{3}-[0-9]{3}-[0-9]{4}$")
_STC = re.compile(r"^[0-9A-Z]{1,2}$")
_STATE = re.compile(r"^[A-Z]{2}$")
_POS = re.compile(r"^[0-9]{2}$")


def payer_id(text: str) -> str:
    value = text.strip().upper()
    if not _PAYER_ID.match(value):
        raise ValueError(f"payer id {text!r} is not 2-80 letters, digits or hyphens")
    return value


def optional_payer_id(text: str) -> str | None:
    return payer_id(text) if text.strip() else None


def required_text(text: str) -> str:
    value = " ".join(text.split())
    if not value:
        raise ValueError("is empty")
    return value


def optional_text(text: str) -> str | None:
    return " ".join(text.split()) or None


def one_of(values: tuple[str, ...], blank: str | None = None) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = text.strip().lower()
        if not value and blank is not None:
            return blank
        if value not in values:
            raise ValueError(f"{text!r} is not one of {', '.join(values)}")
        return value

    return parse


def optional_one_of(values: tuple[str, ...]) -> Callable[[str], str | None]:
    def parse(text: str) -> str | None:
        return one_of(values)(text) if text.strip() else None

    return parse


def yes_no(text: str) -> bool:
    value = text.strip().lower()
    if value not in ("yes", "no"):
        raise ValueError(f"{text!r} is not yes or no")
    return value == "yes"


def optional_yes_no(text: str) -> bool | None:
    return yes_no(text) if text.strip() else None


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def optional_date(text: str) -> date | None:
    return iso_date(text) if text.strip() else None


def positive_int(text: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise ValueError(f"{value} is not 1 or more")
    return value


def amount(text: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError(f"{text!r} is not an amount") from None
    if not value.is_finite() or value <= 0:
        raise ValueError(f"{text!r} is not an amount above zero")
    return value


def code(text: str) -> str:
    """A HCPCS/CPT code (J1745, 99601) or an NDC (11 digits; hyphenated 5-4-2 accepted)."""
    value = text.strip().upper()
    digits = value.replace("-", "")
    if "-" in value and digits.isdigit():
        from intake.models.codes import normalize_ndc

        value = normalize_ndc(value)
    if not _CODE.match(value):
        raise ValueError(f"{text!r} is not a HCPCS/CPT code or an 11-digit NDC")
    return value


def _listed(item: Callable[[str], str]) -> Callable[[str], tuple[str, ...]]:
    def parse(text: str) -> tuple[str, ...]:
        return tuple(item(part) for part in text.split(";") if part.strip())

    return parse


def _pattern(regex: re.Pattern[str], what: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = text.strip().upper()
        if not regex.match(value):
            raise ValueError(f"{text!r} is not {what}")
        return value

    return parse


def optional_pattern(regex: re.Pattern[str], what: str) -> Callable[[str], str | None]:
    def parse(text: str) -> str | None:
        return _pattern(regex, what)(text) if text.strip() else None

    return parse


def _documentation(text: str) -> tuple[str, ...]:
    return tuple(" ".join(part.split()) for part in text.split(";") if part.strip())


def _route_value(text: str) -> str:
    return required_text(text)


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    parse: Callable[[str], Any]
    doc: str


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    doc: str
    columns: tuple[Column, ...]

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


PAYERS = Kind(
    "payers",
    "One row per payer (or PBM): who it is and how the pharmacy deals with it.",
    (
        Column("payer_id", payer_id, "the pharmacy's id for the payer (the referral's payer_id)"),
        Column("name", required_text, "the payer's name as it publishes it"),
        Column("plan_type", one_of(PLAN_TYPES), "|".join(PLAN_TYPES)),
        Column(
            "states",
            _listed(_pattern(_STATE, "a two-letter state code")),
            "states it covers, ';'-separated (USPS codes); blank: not stated",
        ),
        Column(
            "medicare_jurisdiction",
            optional_text,
            "the Medicare contractor jurisdiction (A/B MAC or DME MAC, e.g. JE, DME A); blank: none",
        ),
        Column(
            "demographic_270",
            one_of(YES_NO_UNKNOWN, blank="unknown"),
            "whether it answers a 270 without a member id (name, birth date): yes|no|unknown",
        ),
        Column("directory_order", positive_int, "the pharmacy's order (1 first), unique"),
        Column(
            "service_types",
            _listed(_pattern(_STC, "a service type code")),
            "EQ01 codes its 270 asks, ';'-separated; blank: the default list",
        ),
        Column(
            "ais_place_of_service",
            optional_pattern(_POS, "a two-digit place of service code"),
            "place of service it takes for an ambulatory infusion suite; blank: not stated",
        ),
        Column(
            "ais_nursing",
            optional_one_of(("per_visit", "in_per_diem")),
            "how it pays suite nursing: per_visit|in_per_diem; blank: not stated",
        ),
        Column("pbm", optional_payer_id, "its PBM (a payer_id of plan_type pbm); blank: none"),
        Column("source", optional_text, "where the row's facts come from"),
    ),
)

ALIASES = Kind(
    "aliases",
    "Other names a payer goes by (on cards, in 271s, in referrals).",
    (
        Column("payer_id", payer_id, "a payer_id of payers.csv"),
        Column("alias", required_text, "the other name"),
    ),
)

CLEARINGHOUSE_IDS = Kind(
    "clearinghouse_ids",
    "The payer's id at each clearinghouse (the 270's and 278's NM1*PR id).",
    (
        Column("payer_id", payer_id, "a payer_id of payers.csv"),
        Column("clearinghouse", required_text, "the clearinghouse's name"),
        Column("clearinghouse_payer_id", required_text, "the payer's id there"),
    ),
)

PLANS = Kind(
    "plans",
    "Plans and products of a payer, keyed as the 271 names them (group number or plan name).",
    (
        Column("payer_id", payer_id, "a payer_id of payers.csv"),
        Column("plan_key", required_text, "the 271's group number or plan description"),
        Column("plan_name", required_text, "the plan's name"),
        Column("product", optional_text, "the product (HMO, PPO, EPO, POS, HDHP, ...)"),
        Column(
            "plan_type",
            optional_one_of(PLAN_TYPES),
            "who funds it when it differs from the payer's; blank: the payer's",
        ),
        Column(
            "copay_assistance_policy",
            one_of(COPAY_ASSISTANCE_POLICIES, blank="unknown"),
            "|".join(COPAY_ASSISTANCE_POLICIES) + "; blank: unknown",
        ),
        Column("source", optional_text, "where the row's facts come from"),
    ),
)

CONTRACTS = Kind(
    "contracts",
    "The pharmacy's contracts: a payer-wide row (blank plan_key) and per-plan overrides.",
    (
        Column("payer_id", payer_id, "a payer_id of payers.csv"),
        Column("plan_key", optional_text, "blank: the payer's contract; else a plans.csv plan"),
        Column("in_network", optional_yes_no, "yes|no; blank on a plan row: the payer's"),
        Column(
            "schedule", optional_text, "the fee schedule's name; blank on a plan row: the payer's"
        ),
        Column(
            "pharmacy_benefit",
            _listed(code),
            "drugs carved out to the pharmacy benefit, ';'-separated codes",
        ),
        Column("effective_from", iso_date, "first day the contract applies"),
        Column("effective_to", optional_date, "last day; blank: open-ended"),
    ),
)

RATES = Kind(
    "rates",
    "Allowed amount per billing unit of a code under a contract row.",
    (
        Column("payer_id", payer_id, "a payer_id of contracts.csv"),
        Column("plan_key", optional_text, "the contract row's plan_key (blank: payer-wide)"),
        Column("code", code, "HCPCS/CPT code or 11-digit NDC"),
        Column("rate", amount, "dollars per billing unit"),
    ),
)

PA_POLICIES = Kind(
    "pa_policies",
    "Prior-authorization policy of a payer for a drug, with its source and date.",
    (
        Column("payer_id", payer_id, "a payer_id of payers.csv"),
        Column("drug", code, "HCPCS code or 11-digit NDC"),
        Column("required", yes_no, "yes|no: the policy requires authorization at home"),
        Column("documentation", _documentation, "what the reviewer asks for, ';'-separated"),
        Column("policy", optional_text, "the payer's policy id and title"),
        Column("source", required_text, "where the policy was read (document, URL)"),
        Column("as_of", iso_date, "the policy's date (revision or when read)"),
    ),
)

ROUTES = Kind(
    "routes",
    "Where a prior-authorization request goes.",
    (
        Column("payer_id", payer_id, "a payer_id of payers.csv"),
        Column("channel", one_of(CHANNELS), "|".join(CHANNELS)),
        Column("value", _route_value, "clearinghouse payer id, URL, number or PBM payer_id"),
        Column("drug", lambda t: code(t) if t.strip() else None, "blank: every drug"),
    ),
)

KINDS: tuple[Kind, ...] = (
    PAYERS,
    ALIASES,
    CLEARINGHOUSE_IDS,
    PLANS,
    CONTRACTS,
    RATES,
    PA_POLICIES,
    ROUTES,
)
"""In import order: a file may refer only to files before it."""

KIND_BY_FILE = {k.file: k for k in KINDS}


def validate_phone(value: str) -> str | None:
    """The reason a fax/phone route value is not a number (None when it is)."""
    return None if _PHONE.match(value) else f"{value!r} is not a number like 800-555-0100"
