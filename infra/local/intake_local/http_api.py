"""The liaison HTTP API on localhost: turns each HTTP request into an API Gateway HTTP API
(payload format 2.0) event and invokes the deployed Lambda through moto, as API Gateway would.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit


def http_api_event(
    method: str, target: str, headers: dict[str, str], body: bytes, stage: str
) -> dict[str, Any]:
    url = urlsplit(target)
    path = url.path
    query = dict(parse_qsl(url.query, keep_blank_values=True))
    is_text = not body or headers.get("content-type", "").startswith(("application/json", "text/"))
    now = time.time()
    return {
        "version": "2.0",
        "routeKey": "ANY /{proxy+}",
        "rawPath": path,
        "rawQueryString": url.query,
        "headers": {k.lower(): v for k, v in headers.items()},
        "queryStringParameters": query or None,
        "pathParameters": {"proxy": path.lstrip("/")},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": "localhost",
            "domainPrefix": "localhost",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": headers.get("user-agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": "ANY /{proxy+}",
            "stage": stage,
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "body": (body.decode("utf-8") if is_text else base64.b64encode(body).decode())
        if body
        else None,
        "isBase64Encoded": bool(body) and not is_text,
    }


def content_security_policy(frame_sources: tuple[str, ...] = ()) -> str:
    """The web app's Content-Security-Policy, as CloudFront sends it in AWS (template.yaml
    ``WebSecurityHeaders``): scripts, styles and connections from the app's own origin (the
    API is on it locally), document frames from the signed links' host, nothing inline."""
    frames = " ".join(frame_sources) or "'none'"
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self'; frame-src {frames}; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'; object-src 'none'"
    )


WEB_PREFIX = "/app/"
_STATIC_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
}


def static_file(web_root: Path, path: str) -> tuple[bytes, str] | None:
    """The web app's file for ``path`` under ``/app/`` (index.html for the folder), or None.
    Only files inside ``web_root`` with a known type are served."""
    relative = path[len(WEB_PREFIX) :] or "index.html"
    target = (web_root / relative).resolve()
    if not target.is_relative_to(web_root.resolve()) or not target.is_file():
        return None
    kind = _STATIC_TYPES.get(target.suffix)
    return (target.read_bytes(), kind) if kind else None


class LocalHttpApi:
    """Serve ``function_name`` over HTTP on 127.0.0.1 until ``stop``; with ``web_root``, also
    the liaison web app under ``/app/`` (same origin as the API, as CloudFront serves both in
    AWS with the API on its own origin) and its ``config.json`` (local sign-in)."""

    def __init__(
        self,
        lambda_client: Any,
        function_name: str,
        port: int = 0,
        stage: str = "$default",
        web_root: Path | None = None,
        frame_sources: tuple[str, ...] = (),
    ) -> None:
        config = json.dumps({"apiUrl": "", "auth": {"mode": "local"}}).encode()
        security = {
            "content-security-policy": content_security_policy(frame_sources),
            "x-content-type-options": "nosniff",
            "referrer-policy": "no-referrer",
        }

        class Handler(BaseHTTPRequestHandler):
            def _web(self) -> bool:
                path = urlsplit(self.path).path
                if web_root is None or self.command != "GET":
                    return False
                if path in ("/", "/app"):
                    self._send(302, {"location": WEB_PREFIX}, b"")
                    return True
                if not path.startswith(WEB_PREFIX):
                    return False
                if path == WEB_PREFIX + "config.json":
                    self._send(200, {"content-type": "application/json"}, config)
                    return True
                found = static_file(web_root, path)
                if found is None:
                    self._send(404, {"content-type": "text/plain"}, b"not found")
                else:
                    headers = {"content-type": found[1], "cache-control": "no-cache"}
                    self._send(200, {**headers, **security}, found[0])
                return True

            def _serve(self) -> None:
                if self._web():
                    return
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                event = http_api_event(self.command, self.path, dict(self.headers), body, stage)
                reply = lambda_client.invoke(FunctionName=function_name, Payload=json.dumps(event))
                payload = json.loads(reply["Payload"].read() or b"null")
                if reply.get("FunctionError") or not isinstance(payload, dict):
                    self._send(
                        502,
                        {"content-type": "application/json"},
                        json.dumps(
                            {"error": "bad_gateway", "message": "the API function failed"}
                        ).encode(),
                    )
                    return
                out = payload.get("body") or ""
                data = base64.b64decode(out) if payload.get("isBase64Encoded") else out.encode()
                self._send(int(payload.get("statusCode", 200)), payload.get("headers") or {}, data)

            def _send(self, status: int, headers: dict[str, str], data: bytes) -> None:
                self.send_response(status)
                for key, value in headers.items():
                    if key.lower() != "content-length":
                        self.send_header(key, value)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve  # noqa: N815 - stdlib names

            def log_message(self, format: str, *args: Any) -> None:
                return  # request lines can carry ids only, but keep the console for summaries

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
