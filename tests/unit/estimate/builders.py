"""Small, round-number inputs for hand-checkable estimates.

The test contract prices infliximab (J1745) at $50 per 10 mg unit, its per diem (S9359) at $100
and nursing at $150 (99601, first 2 hours) + $50 (99602, each further hour). With 5 mg/kg and an
80 kg patient: 400 mg = 40 units = $2,000; a 3-hour visit = $200; one infusion = $2,300.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from intake.estimate import Contracts, Estimate, estimate, parse_contracts
from intake.models import benefits as mb
from intake.models.referral import Therapy
from tests.conftest import INFLIXIMAB

START = date(2026, 1, 5)
PLAN_END = date(2026, 12, 31)
WEIGHT = Decimal(80)

_RATES = {
    "J1745": "50.00",
    "J1569": "100.00",
    "J1335": "20.00",
    "S9359": "100.00",
    "S9338": "150.00",
    "S9500": "80.00",
    "99601": "150.00",
    "99602": "50.00",
    "Q2052": "300.00",
}


def contracts_json(**payers: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": "test-1",
        "effective": "2026-01-01",
        "assumed_coinsurance": {"in_network": "0.2", "out_of_network": "0.4"},
        "antibiotic_per_diem": {"1": "S9500"},
        "codes": {
            "J1745": {
                "kind": "drug",
                "description": "infliximab, 10 mg",
                "unit": {"amount": "10", "measure": "mg"},
            },
            "J1569": {
                "kind": "drug",
                "description": "immune globulin, 500 mg",
                "unit": {"amount": "500", "measure": "mg"},
            },
            "J1335": {
                "kind": "drug",
                "description": "ertapenem, 500 mg",
                "unit": {"amount": "500", "measure": "mg"},
            },
            "S9359": {"kind": "per_diem", "description": "anti-TNF per diem"},
            "S9338": {"kind": "per_diem", "description": "immunotherapy per diem"},
            "S9500": {"kind": "per_diem", "description": "antibiotic q24h per diem"},
            "Q2052": {"kind": "per_diem", "description": "IVIG items and services at home"},
            "99601": {"kind": "nursing", "description": "visit, first 2 hours"},
            "99602": {"kind": "nursing", "description": "each additional hour"},
        },
        "drugs": [
            {
                "hcpcs": "J1745",
                "names": ["infliximab"],
                "ndcs": ["57894-0030-01"],
                "per_diem": "S9359",
                "visit_hours": "3",
            },
            {
                "hcpcs": "J1569",
                "names": ["immune globulin"],
                "per_diem": "S9338",
                "visit_hours": "4",
                "medicare_home": "ivig_pid",
                "medicare_services_code": "Q2052",
            },
            {
                "hcpcs": "J1335",
                "names": ["ertapenem"],
                "per_diem": "antibiotic",
                "visit_hours": "2",
            },
        ],
        "payers": {
            "PPO": {
                "name": "TEST PPO",
                "plan_class": "commercial",
                "in_network": True,
                "schedule": "test PPO schedule",
                "rates": _RATES,
            },
            "OON": {
                "name": "TEST OON",
                "plan_class": "commercial",
                "in_network": False,
                "schedule": "test OON allowed",
                "rates": _RATES,
            },
            "MA": {
                "name": "TEST MA",
                "plan_class": "medicare",
                "in_network": True,
                "schedule": "test MA schedule",
                "rates": _RATES,
            },
            "MCR": {
                "name": "TEST ORIGINAL MEDICARE",
                "plan_class": "medicare",
                "in_network": True,
                "schedule": "test Medicare Part B schedule",
                "rates": {"J1745": "50.00", "J1569": "100.00", "Q2052": "300.00"},
            },
            "MCD": {
                "name": "TEST MEDICAID",
                "plan_class": "medicaid",
                "in_network": True,
                "schedule": "test Medicaid schedule",
                "rates": _RATES,
            },
            "GAP": {
                "name": "TEST MEDIGAP",
                "plan_class": "medicare",
                "in_network": True,
                "schedule": "Medicare allowed",
                "rates": {},
            },
            **payers,
        },
        "default": {
            "name": "UNKNOWN",
            "plan_class": "unknown",
            "in_network": False,
            "schedule": "usual and customary",
            "rates": _RATES,
        },
    }


def round_contracts(**payers: dict[str, Any]) -> Contracts:
    return parse_contracts(json.dumps(contracts_json(**payers)))


def acc(
    total: str | None = None, remaining: str | None = None, met: str | None = None
) -> mb.Accumulator:
    def d(v: str | None) -> Decimal | None:
        return None if v is None else Decimal(v)

    return mb.Accumulator(total=d(total), remaining=d(remaining), met=d(met))


def line(
    code: str,
    service_types: tuple[str, ...] = ("30",),
    *,
    in_network: bool | None = True,
    percent: str | None = None,
    amount: str | None = None,
) -> mb.BenefitLine:
    return mb.BenefitLine(
        code=code,
        service_types=service_types,
        in_network=in_network,
        percent=None if percent is None else Decimal(percent),
        amount=None if amount is None else Decimal(amount),
        time_period="27" if code == "B" else None,
    )


def benefits(
    *,
    payer_id: str = "PPO",
    lines: tuple[mb.BenefitLine, ...] = (),
    deductible: mb.Accumulator | None = None,
    family_deductible: mb.Accumulator | None = None,
    oop: mb.Accumulator | None = None,
    family_oop: mb.Accumulator | None = None,
    out_of_network: bool = False,
    plan_end: date | None = PLAN_END,
    insurance_type: str | None = "PR",
    status: mb.CoverageStatus = mb.CoverageStatus.ACTIVE,
    plan_description: str = "TEST PLAN",
) -> mb.BenefitsSummary:
    """One patient's summary; the accumulators go on the side ``out_of_network`` says."""
    ded = mb.ByLevel(
        individual=deductible or mb.Accumulator(), family=family_deductible or mb.Accumulator()
    )
    pocket = mb.ByLevel(individual=oop or mb.Accumulator(), family=family_oop or mb.Accumulator())
    side = "out_of_network" if out_of_network else "in_network"
    return mb.BenefitsSummary(
        status=status,
        payer=mb.Party(name=f"TEST {payer_id}", id=payer_id),
        plan=mb.Plan(
            description=plan_description,
            insurance_type=insurance_type,
            begin=date(2026, 1, 1) if plan_end else None,
            end=plan_end,
        ),
        benefits=(mb.BenefitLine(code="1", service_types=("30",)), *lines),
        summary=mb.Accumulators(
            deductible=mb.ByNetwork(**{side: ded}), out_of_pocket=mb.ByNetwork(**{side: pocket})
        ),
    )


def infliximab(**changes: Any) -> Therapy:
    fields: dict[str, Any] = {**INFLIXIMAB, **changes}
    return Therapy.model_validate(fields)


def priced(
    summary: mb.BenefitsSummary, contracts: Contracts, start: date = START, **options: Any
) -> Estimate:
    """The estimate for infliximab (``infliximab()``) for the usual patient (``WEIGHT`` kg) from
    ``start``; ``options`` go to ``estimate`` as they are (language, thresholds, secondary...)."""
    return estimate(
        summary, infliximab(), weight_kg=WEIGHT, start=start, contracts=contracts, **options
    )


def home_health_visits_left(visits: int) -> mb.VisitLimit:
    """An in-network limit on home health visits (service type 44, EB*F) with ``visits`` left
    this calendar year (HSD time period 29: remaining)."""
    return mb.VisitLimit(
        code="F",
        service_types=("44",),
        quantity_qualifier="VS",
        quantity=Decimal(visits),
        time_period="29",
        in_network=True,
    )
