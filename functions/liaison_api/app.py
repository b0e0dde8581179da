"""Liaison task API (HTTP API): routes and error mapping live in ``intake.api.routes``."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from intake.api.routes import app
from intake.core.observability import logger, metrics, tracer
from intake.core.settings import NotifySettings, with_settings


@with_settings(NotifySettings)
@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
