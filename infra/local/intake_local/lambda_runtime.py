"""Run the real handler code for every Lambda invocation moto makes, without Docker.

moto routes every invocation (boto3 ``invoke``, Step Functions tasks, SQS event source
mappings) through one private method, ``LambdaFunction._invoke_lambda``. We replace it with a
call into a warm worker process per function (see ``lambda_worker``), started from the code and
layers that were actually deployed to moto, with the function's own environment plus the local
endpoint. Separate processes keep each function's environment and its ``app`` module apart,
exactly as separate Lambda functions are.

moto is pinned; ``tests/integration/test_lambda_runtime.py`` keeps a smoke test on this hook.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import subprocess
import sys
import threading
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from moto.awslambda import models as lambda_models

_MAX_WORKERS_PER_FUNCTION = 4


@dataclass
class RuntimeConfig:
    """Where the workers reach AWS and where their code and logs go."""

    endpoint_url: str
    work_dir: Path
    region: str = "us-east-1"
    extra_env: dict[str, str] = field(default_factory=dict)


class _Worker:
    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path, log: IO[bytes]) -> None:
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            env=env,
            cwd=cwd,
            text=True,
            encoding="utf-8",
            bufsize=1,
        )
        self.busy = False

    def call(self, event: Any, timeout_s: float) -> tuple[bool, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        request_id = str(uuid.uuid4())
        deadline_ms = int((time.time() + timeout_s) * 1000)
        self.proc.stdin.write(
            json.dumps({"event": event, "request_id": request_id, "deadline_ms": deadline_ms})
            + "\n"
        )
        self.proc.stdin.flush()
        reply: list[str] = []
        reader = threading.Thread(target=lambda: reply.append(self.proc.stdout.readline()))  # type: ignore[union-attr]
        reader.start()
        reader.join(timeout_s)
        if reader.is_alive() or not reply or not reply[0]:
            self.kill()
            why = "Task timed out" if reader.is_alive() else "Runtime exited"
            return False, {
                "errorMessage": f"{why} after {timeout_s:.2f} seconds",
                "errorType": "Runtime.ExitError" if not reader.is_alive() else "TimeoutError",
            }
        message = json.loads(reply[0])
        return bool(message["ok"]), message["payload"]

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        if self.alive():
            self.proc.kill()
        self.proc.wait(timeout=5)


class WorkerPool:
    """Warm workers per (function ARN, code and configuration digest)."""

    def __init__(self, config: RuntimeConfig) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._idle: dict[str, list[_Worker]] = {}
        self._count: dict[str, int] = {}
        self._slots: dict[str, threading.Semaphore] = {}
        self._logs: dict[str, IO[bytes]] = {}

    def invoke(self, fn: lambda_models.LambdaFunction, event: Any) -> tuple[bool, Any]:
        key = self._key(fn)
        with self._lock:
            slots = self._slots.setdefault(key, threading.Semaphore(_MAX_WORKERS_PER_FUNCTION))
        with slots:
            worker = self._checkout(fn, key)
            ok, payload = worker.call(event, float(fn.timeout))
            if worker.alive():
                with self._lock:
                    self._idle[key].append(worker)
            return ok, payload

    def prewarm(self, fn: lambda_models.LambdaFunction) -> None:
        """Start one execution environment ahead of the first event, as provisioned
        concurrency does: the import cost is paid before the clock of a referral starts."""
        key = self._key(fn)
        worker = self._start(fn)
        with self._lock:
            self._idle.setdefault(key, []).append(worker)

    def shutdown(self) -> None:
        with self._lock:
            for workers in self._idle.values():
                for worker in workers:
                    worker.kill()
            self._idle.clear()
            for log in self._logs.values():
                log.close()

    def _key(self, fn: lambda_models.LambdaFunction) -> str:
        digest = hashlib.sha256(fn.code_bytes)
        for layer in fn.layers:
            digest.update(layer["Arn"].encode())
        digest.update(json.dumps(fn.environment_vars, sort_keys=True).encode())
        return f"{fn.function_arn}#{digest.hexdigest()[:16]}"

    def _checkout(self, fn: lambda_models.LambdaFunction, key: str) -> _Worker:
        with self._lock:
            idle = self._idle.setdefault(key, [])
            if idle:
                return idle.pop()
        return self._start(fn)

    def _start(self, fn: lambda_models.LambdaFunction) -> _Worker:
        code_dir = _extract(fn.code_bytes, self.config.work_dir / "code")
        paths = [str(code_dir)]
        backend = lambda_models.lambda_backends[fn.account_id][fn.region]
        for layer in fn.layers:
            layer_version = backend.layers_versions_by_arn(layer["Arn"])
            if layer_version is not None:
                paths.append(
                    str(
                        _extract(layer_version.code_bytes, self.config.work_dir / "layers")
                        / "python"
                    )
                )
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/tmp"),
            "LANG": "C.UTF-8",
            "PYTHONPATH": os.pathsep.join(paths),
            "PYTHONDONTWRITEBYTECODE": "1",
            "AWS_ENDPOINT_URL": self.config.endpoint_url,
            "AWS_REGION": fn.region,
            "AWS_DEFAULT_REGION": fn.region,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_LAMBDA_FUNCTION_NAME": fn.function_name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(fn.memory_size),
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{fn.run_time}",
            "LOCAL_FUNCTION_ARN": fn.function_arn,
            "POWERTOOLS_TRACE_DISABLED": "true",
            "_HANDLER": fn.handler or "app.lambda_handler",
            **{k: str(v) for k, v in fn.environment_vars.items()},
            **self.config.extra_env,
        }
        log_dir = self.config.work_dir / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        with self._lock:
            log = self._logs.get(fn.function_name)
            if log is None:
                log = (log_dir / f"{fn.function_name}.log").open("ab")
                self._logs[fn.function_name] = log
        argv = [sys.executable, "-m", "intake_local.lambda_worker"]
        worker_path = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] += os.pathsep + worker_path
        return _Worker(argv, env, code_dir, log)


def _extract(zipped: bytes, root: Path) -> Path:
    target = root / hashlib.sha256(zipped).hexdigest()[:20]
    if not target.exists():
        tmp = target.with_suffix(f".tmp{uuid.uuid4().hex[:6]}")
        with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
            archive.extractall(tmp)
        with contextlib.suppress(OSError):  # another thread extracted the same code first
            tmp.rename(target)
    return target


_pool: WorkerPool | None = None
_original = lambda_models.LambdaFunction._invoke_lambda


def _invoke_lambda(self: lambda_models.LambdaFunction, event: Any = None) -> tuple[str, bool, str]:
    assert _pool is not None
    payload_in = json.loads(event) if isinstance(event, str | bytes) else (event or {})
    ok, payload = _pool.invoke(self, payload_in)
    return json.dumps(payload), not ok, ""


def install(config: RuntimeConfig) -> WorkerPool:
    """Route moto's Lambda invocations to real handler processes until ``uninstall``."""
    global _pool  # noqa: PLW0603 - one hook per process, as moto's backend is per process
    _pool = WorkerPool(config)
    lambda_models.LambdaFunction._invoke_lambda = _invoke_lambda  # type: ignore[method-assign]
    return _pool


def prewarm(account_id: str, region: str, function_names: list[str]) -> None:
    assert _pool is not None
    backend = lambda_models.lambda_backends[account_id][region]
    for name in function_names:
        _pool.prewarm(backend.get_function(name))


def uninstall() -> None:
    global _pool  # noqa: PLW0603
    if _pool is not None:
        _pool.shutdown()
    _pool = None
    lambda_models.LambdaFunction._invoke_lambda = _original  # type: ignore[method-assign]
