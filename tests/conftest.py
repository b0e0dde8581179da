"""Fixtures shared by every tier: sample events, the Lambda context, the local stack."""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
EVENTS = PROJECT_ROOT / "events"
# Public sample messages, copied from ../shared/fixtures with their attribution (SOURCES.md).
SHARED_FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "public"
INFLIXIMAB: dict[str, str] = {
    "drug_name": "Infliximab",
    "hcpcs": "J1745",
    "dose": "5 mg/kg",
    "route": "IV",
    "frequency": "every 8 weeks",
    "duration": "12 months",
}
"""The therapy of the samples' first referral (infliximab 5 mg/kg every 8 weeks for a year), as
a referral's ``therapy`` fields: the tests that build or complete one start from it."""

os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "InfusionIntakeTests")
os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "infusion-intake")
os.environ.setdefault("POWERTOOLS_DEV", "false")


def load_event(name: str) -> dict[str, Any]:
    """A sample event from ``events/`` (``"ingest_referral/sqs-s3-object-created"``)."""
    data: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text(encoding="utf-8"))
    return data


def load_handler(function: str) -> ModuleType:
    """Import ``functions/<function>/app.py`` under a unique module name (they are all ``app``)."""
    path = PROJECT_ROOT / "functions" / function / "app.py"
    spec = importlib.util.spec_from_file_location(f"fn_{function}_app", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # pydantic resolves the models' annotations through it
    spec.loader.exec_module(module)
    return module


class FakeLambdaContext:
    function_name = "test-function"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:test-function"
    memory_limit_in_mb = 512
    aws_request_id = "52fdfc07-2182-154f-163f-5f0f9a621d72"
    log_group_name = "/aws/lambda/test-function"
    log_stream_name = "2026/11/22/[$LATEST]abc"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 120_000  # the ingest function's timeout: a batch reads more than one file


@pytest.fixture
def lambda_context() -> FakeLambdaContext:
    return FakeLambdaContext()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses the local stack ``stack``. moto's backends are global to a
    process: an in-process ``mock_aws`` test resets them on exit, which would empty a local
    stack running in the same worker; so ``make test`` runs the two kinds in separate
    pytest runs (``-m "not stack"``, then ``-m stack``)."""
    for item in items:
        if "local_stack" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.stack)


@pytest.fixture(scope="session")
def local_stack() -> Iterator[Any]:
    """The whole system on moto server with real handler processes, shared by a session.

    A welcome call is due 36 s after receipt instead of 48 h, escalation repeats every 10 s
    instead of 4 h, and a pended authorization is overdue after 120 s instead of 7 days, so
    timeout paths run in test time; the poller ticks every second. The windows are wide enough
    that a machine running two suites at once still answers inside them, and escalations
    sparse enough that an unworked task does not add load of its own.
    """
    from intake_local.stack import LocalStack, StackOptions

    stack = LocalStack(
        StackOptions(
            parameters={
                "WelcomeCallSlaHours": "0.01",
                "EscalationRepeatSeconds": "10",
                "PaDecisionWindowSeconds": "120",
            }
        )
    )
    stack.start()
    yield stack
    stack.stop()


CliRun = Callable[..., tuple[int, str, str]]


def cli_runner(
    register: Callable[[Any], None], capsys: pytest.CaptureFixture[str], *prefix: str
) -> CliRun:
    """An ``intake`` command group as the CLI wires it into argparse: ``run(*argv)`` gives
    (exit code, stdout, stderr); ``prefix`` is put before every argv (``"estimate"``)."""

    def _run(*argv: str) -> tuple[int, str, str]:
        parser = argparse.ArgumentParser(prog="intake")
        register(parser.add_subparsers(dest="command", required=True))
        args = parser.parse_args([*prefix, *argv])
        code: int = args.func(args)
        out, err = capsys.readouterr()
        return code, out, err

    return _run
