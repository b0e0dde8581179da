"""Scheduled (EventBridge Scheduler): deliver the referring clinics' pending statuses."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from intake.clinic.settings import ClinicSenderSettings
from intake.core.handler import instrumented
from intake.core.observability import metrics
from intake.core.settings import load_settings
from intake.wiring import clinic_sender


@instrumented(ClinicSenderSettings)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    counts = clinic_sender().run(load_settings(ClinicSenderSettings).clinic_status_batch)
    for state, count in counts.items():
        metrics.add_metric(name=f"ClinicStatus_{state}", unit="Count", value=count)
    return counts
