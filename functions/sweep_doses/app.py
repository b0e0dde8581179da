"""Scheduled (EventBridge Scheduler): start the check workflow of every dose now due."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from intake.core.handler import instrumented
from intake.core.observability import metrics
from intake.core.settings import SweepSettings
from intake.wiring import dose_sweep


@instrumented(SweepSettings)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    report = dose_sweep().run()
    metrics.add_metric(name="DoseChecksStarted", unit="Count", value=report.started)
    metrics.add_metric(name="DoseChecksFailedToStart", unit="Count", value=report.failed)
    return report.as_dict()
