"""Count the AWS requests the local stack serves, by caller, service and action.

A WSGI middleware around moto's server. The caller is the access key id the request was signed
with: the local harness signs with ``harness`` (uploads, the load generator's own reads), the
Lambda event-source pollers with ``lambda-esm``; functions and Step Functions' service
integrations sign with ``testing``. ``make bench`` turns one referral's counts into AWS cost.
"""

from __future__ import annotations

import io
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

_CREDENTIAL = re.compile(r"Credential=([^/]+)/[^/]+/[^/]+/([^/]+)/aws4_request")

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class RequestCounter:
    """Wraps a WSGI app; ``snapshot()`` returns counts keyed by (caller, service, action)."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._counts: Counter[tuple[str, str, str]] = Counter()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if not environ.get("PATH_INFO", "").startswith("/moto-api"):
            key = self._classify(environ)
            if key is not None:
                with self._lock:
                    self._counts[key] += 1
        return self.app(environ, start_response)

    def snapshot(self) -> Counter[tuple[str, str, str]]:
        with self._lock:
            return Counter(self._counts)

    def _classify(self, environ: dict[str, Any]) -> tuple[str, str, str] | None:
        match = _CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
        if match is None:
            return None
        caller, service = match.groups()
        target = environ.get("HTTP_X_AMZ_TARGET")
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "")
        if target:
            action = target.rsplit(".", 1)[-1]
        elif service == "s3":
            action = f"{method} {'object' if path.strip('/').count('/') else 'bucket'}"
        elif service == "lambda":
            action = "Invoke" if path.endswith("/invocations") else f"{method} {path}"
        else:
            action = self._query_action(environ) or f"{method} {path}"
        return caller, service, action

    @staticmethod
    def _query_action(environ: dict[str, Any]) -> str | None:
        """AWS query protocol (SNS, older SQS): ``Action=`` in the query or the form body,
        which is read and put back for the app."""
        query = parse_qs(environ.get("QUERY_STRING", ""))
        if "Action" in query:
            return str(query["Action"][0])
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if not length:
            return None
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        form = parse_qs(body.decode("utf-8", "replace"))
        actions = form.get("Action")
        return str(actions[0]) if actions else None
