"""Run the real handler code for every Lambda invocation moto makes, without Docker.

moto routes every invocation (boto3 ``invoke``, Step Functions tasks, SQS event source
mappings) through one private method, ``LambdaFunction._invoke_lambda``. We replace it with a
call into a warm worker process per function (see ``lambda_worker``), started from the code and
layers that were actually deployed to moto, with the function's own environment plus the local
endpoint. Separate processes keep each function's environment and its ``app`` module apart,
exactly as separate Lambda functions are.

moto is pinned; ``tests/integration/test_moto_patches.py`` checks this hook against moto's own
call (a boto3 ``invoke`` reaches it with its event), so a moto upgrade that moves it fails there.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import io
import json
import os
import re
import subprocess
import sys
import threading
import time
import uuid
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, NamedTuple

from moto.awslambda import models as lambda_models

_MAX_WORKERS_PER_FUNCTION = 4
"""Execution environments per function at most (processes; this machine has 2 cores)."""
_REFERRAL_ID = re.compile(r"\bref-[0-9a-f]{20}\b")
_PASSED_THROUGH = ("INTAKE_PROFILE_DIR",)
"""Variables of this process a worker gets too (to profile the handlers)."""


class Invocation(NamedTuple):
    """One invocation's cost as this machine measured it, the worker's init excluded."""

    function_name: str
    memory_mb: int
    seconds: float
    """Wall time: Lambda's billed duration, as far as this machine's speed tells."""
    cpu_s: float
    """CPU of the handler's process (and what it ran, e.g. Tesseract), the local AWS excluded."""
    referral_id: str | None
    """The one referral the event names, if it names exactly one (an upload's event does not:
    its id comes from the content)."""


def referral_named_in(event_text: str) -> str | None:
    """The referral id an event (as JSON) names, when it names exactly one."""
    ids = set(_REFERRAL_ID.findall(event_text))
    return ids.pop() if len(ids) == 1 else None


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
        self.ready = False

    def wait_ready(self, timeout_s: float = 120) -> bool:
        """Wait for the end of init (the handler imported); False if the process died."""
        if not self.ready:
            assert self.proc.stdout is not None
            line: list[str] = []
            reader = threading.Thread(target=lambda: line.append(self.proc.stdout.readline()))  # type: ignore[union-attr]
            reader.start()
            reader.join(timeout_s)
            self.ready = bool(line and line[0])
        return self.ready

    def call(self, event_text: str, timeout_s: float) -> tuple[bool, Any, float]:
        """Invoke with the event (JSON): ok, the payload, the CPU seconds the worker spent."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.wait_ready()
        request_id = str(uuid.uuid4())
        deadline_ms = int((time.time() + timeout_s) * 1000)
        self.proc.stdin.write(
            f'{{"event": {event_text}, "request_id": "{request_id}", '
            f'"deadline_ms": {deadline_ms}}}\n'
        )
        self.proc.stdin.flush()
        reply: list[str] = []
        reader = threading.Thread(target=lambda: reply.append(self.proc.stdout.readline()))  # type: ignore[union-attr]
        reader.start()
        reader.join(timeout_s)
        if reader.is_alive() or not reply or not reply[0]:
            self.kill()
            why = "Task timed out" if reader.is_alive() else "Runtime exited"
            return (
                False,
                {
                    "errorMessage": f"{why} after {timeout_s:.2f} seconds",
                    "errorType": "Runtime.ExitError" if not reader.is_alive() else "TimeoutError",
                },
                0.0,
            )
        message = json.loads(reply[0])
        return bool(message["ok"]), message["payload"], float(message.get("cpu_s", 0.0))

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
        self.invocations: list[Invocation] = []

    def invoke(self, fn: lambda_models.LambdaFunction, event: Any) -> tuple[bool, Any]:
        key = self._key(fn)
        with self._lock:
            slots = self._slots.setdefault(key, threading.Semaphore(_MAX_WORKERS_PER_FUNCTION))
        with slots:
            worker = self._checkout(fn, key)
            worker.wait_ready()  # a cold start's init is not the invocation's duration
            event_text = json.dumps(event)
            started = time.monotonic()
            ok, payload, cpu_s = worker.call(event_text, float(fn.timeout))
            seconds = time.monotonic() - started
            invocation = Invocation(
                fn.function_name,
                int(fn.memory_size),
                seconds,
                cpu_s,
                referral_named_in(event_text),
            )
            with self._lock:
                self.invocations.append(invocation)
            if worker.alive():
                with self._lock:
                    self._idle[key].append(worker)
            return ok, payload

    def prewarm(
        self, functions: list[lambda_models.LambdaFunction], workers: dict[str, int] | None = None
    ) -> None:
        """Start execution environments per function ahead of the first event (one, or
        ``workers[function name]``, at most the pool's limit), as provisioned concurrency does,
        and return once every one has finished its init: the import cost is paid before the
        clock of a referral starts."""
        started = [
            (self._key(fn), self._start(fn))
            for fn in functions
            for _ in range(min((workers or {}).get(fn.function_name, 1), _MAX_WORKERS_PER_FUNCTION))
        ]
        for key, worker in started:
            worker.wait_ready()
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
            **{k: os.environ[k] for k in _PASSED_THROUGH if k in os.environ},
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
_INVOKE_SIGNATURE = inspect.signature(_original)


def _invoke_lambda(
    self: lambda_models.LambdaFunction, *args: Any, **kwargs: Any
) -> tuple[str, bool, str]:
    """moto's ``_invoke_lambda(self, event=None) -> (payload, errored, logs)``; the event is read
    by name through moto's own signature, so a renamed parameter fails here, loudly."""
    assert _pool is not None
    event = _INVOKE_SIGNATURE.bind(self, *args, **kwargs).arguments.get("event")
    payload_in = json.loads(event) if isinstance(event, str | bytes) else (event or {})
    ok, payload = _pool.invoke(self, payload_in)
    return json.dumps(payload), not ok, ""


def install(config: RuntimeConfig) -> WorkerPool:
    """Route moto's Lambda invocations to real handler processes until ``uninstall``."""
    if "event" not in _INVOKE_SIGNATURE.parameters:
        raise RuntimeError(f"moto's _invoke_lambda is no longer {_INVOKE_SIGNATURE}: see the docs")
    global _pool  # noqa: PLW0603 - one hook per process, as moto's backend is per process
    _pool = WorkerPool(config)
    lambda_models.LambdaFunction._invoke_lambda = _invoke_lambda  # type: ignore[method-assign]
    return _pool


def prewarm(
    account_id: str,
    region: str,
    function_names: list[str],
    workers: dict[str, int] | None = None,
) -> None:
    assert _pool is not None
    backend = lambda_models.lambda_backends[account_id][region]
    _pool.prewarm([backend.get_function(name) for name in function_names], workers)


@dataclass
class QueueSource:
    """One SQS event source mapping, as ``list_event_source_mappings`` describes it."""

    uuid: str
    queue_url: str
    queue_arn: str
    function_name: str
    batch_size: int
    report_failures: bool
    concurrency: int


class SqsEventSources:
    """Lambda's SQS event source as AWS runs it: pollers apart from the sender.

    moto invokes the consumer inside ``SendMessage`` (so an upload waits for its ingest, and
    partial batch failures are deleted with the rest). Here the mappings are disabled in moto and
    each is served by ``concurrency`` poller threads that long-poll the queue, invoke the
    function with a real SQS event, delete what succeeded, and leave failed records (the whole
    batch on an error, the ``batchItemFailures`` with ``ReportBatchItemFailures``) to reappear
    after the visibility timeout and, past ``maxReceiveCount``, move to the DLQ.
    """

    def __init__(self, sqs: Any, lam: Any, account_id: str, region: str) -> None:
        self.sqs = sqs
        self.lam = lam
        self.account_id = account_id
        self.region = region
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self.sources: list[QueueSource] = []
        # Requests that carried work (empty long polls are the poller's fixed cost, not a
        # referral's): "ReceiveMessage" that returned messages, "DeleteMessageBatch".
        self.work_requests: Counter[str] = Counter()
        self._count_lock = threading.Lock()

    def start(
        self,
        queue_urls: dict[str, str],
        concurrency: dict[str, int],
        max_batch_size: int | None = None,
    ) -> None:
        """``queue_urls`` by queue ARN; ``concurrency`` by function name (default: the pool's);
        ``max_batch_size`` caps the mappings' ``BatchSize`` (records of a batch run one after
        another, so on a machine with a few workers a smaller batch is lower latency)."""
        for mapping in self.lam.list_event_source_mappings()["EventSourceMappings"]:
            arn = mapping["EventSourceArn"]
            if not arn.startswith("arn:aws:sqs:") or arn not in queue_urls:
                continue
            self.lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)
            name = mapping["FunctionArn"].rsplit(":", 1)[-1]
            source = QueueSource(
                uuid=mapping["UUID"],
                queue_url=queue_urls[arn],
                queue_arn=arn,
                function_name=name,
                batch_size=min(int(mapping.get("BatchSize", 10)), max_batch_size or 10),
                report_failures="ReportBatchItemFailures"
                in mapping.get("FunctionResponseTypes", []),
                concurrency=min(
                    concurrency.get(name, _MAX_WORKERS_PER_FUNCTION), _MAX_WORKERS_PER_FUNCTION
                ),
            )
            self.sources.append(source)
            for n in range(source.concurrency):
                thread = threading.Thread(
                    target=self._poll, args=(source,), name=f"sqs-poller-{name}-{n}", daemon=True
                )
                thread.start()
                self._threads.append(thread)

    def stop(self) -> None:
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=10)

    def _poll(self, source: QueueSource) -> None:
        while not self._stopping.is_set():
            try:
                reply = self.sqs.receive_message(
                    QueueUrl=source.queue_url,
                    MaxNumberOfMessages=source.batch_size,
                    WaitTimeSeconds=1,
                    MessageSystemAttributeNames=["All"],
                    MessageAttributeNames=["All"],
                )
            except Exception:  # the server is stopping; a real poller would back off and retry
                if self._stopping.wait(0.5):
                    return
                continue
            messages = reply.get("Messages", [])
            if messages:
                with self._count_lock:
                    self.work_requests["sqs ReceiveMessage"] += 1
                self._deliver(source, messages)

    def _deliver(self, source: QueueSource, messages: list[dict[str, Any]]) -> None:
        assert _pool is not None
        event = {"Records": [_sqs_record(m, source.queue_arn, self.region) for m in messages]}
        backend = lambda_models.lambda_backends[self.account_id][self.region]
        ok, payload = _pool.invoke(backend.get_function(source.function_name), event)
        if not ok:
            return  # every record reappears after the visibility timeout
        failed = set()
        if source.report_failures and isinstance(payload, dict):
            failed = {f["itemIdentifier"] for f in payload.get("batchItemFailures") or []}
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            with self._count_lock:
                self.work_requests["sqs DeleteMessageBatch"] += 1
            self.sqs.delete_message_batch(
                QueueUrl=source.queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)
                ],
            )


def _sqs_record(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """A record of the SQS event Lambda sends (the shape Powertools' models parse)."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": {
            name: {
                "stringValue": value.get("StringValue"),
                "binaryValue": value.get("BinaryValue"),
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": value["DataType"],
            }
            for name, value in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


def uninstall() -> None:
    global _pool  # noqa: PLW0603
    if _pool is not None:
        _pool.shutdown()
    _pool = None
    lambda_models.LambdaFunction._invoke_lambda = _original  # type: ignore[method-assign]
