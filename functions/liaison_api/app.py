"""Liaison task API (HTTP API): routes and error mapping live in ``intake.api.routes``."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from intake.api.routes import app
from intake.core.handler import instrumented
from intake.core.settings import NotifySettings


@instrumented(NotifySettings, correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
