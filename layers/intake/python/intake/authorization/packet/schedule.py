"""The 278's delivery pattern (HSD) from the service plan's reading of the prescription.

The prescription is read once, by ``intake.therapy.prescription`` through ``intake.therapy``; this
module only turns that reading into the HSD terms: N visits per day, or 1 every N days, weeks or
months, for the duration. Anything unread stays ``None`` (no HSD) rather than a guessed pattern.
"""

from __future__ import annotations

from decimal import Decimal

from intake.therapy import ServicePlan
from intake.therapy.prescription import Duration, PrescriptionError, parse_dose
from intake.x12.t278.request import DeliveryPattern


def dose_mg(dose: str, weight_kg: float | None) -> float | None:
    """Milligrams per administration; None for a unit dose, unreadable text, or a per-kg dose
    without the weight."""
    try:
        read = parse_dose(dose)
    except PrescriptionError:
        return None
    if read.measure != "mg":
        return None
    mg = read.per_administration(None if weight_kg is None else Decimal(str(weight_kg)))
    return None if mg is None else float(mg)


def delivery(plan: ServicePlan) -> DeliveryPattern | None:
    """HSD: N visits per day, or 1 every N days/weeks/months, for the duration; a single dose
    or a loading schedule without an interval is its number of visits."""
    f, d = plan.frequency, plan.duration
    if f is None:
        return None
    if not f.repeating:
        return DeliveryPattern("VS", max(len(plan.dose_dates), 1))
    if f.every_months is not None:
        quantity, unit, modulus = 1, "MO", f.every_months
    elif f.every_days == 1:
        quantity, unit, modulus = f.doses_per_day, "DA", None
    elif f.every_days is not None and f.every_days % 7 == 0:
        quantity, unit, modulus = 1, "WK", f.every_days // 7
    else:
        quantity, unit, modulus = 1, "DA", f.every_days
    period, periods = ("", None) if d is None else _period(d)
    return DeliveryPattern(
        "VS", quantity, unit, modulus if modulus and modulus > 1 else None, period, periods
    )


def _period(duration: Duration) -> tuple[str, int | None]:
    """HSD05/06: months (34) or days (7); a course counted in doses has no period."""
    if duration.months is not None:
        return "34", duration.months
    if duration.days is not None:
        return "7", duration.days
    return "", None
