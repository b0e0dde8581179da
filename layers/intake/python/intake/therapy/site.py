"""Where the care happens, as a payer codes it.

Home is CMS place of service 12. An ambulatory infusion suite has no code of its own: each
payer takes it as 11 (office), 12 (home) or 49 (independent clinic), set per payer in
``payer_profiles.json``; its per diem carries modifier SS (NHIA).
"""

from __future__ import annotations

from intake.models.referral import SiteOfCare
from intake.reference.payer_profiles import payer_setting
from intake.therapy.model import SS

HOME = "12"
SITE_WORDS = {SiteOfCare.HOME: "Home Infusion", SiteOfCare.INFUSION_SUITE: "Infusion Suite"}


def place_of_service(site: SiteOfCare, payer_id: str) -> str:
    if site == SiteOfCare.HOME:
        return HOME
    return str(payer_setting(payer_id, "ais_place_of_service"))


def per_diem_modifiers(site: SiteOfCare) -> tuple[str, ...]:
    return (SS,) if site == SiteOfCare.INFUSION_SUITE else ()


def site_title(site: SiteOfCare) -> str:
    """'Home Infusion' or 'Infusion Suite', for packet titles."""
    return SITE_WORDS[site]
