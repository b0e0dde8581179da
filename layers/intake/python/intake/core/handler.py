"""The one decorator order every handler wears, written once.

Settings validated first (a missing variable fails before anything runs), then the Lambda
context and a correlation id on every log line, metrics flushed, and the (lazy) tracer
innermost. Imports only what every handler already loads: the observability objects and the
settings check; a handler keeps importing what else it uses itself (``event_parser``, the batch
utilities), so no function pays at cold start for what another one needs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from pydantic import BaseModel

from intake.core.observability import logger, metrics, tracer
from intake.core.settings import with_settings

H = TypeVar("H", bound=Callable[..., Any])


def instrumented(
    settings: type[BaseModel], correlation_id_path: str | None = None
) -> Callable[[H], H]:
    """``with_settings`` → ``logger.inject_lambda_context`` → ``metrics.log_metrics`` →
    ``tracer.capture_lambda_handler``, around ``handler``. ``correlation_id_path`` is the JMESPath
    of the event's id for the log lines (``referral_id``, ``Records[0].messageId``); without one
    (a scheduled run), log lines carry the Lambda context only."""

    def decorate(handler: H) -> H:
        traced = metrics.log_metrics(tracer.capture_lambda_handler(handler))
        logged = logger.inject_lambda_context(correlation_id_path=correlation_id_path)(traced)
        return cast(H, with_settings(settings)(logged))

    return decorate
