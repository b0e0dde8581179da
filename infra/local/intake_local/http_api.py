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


class LocalHttpApi:
    """Serve ``function_name`` over HTTP on 127.0.0.1 until ``stop``."""

    def __init__(
        self, lambda_client: Any, function_name: str, port: int = 0, stage: str = "$default"
    ) -> None:
        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
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
