"""A drug carved out to the pharmacy benefit is authorized with the PBM, not by a 278.

Carved out when the payer's contract lists the drug on its pharmacy benefit, or the 271 answers
for the drug on a pharmacy line (service type 88/89/90 with the drug's code in EB13). The PBM is
the related entity (2120 NM1) the 271 names on a pharmacy line (typically EB01 U, "contact the
following entity"), else the payer profile's ``pbm``; its fax and portal come from the PBM's own
payer profile (``intake/data/payer_profiles.json``), else they are unknown and the task says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from intake.models.benefits import BenefitsSummary
from intake.models.referral import Referral
from intake.reference.contracts import ContractTerms
from intake.reference.payer_profiles import payer_setting

PHARMACY_TYPES = frozenset({"88", "89", "90"})
"""X12 service types of the pharmacy benefit: 88 pharmacy, 89 free-standing, 90 mail order."""


@dataclass(frozen=True, slots=True)
class Pbm:
    name: str
    id: str | None
    fax: str | None
    portal: str | None
    source: str
    """Where the PBM came from: the 271's related entity or the payer profile."""


@dataclass(frozen=True, slots=True)
class CarveOut:
    drug: str
    why: str
    pbm: Pbm | None


def _pharmacy_lines(benefits: BenefitsSummary) -> list[object]:
    return [b for b in benefits.benefits if PHARMACY_TYPES & set(b.service_types)]


def _contact(pbm_id: str | None) -> tuple[str | None, str | None]:
    if not pbm_id:
        return None, None
    return payer_setting(pbm_id, "pa_fax"), payer_setting(pbm_id, "pa_portal")


def named_pbm(benefits: BenefitsSummary, payer_id: str | None) -> Pbm | None:
    """The PBM the 271 names on a pharmacy line (2120 NM1), else the payer profile's."""
    for line in benefits.benefits:
        if not PHARMACY_TYPES & set(line.service_types):
            continue
        for entity in line.related_entities:
            fax, portal = _contact(entity.id)
            return Pbm(entity.name, entity.id, fax, portal, "271 related entity (2120 NM1)")
    profiled = payer_setting(payer_id, "pbm") if payer_id else None
    if profiled:
        fax, portal = _contact(str(profiled))
        name = payer_setting(str(profiled), "name") or str(profiled)
        return Pbm(str(name), str(profiled), fax, portal, f"payer profile of {payer_id}")
    return None


def carve_out(
    referral: Referral, benefits: BenefitsSummary, terms: ContractTerms
) -> CarveOut | None:
    """Whether the referral's drug is on the pharmacy benefit, why, and its PBM."""
    therapy = referral.therapy
    codes = {c for c in (therapy.hcpcs, therapy.ndc) if c}
    drug = therapy.hcpcs or therapy.ndc or therapy.drug_name
    why = None
    if therapy.hcpcs and therapy.hcpcs in terms.pharmacy_benefit:
        why = f"the payer's contract carves {therapy.hcpcs} out to its pharmacy benefit"
    else:
        for line in benefits.benefits:
            if PHARMACY_TYPES & set(line.service_types) and any(
                c in (line.procedure or "") for c in codes
            ):
                why = f"the 271 answers for {drug} on the pharmacy benefit (EB03 88/89/90, EB13)"
                break
    if why is None:
        return None
    return CarveOut(drug, why, named_pbm(benefits, referral.coverage.payer_id))
