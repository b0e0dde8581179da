"""The whole system on this machine: moto in server mode running ``template.yaml``.

Deploys the template itself (translated offline by aws-sam-translator, as ``sam package`` and
the SAM transform would), then creates through the API the two things moto's CloudFormation
does not wire up: the state machine (so it lands in the executing Step Functions backend) and
the intake bucket's EventBridge notifications. Every Lambda invocation runs the real handler
code (``lambda_runtime``). The liaison API is served on localhost (``http_api``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import socket
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import requests
from botocore.config import Config
from moto.server import ThreadedMotoServer

from intake.core import clock
from intake_local import lambda_runtime, moto_patches
from intake_local.deploy import (
    REGION,
    SANDBOX_LOGIN,
    Deployment,
    StackOptions,
    StackOutputs,
)
from intake_local.http_api import LocalHttpApi
from intake_local.request_count import RequestCounter
from intake_local.sandbox.payer import SandboxPayer
from intake_local.sandbox.server import SandboxAccount, SandboxClearinghouse

__all__ = ["REGION", "SANDBOX_LOGIN", "LocalStack", "StackOptions", "StackOutputs", "free_port"]

SCHEDULED_READ_TIMEOUT_S = 330
"""Past the longest scheduled function's timeout (the dose sweep, 300 s in template.yaml)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LocalStack:
    """Start with ``start()`` (or as a context manager); ``outputs`` says where things are."""

    def __init__(self, options: StackOptions | None = None) -> None:
        self.options = options or StackOptions()
        self._server: ThreadedMotoServer | None = None
        self._api: LocalHttpApi | None = None
        self._poller: threading.Thread | None = None
        self._stopping = threading.Event()
        self._clients: dict[tuple[str, str, str], Any] = {}
        self._clients_lock = threading.Lock()
        self._scheduler_client: Any = None
        self.queue_sources: lambda_runtime.SqsEventSources | None = None
        self.payer = SandboxPayer()
        self.clearinghouse = SandboxClearinghouse(
            self.payer,
            [
                SandboxAccount(
                    SANDBOX_LOGIN["username"], SANDBOX_LOGIN["password"], SANDBOX_LOGIN["sender_id"]
                )
            ],
        )
        self._owns_work_dir = self.options.work_dir is None
        self.work_dir = self.options.work_dir or Path(tempfile.mkdtemp(prefix="intake-local-"))
        # The movable clock: every Lambda worker reads this offset (intake.core.clock), and so does
        # the sandbox payer; ``move_clock`` advances it (``intake run --follow-course``).
        self.clock_file = self.work_dir / "clock-offset-seconds"
        clock.set_offset(str(self.clock_file), 0)
        self.payer._clock = self.now_naive
        self.outputs: StackOutputs | None = None
        self.timings: dict[str, float] = {}

    def __enter__(self) -> LocalStack:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> StackOutputs:
        t0 = time.perf_counter()
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per AWS call otherwise
        logging.getLogger("moto").setLevel(logging.ERROR)
        port = self.options.moto_port or free_port()
        self.endpoint_url = f"http://127.0.0.1:{port}"
        os.environ["MOTO_PORT"] = str(port)  # the Step Functions interpreter calls this port
        for key, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
        }.items():
            os.environ.setdefault(key, value)
        moto_patches.install()  # the fix; the shortcuts as INTAKE_MOTO_SHORTCUTS says (default on)
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        self._server.start()
        wsgi = self._server._server  # werkzeug's server: count what it serves (``requests``)
        assert wsgi is not None
        moto_patches.speed_up_server(wsgi.app)
        self.requests = RequestCounter(wsgi.app)
        wsgi.app = self.requests  # type: ignore[assignment]
        requests.post(
            f"{self.endpoint_url}/moto-api/config",
            json={"stepfunctions": {"execute_state_machine": True}},
            timeout=10,
        ).raise_for_status()
        self.pool = lambda_runtime.install(
            lambda_runtime.RuntimeConfig(
                self.endpoint_url,
                self.work_dir,
                REGION,
                extra_env={clock.CLOCK_FILE_ENV: str(self.clock_file)},
            )
        )
        self.clearinghouse.start()
        self.timings["moto"] = time.perf_counter() - t0
        self.outputs = self._deploy()
        self.timings["deploy"] = time.perf_counter() - t0 - self.timings["moto"]
        if self.options.poll_every_seconds:
            self._poller = threading.Thread(
                target=self._poll_forever, name="authorization-poller", daemon=True
            )
            self._poller.start()
        return self.outputs

    def poll_authorizations(self) -> dict[str, int]:
        """Run the scheduled poller once, as EventBridge Scheduler would (a real invocation)."""
        assert self.outputs is not None
        reply = self._scheduler().invoke(
            FunctionName=self.outputs.functions["PollAuthorizationsFunction"],
            Payload=json.dumps({"source": "local.scheduler"}),
        )
        result: dict[str, int] = json.loads(reply["Payload"].read() or b"{}")
        return result

    def sweep_doses(self) -> dict[str, int]:
        """Run the dose sweep once, as its schedule would: start the checks now due."""
        return self._scheduled("SweepDosesFunction")

    def reconcile(self) -> dict[str, int]:
        """Run the reconciler once, as its schedule would: finish pending completion effects."""
        return self._scheduled("ReconcilerFunction")

    def send_clinic_statuses(self) -> dict[str, int]:
        """Run the clinic status sender once, as its schedule would (every 5 minutes in AWS)."""
        return self._scheduled("SendClinicStatusesFunction")

    def _scheduled(self, logical: str) -> dict[str, int]:
        assert self.outputs is not None
        reply = self._scheduler().invoke(
            FunctionName=self.outputs.functions[logical],
            Payload=json.dumps({"source": "local.scheduler"}),
        )
        result: dict[str, int] = json.loads(reply["Payload"].read() or b"{}")
        return result

    def _scheduler(self) -> Any:
        """The client the local schedules invoke through. A scheduled function may run up to
        its own timeout (the dose sweep: 300 s) on a busy machine; boto3's default 60 s read
        would give up first and retry, starting the same sweep twice. So: wait past the
        longest scheduled function's timeout, and one attempt."""
        with self._clients_lock:
            if self._scheduler_client is None:
                self._scheduler_client = boto3.client(  # type: ignore[call-overload]
                    "lambda",
                    endpoint_url=self.endpoint_url,
                    region_name=REGION,
                    aws_access_key_id="scheduler",
                    aws_secret_access_key="testing",
                    config=Config(
                        read_timeout=SCHEDULED_READ_TIMEOUT_S, retries={"total_max_attempts": 1}
                    ),
                )
            return self._scheduler_client

    # ------------------------------------------------------------------ the movable clock
    def clock_offset(self) -> timedelta:
        return timedelta(seconds=clock.offset_seconds(str(self.clock_file)))

    def move_clock(self, by: timedelta) -> datetime:
        """Advance the clock every Lambda and the sandbox payer read; the new time."""
        clock.set_offset(str(self.clock_file), (self.clock_offset() + by).total_seconds())
        return self.now()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.clock_offset()

    def now_naive(self) -> datetime:
        return datetime.now() + self.clock_offset()

    def _poll_forever(self) -> None:
        assert self.options.poll_every_seconds is not None
        last_sweep = time.monotonic()
        while not self._stopping.wait(self.options.poll_every_seconds):
            with contextlib.suppress(Exception):  # a failed run is retried on the next tick
                self.poll_authorizations()
            due = time.monotonic() - last_sweep >= self.options.sweep_every_seconds
            if self.options.sweep_doses and due:
                last_sweep = time.monotonic()
                with contextlib.suppress(Exception):
                    self.sweep_doses()
                with contextlib.suppress(Exception):  # its schedule: every 5 minutes in AWS
                    self.reconcile()

    def stop(self) -> None:
        self._stopping.set()
        if self._poller is not None:
            self._poller.join(timeout=30)
        if self.outputs is not None:  # executions still waiting would call into a stopped server
            # moto's interpreter logs an error for a Parallel branch it interrupts (it rebuilds
            # the branch's States.Timeout as a custom error name and refuses it): noise at stop.
            logging.getLogger("moto.stepfunctions.parser").setLevel(logging.CRITICAL)
            with contextlib.suppress(Exception):
                sfn = self.client("stepfunctions")
                for arn in (
                    self.outputs.state_machine_arn,
                    self.outputs.dose_check_state_machine_arn,
                ):
                    if not arn:
                        continue
                    pages = sfn.get_paginator("list_executions").paginate(
                        stateMachineArn=arn, statusFilter="RUNNING"
                    )
                    for page in pages:
                        for execution in page["executions"]:
                            sfn.stop_execution(
                                executionArn=execution["executionArn"],
                                cause="local stack stopped",
                            )
        if self.queue_sources is not None:
            self.queue_sources.stop()
        if self._api is not None:
            self._api.stop()
        self.clearinghouse.stop()
        lambda_runtime.uninstall()
        if self._server is not None:
            self._server.stop()
        if self._owns_work_dir:
            shutil.rmtree(self.work_dir, ignore_errors=True)

    def client(self, service: str, caller: str = "harness") -> Any:
        """A client of the local AWS; ``caller`` labels its requests in ``requests``. One per
        service and caller: making a client costs more CPU than most calls (and boto3 makes
        them unsafely across threads), while a made one is safe to share."""
        key = (service, caller, self.endpoint_url)
        with self._clients_lock:
            if key not in self._clients:
                self._clients[key] = boto3.client(  # type: ignore[call-overload]
                    service,
                    endpoint_url=self.endpoint_url,
                    region_name=REGION,
                    aws_access_key_id=caller,
                    aws_secret_access_key="testing",
                )
            return self._clients[key]

    # ------------------------------------------------------------------ deployment
    def _deploy(self) -> StackOutputs:
        deployment = Deployment(
            self.client, self.options, self.endpoint_url, self.clearinghouse.url, self.work_dir
        )
        try:
            return deployment.deploy()
        finally:
            self._api = deployment.api
            self.queue_sources = deployment.queue_sources
