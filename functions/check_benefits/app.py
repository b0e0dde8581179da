"""Check the referral's benefits: X12 270 over CAQH CORE, 271 interpreted and recorded."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field

from intake.core.handler import instrumented
from intake.core.settings import BenefitsSettings
from intake.wiring import benefits_check


class CheckRequest(BaseModel):
    referral_id: str
    round: int = Field(default=1, ge=1)
    corrections_task_id: str | None = Field(
        default=None, description="the completed task whose corrections re-run the check"
    )
    corrections: dict[str, Any] | None = Field(
        default=None, description="older executions carried the values themselves; still read"
    )


@instrumented(BenefitsSettings, correlation_id_path="referral_id")
@event_parser(model=CheckRequest)
def lambda_handler(event: CheckRequest, context: LambdaContext) -> dict[str, Any]:
    check = benefits_check()
    corrections = event.corrections
    if event.corrections_task_id is not None:
        corrections = check.corrections_of(event.referral_id, event.corrections_task_id)
    outcome = check.run(
        event.referral_id, event.round, corrections, task_id=event.corrections_task_id
    )
    return outcome.model_dump(mode="json")
