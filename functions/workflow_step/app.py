"""A bookkeeping step of the referral workflow (timeline, status, SLA clocks, escalation).

The step that concludes a referral counts its end state (``Referrals_<status>``) for the dashboard.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from intake.core.handler import instrumented
from intake.core.observability import metrics
from intake.core.settings import WorkflowStepSettings
from intake.wiring import workflow_steps
from intake.workflow.steps import StepRequest

ENDING_ACTIONS = {"conclude"}  # failures: AWS/States ExecutionsFailed and the workflow_error task


@instrumented(WorkflowStepSettings, correlation_id_path="referral_id")
@event_parser(model=StepRequest)
def lambda_handler(event: StepRequest, context: LambdaContext) -> dict[str, Any]:
    result = workflow_steps().run(event)
    if event.action in ENDING_ACTIONS and isinstance(result.get("status"), str):
        metrics.add_metric(name=f"Referrals_{result['status']}", unit="Count", value=1)
    return result
