"""A step of the pre-dose check workflow (re-verify, authorization, check-in call, clear/hold)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from intake.core.handler import instrumented
from intake.core.observability import metrics
from intake.core.settings import DoseCheckSettings
from intake.course.dose_check import DoseCheckRequest
from intake.wiring import dose_check


@instrumented(DoseCheckSettings, correlation_id_path="referral_id")
@event_parser(model=DoseCheckRequest)
def lambda_handler(event: DoseCheckRequest, context: LambdaContext) -> dict[str, Any]:
    result = dose_check().run(event)
    status = result.get("status")
    if event.action in ("conclude", "payer_down", "failed") and isinstance(status, str):
        metrics.add_metric(name=f"Doses_{status}", unit="Count", value=1)
    return result
