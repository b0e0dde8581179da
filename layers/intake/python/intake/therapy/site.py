"""Where the care happens, as a payer codes it.

Home is CMS place of service 12. An ambulatory infusion suite has no code of its own: each
payer names the code it takes (NHIA: 11 office, 12 home or 49 independent clinic) in
``payer_profiles.json`` (``ais_place_of_service``); a payer that names none leaves it unknown
(None): the liaison asks the payer, nothing guesses it. Each code's meaning is data from the
CMS Place of Service Code Set (``intake.reference.place_of_service``). The suite's per diem
carries modifier SS (NHIA). How the payer pays a suite's nursing (``ais_nursing``: per visit
as at home, or in the per diem) is a payer setting too; unset is unknown.
"""

from __future__ import annotations

from typing import Literal

from intake.models.referral import SiteOfCare
from intake.reference.payer_profiles import payer_setting
from intake.reference.place_of_service import place_of_service_codes
from intake.therapy.model import SS

HOME = "12"
SITE_WORDS = {SiteOfCare.HOME: "Home Infusion", SiteOfCare.INFUSION_SUITE: "Infusion Suite"}
SuiteNursing = Literal["per_visit", "in_per_diem"]
_SUITE_NURSING: tuple[SuiteNursing, ...] = ("per_visit", "in_per_diem")


def place_of_service(site: SiteOfCare, payer_id: str) -> str | None:
    """The CMS place of service code a referral is requested and priced at: 12 at home; for
    an infusion suite the payer profile's code, None when the profile states none. A profile
    code missing from the CMS rows on file raises ``KeyError`` (a data error, never sent)."""
    if site == SiteOfCare.HOME:
        return HOME
    code = payer_setting(payer_id, "ais_place_of_service")
    if code is None:
        return None
    return place_of_service_codes().get(str(code)).code


def suite_nursing(site: SiteOfCare, payer_id: str) -> SuiteNursing | None:
    """How the payer pays nursing in an infusion suite (None at home, or not stated)."""
    if site != SiteOfCare.INFUSION_SUITE:
        return None
    value = payer_setting(payer_id, "ais_nursing")
    if value is None:
        return None
    if value not in _SUITE_NURSING:
        raise ValueError(f"payer {payer_id}: ais_nursing {value!r} is not one of {_SUITE_NURSING}")
    return value  # type: ignore[no-any-return]


def place_words(code: str | None) -> str:
    """'12 Home' from the CMS rows; 'not stated by the payer' when unknown."""
    if code is None:
        return "not stated by the payer (ask the payer)"
    return f"{code} {place_of_service_codes().get(code).name}"


def per_diem_modifiers(site: SiteOfCare) -> tuple[str, ...]:
    return (SS,) if site == SiteOfCare.INFUSION_SUITE else ()


def site_title(site: SiteOfCare) -> str:
    """'Home Infusion' or 'Infusion Suite', for packet titles."""
    return SITE_WORDS[site]
