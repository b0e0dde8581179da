"""A bookkeeping step of the referral workflow (timeline, status, SLA clocks, escalation)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from intake.observability import logger, metrics, tracer
from intake.settings import WorkflowStepSettings, with_settings
from intake.wiring import workflow_steps
from intake.workflow_steps import StepRequest


@with_settings(WorkflowStepSettings)
@logger.inject_lambda_context(correlation_id_path="referral_id")
@metrics.log_metrics
@tracer.capture_lambda_handler
@event_parser(model=StepRequest)
def lambda_handler(event: StepRequest, context: LambdaContext) -> dict[str, Any]:
    return workflow_steps().run(event)
