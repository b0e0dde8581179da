"""Scheduled (EventBridge Scheduler): ask payers about pending authorizations and resume the
workflows whose decision arrived."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from intake.observability import logger, metrics, tracer
from intake.settings import PriorAuthSettings, with_settings
from intake.wiring import prior_authorizations


@with_settings(PriorAuthSettings)
@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    report = prior_authorizations().poll()
    metrics.add_metric(name="AuthorizationsPolled", unit="Count", value=report.checked)
    metrics.add_metric(name="AuthorizationsDecided", unit="Count", value=report.decided)
    return report.as_dict()
