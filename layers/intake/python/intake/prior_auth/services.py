"""The service lines of a home infusion request: the drug, the per diem and nursing.

Home infusion is billed as three things, and a payer authorizes each: the drug (J-code units
from the dose), the per diem (S-code, one unit per day of therapy) and nursing visits (99601).
Intermittent therapy (every few weeks) gets one per diem day and one visit per infusion;
continuous therapy (daily or more) gets a per diem for every day and weekly nursing visits for
line care and assessment.
"""

from __future__ import annotations

import math

from intake.models.referral import Referral
from intake.prior_auth.models import RequestedService
from intake.prior_auth.reference import home_infusion_codes
from intake.prior_auth.schedule import Course, dose_mg


def _drug_line(referral: Referral, course: Course) -> RequestedService | None:
    therapy = referral.therapy
    if therapy.hcpcs is None:
        return None
    codes = home_infusion_codes()
    drug = codes.drugs.get(therapy.hcpcs)
    description = drug.description if drug else therapy.drug_name
    mg = dose_mg(therapy.dose, referral.patient.weight_kg)
    doses = course.administrations
    if drug is None or drug.unit_mg is None or mg is None or doses is None:
        return RequestedService(
            therapy.hcpcs,
            description,
            None,
            "units to be confirmed (dose, weight or schedule not readable)",
        )
    per_dose = math.ceil(mg / drug.unit_mg - 1e-9)
    return RequestedService(
        therapy.hcpcs,
        description,
        per_dose * doses,
        f"{per_dose} units ({mg:g} mg / {drug.unit_mg:g} mg) x {doses} administrations",
    )


def requested_services(referral: Referral, course: Course) -> tuple[RequestedService, ...]:
    """Drug, per diem and nursing lines for the course (the drug line only with a HCPCS)."""
    codes = home_infusion_codes()
    lines: list[RequestedService] = []
    drug_line = _drug_line(referral, course)
    if drug_line is not None:
        lines.append(drug_line)
    drug = codes.drugs.get(referral.therapy.hcpcs or "")
    per_diem = (drug.per_diem if drug and drug.per_diem else None) or codes.default_per_diem
    doses, days = course.administrations, course.days
    if course.continuous:
        diem_days = days
        visits = None if days is None else math.ceil(days / 7)
        diem_basis, visit_basis = f"{days} days of therapy", "weekly visits for the course"
    else:
        diem_days = visits = doses
        diem_basis = visit_basis = f"one per administration ({doses} administrations)"
    lines.append(
        RequestedService(
            per_diem,
            codes.codes.get(per_diem, per_diem),
            diem_days,
            diem_basis if diem_days else "days to be confirmed",
        )
    )
    lines.append(
        RequestedService(
            codes.nursing,
            codes.codes.get(codes.nursing, codes.nursing),
            visits,
            visit_basis if visits else "visits to be confirmed",
        )
    )
    return tuple(lines)
