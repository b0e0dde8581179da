"""One warm Lambda execution environment: a process that imports the handler once and then
serves invocations read from stdin, like the Lambda runtime API does for a real container.

Protocol (one JSON object per line): ``{"ready": true, "init_cpu_s": …}`` out once the handler
is imported (the end of Lambda's init phase), then ``{"event": …, "request_id": …,
"deadline_ms": …}`` in, ``{"ok": bool, "payload": …, "cpu_s": …}`` out. ``cpu_s`` is the CPU
time the invocation took in this process and the programs it ran and waited for (Tesseract):
the product's own cost, the local AWS it called excluded. With ``INTAKE_PROFILE_DIR`` set, each
invocation is profiled (cProfile, CPU time) into ``<dir>/<function>-<request id>.prof``. The
handler's own stdout (Powertools logs) goes to stderr, so it can never corrupt the protocol
stream.
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import sys
import time
import traceback
from dataclasses import dataclass
from typing import Any


@dataclass
class LambdaContext:
    """The attributes of the Lambda context object that handlers and Powertools read."""

    function_name: str
    function_version: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    aws_request_id: str
    log_group_name: str
    log_stream_name: str
    deadline_ms: int

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self.deadline_ms - int(time.time() * 1000))


def _log(context: LambdaContext, message: str, **fields: Any) -> None:
    """One JSON line on stderr (the function's log file): ids and error types only, because
    moto's event sources drop a failed invocation's result without a word."""
    line = {
        "level": "ERROR",
        "message": message,
        "function_name": context.function_name,
        "request_id": context.aws_request_id,
        **fields,
    }
    sys.stderr.write(json.dumps(line) + "\n")
    sys.stderr.flush()


def _log_failure(context: LambdaContext, exc: Exception) -> None:
    frames = [
        f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} in {f.name}"
        for f in traceback.extract_tb(exc.__traceback__)
    ]
    _log(context, "invocation failed", error=type(exc).__name__, where=frames[-8:])


def _log_partial_failures(context: LambdaContext, result: Any) -> None:
    failures = result.get("batchItemFailures") if isinstance(result, dict) else None
    if failures:
        ids = [str(f.get("itemIdentifier")) for f in failures if isinstance(f, dict)]
        _log(context, "batch items failed; they will be redelivered", item_ids=ids)


def cpu_seconds() -> float:
    """CPU (user + system) of this process and of the children it has waited for."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _call(handler: Any, event: Any, context: LambdaContext) -> Any:
    profile_dir = os.environ.get("INTAKE_PROFILE_DIR")
    if not profile_dir:
        return handler(event, context)
    import cProfile

    profiler = cProfile.Profile(time.process_time)  # CPU, not the waits on the local AWS
    try:
        return profiler.runcall(handler, event, context)
    finally:
        os.makedirs(profile_dir, exist_ok=True)
        profiler.dump_stats(
            os.path.join(profile_dir, f"{context.function_name}-{context.aws_request_id}.prof")
        )


def main() -> None:
    protocol = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1, encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    module_name, function_name = os.environ["_HANDLER"].rsplit(".", 1)
    try:
        handler = getattr(importlib.import_module(module_name), function_name)
        init_error: dict[str, Any] | None = None
    except Exception as exc:  # an import error is reported on every invoke, as Lambda does
        init_error = {
            "errorMessage": str(exc),
            "errorType": type(exc).__name__,
            "stackTrace": traceback.format_exc().splitlines(),
        }
    ready = {"ready": True, "init_cpu_s": round(cpu_seconds(), 4)}
    protocol.write(json.dumps(ready) + "\n")  # init done: the runtime may invoke
    for line in sys.stdin:
        request = json.loads(line)
        if init_error is not None:
            protocol.write(json.dumps({"ok": False, "payload": init_error}) + "\n")
            continue
        context = LambdaContext(
            function_name=os.environ["AWS_LAMBDA_FUNCTION_NAME"],
            function_version="$LATEST",
            invoked_function_arn=os.environ["LOCAL_FUNCTION_ARN"],
            memory_limit_in_mb=int(os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]),
            aws_request_id=request["request_id"],
            log_group_name=f"/aws/lambda/{os.environ['AWS_LAMBDA_FUNCTION_NAME']}",
            log_stream_name="local",
            deadline_ms=request["deadline_ms"],
        )
        cpu_before = cpu_seconds()
        try:
            result = _call(handler, request["event"], context)
            reply = {"ok": True, "payload": result}
            _log_partial_failures(context, result)
        except Exception as exc:
            _log_failure(context, exc)
            reply = {
                "ok": False,
                "payload": {
                    "errorMessage": str(exc),
                    "errorType": type(exc).__name__,
                    "stackTrace": traceback.format_exc().splitlines(),
                },
            }
        reply["cpu_s"] = round(cpu_seconds() - cpu_before, 6)
        sys.stdout.flush()
        protocol.write(json.dumps(reply, default=str) + "\n")


if __name__ == "__main__":
    main()
