"""Copay estimate: what the patient will owe for a home infusion course, and who can help.

``estimate`` computes it (pure), ``estimate_json``/``dumps_estimate`` render it with the
liaison's call script, ``estimate_from_json`` reads a stored one back.
"""

from intake.core.estimate_errors import EstimateError, UnreadablePrescription
from intake.estimate.assistance import AssistanceCatalog, load_assistance
from intake.estimate.benefits_json import summary_from_json
from intake.estimate.call_script import render_call_script
from intake.estimate.estimator import estimate
from intake.estimate.model import Confidence, Estimate, LineItem
from intake.estimate.payers import PayerType
from intake.estimate.render import dumps_estimate, estimate_from_json, estimate_json
from intake.estimate.secondary import SecondaryCoverage
from intake.reference.contracts import Contracts, PlanClass, load_contracts, parse_contracts

__all__ = [
    "AssistanceCatalog",
    "Confidence",
    "Contracts",
    "Estimate",
    "EstimateError",
    "LineItem",
    "PayerType",
    "PlanClass",
    "SecondaryCoverage",
    "UnreadablePrescription",
    "dumps_estimate",
    "estimate",
    "estimate_from_json",
    "estimate_json",
    "load_assistance",
    "load_contracts",
    "parse_contracts",
    "render_call_script",
    "summary_from_json",
]
