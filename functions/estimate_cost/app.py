"""Estimate what the patient will owe, record it as a new version, prepare the cost call."""

from __future__ import annotations

from typing import Any, Literal

from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from intake.core.handler import instrumented
from intake.core.settings import EstimateSettings
from intake.wiring import cost_estimates


class EstimateRequest(BaseModel):
    referral_id: str
    coverage: Literal["insurance", "self_pay"] = "insurance"


@instrumented(EstimateSettings, correlation_id_path="referral_id")
@event_parser(model=EstimateRequest)
def lambda_handler(event: EstimateRequest, context: LambdaContext) -> dict[str, Any]:
    return cost_estimates().run(event.referral_id, coverage=event.coverage)
