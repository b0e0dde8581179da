"""The service lines of a prior-authorization request, read from the one service plan.

``intake.therapy`` counts the drug units (whole vials, JW/JZ), the per diem and the nurse
visits for the estimate and the request alike; here they become the packet's
``RequestedService`` rows (code with modifiers, description, units, basis).
"""

from __future__ import annotations

from intake.authorization.packet.models import RequestedService
from intake.therapy import ServicePlan


def requested_services(plan: ServicePlan) -> tuple[RequestedService, ...]:
    """One row per plan line, in the plan's order (drug, JW waste, per diem, nursing)."""
    return tuple(
        RequestedService(
            line.code,
            line.description,
            line.units,
            line.basis,
            modifiers=line.modifiers,
            component=line.component.value,
        )
        for line in plan.lines
    )
