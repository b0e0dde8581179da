"""Scheduled (EventBridge Scheduler): finish the effects of task completions left pending."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from intake.core.handler import instrumented
from intake.core.observability import metrics
from intake.core.settings import ReconcilerSettings
from intake.wiring import reconciler


@instrumented(ReconcilerSettings)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    report = reconciler().run()
    metrics.add_metric(name="EffectsFinished", unit="Count", value=report.done)
    metrics.add_metric(name="EffectsStillPending", unit="Count", value=report.still_pending)
    metrics.add_metric(name="EffectsFailed", unit="Count", value=report.failed)
    return report.as_dict()
