"""The one Logger, Tracer and Metrics every handler and module uses.

Log lines carry ids (referral, task, execution) and outcomes, never names, dates of birth,
member ids or document contents: CloudWatch Logs is not where PHI belongs.

The X-Ray SDK costs a quarter to half a second of CPU to import and patch, more than the rest
of a function's cold start; the tracer is therefore created at the first traced invocation (not
at import), patches only the libraries we call through (botocore, requests), and is never
loaded where tracing is off (the local stack, tests).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from aws_lambda_powertools import Logger, Metrics

if TYPE_CHECKING:
    from aws_lambda_powertools import Tracer

H = TypeVar("H", bound=Callable[..., Any])
TRACED_MODULES = ("botocore", "requests")

logger = Logger()
metrics = Metrics()


def tracing_disabled() -> bool:
    """Powertools' own switch (``POWERTOOLS_TRACE_DISABLED``), read when a handler first runs."""
    return os.getenv("POWERTOOLS_TRACE_DISABLED", "false").strip().lower() in {
        "1",
        "true",
        "yes",
        "on",
    }


class LazyTracer:
    """Powertools' ``Tracer``, built on first use; ``capture_lambda_handler`` keeps its meaning."""

    def __init__(self) -> None:
        self._tracer: Tracer | None = None

    @property
    def provider(self) -> Tracer:
        if self._tracer is None:
            from aws_lambda_powertools import Tracer

            self._tracer = Tracer(patch_modules=TRACED_MODULES)
        return self._tracer

    def capture_lambda_handler(self, handler: H) -> H:
        traced: Callable[..., Any] | None = None

        @functools.wraps(handler)
        def wrapper(event: Any, context: Any) -> Any:
            nonlocal traced
            if traced is None:
                traced = (
                    handler if tracing_disabled() else self.provider.capture_lambda_handler(handler)
                )
            return traced(event, context)

        return wrapper  # type: ignore[return-value]


tracer = LazyTracer()
