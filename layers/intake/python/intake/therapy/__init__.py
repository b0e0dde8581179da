"""The one description of what a course requests and bills (issue 9, item 5).

``plan_services(referral, start)`` / ``plan_therapy(therapy, start, payer_id=...)`` give a
``ServicePlan``: the requested period, the dosing days, the site and place of service, and the
service lines (drug from whole vials with JW/JZ, per diem, nursing) with units and their basis.
The estimate, the 278, the PAS bundle and the PDF packet all read it.
"""

from intake.therapy.model import (
    JW,
    JZ,
    SS,
    DayCharge,
    FieldProblem,
    ServiceDay,
    ServiceLine,
    ServicePlan,
)
from intake.therapy.plan import cap_visits, plan_services, plan_therapy
from intake.therapy.products import Products, VialFill, fill, load_products
from intake.therapy.site import place_of_service, site_title

__all__ = [
    "JW",
    "JZ",
    "SS",
    "DayCharge",
    "FieldProblem",
    "Products",
    "ServiceDay",
    "ServiceLine",
    "ServicePlan",
    "VialFill",
    "cap_visits",
    "fill",
    "load_products",
    "place_of_service",
    "plan_services",
    "plan_therapy",
    "site_title",
]
