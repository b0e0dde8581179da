"""The prescription's free text as the estimator reads it, and the billing units it implies.

The reading itself lives in ``intake.therapy.prescription`` (shared with the prior-authorization
request, so the estimate prices the same course the payer is asked to authorize); here it is
re-exported with ``UnreadablePrescription`` (an ``EstimateError`` naming the field) in place of
``PrescriptionError``, so the estimator's callers handle one error family.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from intake.core.estimate_errors import EstimateError, UnreadablePrescription
from intake.reference.contracts import BillingUnit
from intake.therapy import prescription
from intake.therapy.prescription import Dose, Duration, Frequency, Measure, PrescriptionError

__all__ = [
    "Dose",
    "Duration",
    "Frequency",
    "Measure",
    "billing_units",
    "parse_dose",
    "parse_duration",
    "parse_frequency",
]


def parse_dose(text: str) -> Dose:
    try:
        return prescription.parse_dose(text)
    except PrescriptionError as error:
        raise UnreadablePrescription(str(error), error.field) from error


def parse_frequency(text: str) -> Frequency:
    try:
        return prescription.parse_frequency(text)
    except PrescriptionError as error:
        raise UnreadablePrescription(str(error), error.field) from error


def parse_duration(text: str) -> Duration:
    try:
        return prescription.parse_duration(text)
    except PrescriptionError as error:
        raise UnreadablePrescription(str(error), error.field) from error


def billing_units(
    dose: Dose, weight_kg: Decimal | None, unit: BillingUnit, doses_per_day: int = 1
) -> int:
    """Whole billing units for one dosing day: payers pay whole units, so round up."""
    if dose.measure != unit.measure:
        raise EstimateError(
            f"the dose is in {dose.measure} but the drug is billed per {unit.amount} {unit.measure}"
        )
    amount = dose.per_administration(weight_kg)
    if amount is None:
        raise EstimateError("a per-kg dose needs the patient's weight")
    units = (amount * doses_per_day / unit.amount).to_integral_value(rounding=ROUND_CEILING)
    return max(int(units), 1)
