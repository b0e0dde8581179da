"""Scheduled (EventBridge Scheduler): ask payers about pending authorizations and resume the
workflows whose decision arrived; then report the liaisons' work queue (open and overdue
tasks) for the operations dashboard, since this is the one function that runs on a clock."""

from __future__ import annotations

import time
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from intake.core.clock import utcnow
from intake.core.handler import instrumented
from intake.core.observability import metrics
from intake.core.settings import PriorAuthSettings
from intake.wiring import prior_authorizations, store

WORK_QUEUE_EVERY_S = 60.0
_last_report = [float("-inf")]


def report_work_queue() -> dict[str, int]:
    """Gauges read by the dashboard and the overdue-tasks alarm (GSI1: live tasks only), at most
    once a minute per environment: in AWS every run (15 min apart) reports; the local stack runs
    the poller every second and need not read the whole work queue each time."""
    if time.monotonic() - _last_report[0] < WORK_QUEUE_EVERY_S:
        return {}
    _last_report[0] = time.monotonic()
    now = utcnow()
    live = [*store().open_tasks("open"), *store().open_tasks("claimed")]
    overdue = sum(1 for task in live if task.due_at < now)
    metrics.add_metric(name="TasksOpen", unit="Count", value=len(live))
    metrics.add_metric(name="TasksOverdue", unit="Count", value=overdue)
    return {"tasks_open": len(live), "tasks_overdue": overdue}


@instrumented(PriorAuthSettings)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    report = prior_authorizations().poll()
    metrics.add_metric(name="AuthorizationsPolled", unit="Count", value=report.checked)
    metrics.add_metric(name="AuthorizationsDecided", unit="Count", value=report.decided)
    return {**report.as_dict(), **report_work_queue()}
