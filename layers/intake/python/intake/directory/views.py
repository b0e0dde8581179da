"""A directory entry in the shapes the rest of the layer reads today: the payer profile
(``payer_setting``'s keys), the contract (``reference.contracts.PayerContract``) and the
prior-authorization policy (``authorization.packet.reference.PayerPolicy``).

Imported only where those shapes are needed (pydantic models of estimate and authorization).
"""

from __future__ import annotations

from typing import Any

from intake.directory.model import PayerEntry

PROGRAM_OF_PLAN_TYPE: dict[str, str | None] = {
    "commercial": None,
    "government": None,
    "unknown": None,
    "medicare_advantage": "medicare_advantage",
    "original_medicare": "original_medicare",
    "medigap": "medigap",
    "medicaid": "medicaid",
    "pbm": "pbm",
}
"""``payer_profiles.json``'s ``program`` (null: commercial or unknown)."""

PLAN_CLASS_OF_PLAN_TYPE = {
    "commercial": "commercial",
    "government": "government",
    "unknown": "unknown",
    "medicare_advantage": "medicare",
    "original_medicare": "medicare",
    "medigap": "medicare",
    "medicaid": "medicaid",
    "pbm": "unknown",
}
"""``contracts.json``'s ``plan_class``: who funds the plan (decides assistance)."""


def payer_profile(entry: PayerEntry) -> dict[str, Any]:
    """The keys of ``payer_profiles.json`` this payer sets (unset keys: the default's)."""
    fax = next((r.value for r in entry.routes if r.channel == "fax" and not r.drug), None)
    portal = next((r.value for r in entry.routes if r.channel == "portal" and not r.drug), None)
    profile: dict[str, Any] = {
        "service_types": list(entry.service_types) or None,
        "ais_place_of_service": entry.ais_place_of_service,
        "ais_nursing": entry.ais_nursing,
        "program": PROGRAM_OF_PLAN_TYPE[entry.plan_type],
        "pbm": entry.pbm,
    }
    if entry.plan_type == "pbm":
        profile.update(name=entry.name, pa_fax=fax, pa_portal=portal)
    return {k: v for k, v in profile.items() if v is not None}


def payer_contract(entry: PayerEntry) -> Any:
    """The payer-wide contract row with its plans' overrides (None: no contract)."""
    from intake.reference.contracts import PayerContract, PlanTerms

    base = entry.contract(None)
    if base is None:
        return None
    plans = {
        row.plan_key: PlanTerms(
            in_network=row.in_network,
            plan_class=None,
            schedule=row.schedule,
            rates=dict(row.rates),
            pharmacy_benefit=row.pharmacy_benefit or None,
        )
        for row in entry.contracts
        if row.plan_key is not None
    }
    return PayerContract(
        name=entry.name,
        plan_class=PLAN_CLASS_OF_PLAN_TYPE[entry.plan_type],
        in_network=bool(base.in_network),
        schedule=base.schedule or "",
        rates=dict(base.rates),
        pharmacy_benefit=base.pharmacy_benefit,
        plans=plans,
    )


def payer_policy(entry: PayerEntry) -> Any:
    """The payer's prior-authorization policies (None: the directory has none)."""
    from intake.authorization.packet.reference import DrugPolicy, PayerPolicy

    if not entry.policies:
        return None
    fax = next((r.value for r in entry.routes if r.channel == "fax" and not r.drug), "")
    phone = next((r.value for r in entry.routes if r.channel == "phone" and not r.drug), "")
    return PayerPolicy(
        name=entry.name,
        um_fax=fax,
        um_phone=phone,
        drugs={
            drug: DrugPolicy(
                required=p.required, documentation=p.documentation, policy=p.policy or ""
            )
            for drug, p in entry.policies.items()
        },
    )
