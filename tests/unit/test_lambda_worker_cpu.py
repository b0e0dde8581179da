"""The local Lambda worker reports each invocation's CPU, and the runtime tags it by referral.

``make bench`` prices a referral in CPU seconds per function from these figures, so they must
hold the handler's own work and the programs it waits for (Tesseract for a scanned fax), and an
invocation must be attributable to the referral its event names.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from intake_local.lambda_runtime import referral_named_in

HANDLER = textwrap.dedent(
    """
    import resource, subprocess, sys, time

    def _children() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    def handler(event, context):
        own, children = time.process_time(), _children()
        total = sum(i * i for i in range(event["n"]))
        subprocess.run([sys.executable, "-c", f"sum(range({event['n']}))"], check=True)
        return {
            "total": total,
            "own_cpu_s": time.process_time() - own,
            "child_cpu_s": _children() - children,
        }
    """
)


def invoke_worker(code_dir: Path, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Start a worker on ``app.handler`` in ``code_dir``, send the events, return the replies
    (the ready line first)."""
    infra_local = Path(__file__).resolve().parents[2] / "infra" / "local"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(code_dir), str(infra_local)]),
        "_HANDLER": "app.handler",
        "AWS_LAMBDA_FUNCTION_NAME": "cpu-probe",
        "LOCAL_FUNCTION_ARN": "arn:aws:lambda:us-east-1:123456789012:function:cpu-probe",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
    }
    env.pop("INTAKE_PROFILE_DIR", None)
    requests = "".join(
        json.dumps({"event": e, "request_id": f"r{i}", "deadline_ms": 2**42}) + "\n"
        for i, e in enumerate(events)
    )
    done = subprocess.run(
        [sys.executable, "-m", "intake_local.lambda_worker"],
        input=requests,
        capture_output=True,
        text=True,
        env=env,
        cwd=code_dir,
        timeout=120,
        check=True,
    )
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_an_invocations_cpu_holds_the_handler_and_the_programs_it_ran(tmp_path: Path) -> None:
    """CPU per referral is only right if the worker counts all the handler burned: its own
    Python and the child processes it waited for (OCR runs Tesseract as one)."""
    # Given a handler that computes, runs a child program, and measures both itself
    (tmp_path / "app.py").write_text(HANDLER, encoding="utf-8")
    # When the worker runs it twice
    ready, *replies = invoke_worker(tmp_path, [{"n": 300_000}, {"n": 300_000}])
    # Then init reports its own CPU, and each invocation at least what the handler saw itself
    assert ready["ready"] is True and ready["init_cpu_s"] > 0
    assert len(replies) == 2
    for reply in replies:
        assert reply["ok"] is True
        seen = reply["payload"]["own_cpu_s"] + reply["payload"]["child_cpu_s"]
        assert reply["payload"]["child_cpu_s"] > 0
        assert reply["cpu_s"] >= seen * 0.99  # rounding to microseconds, nothing else


def test_an_event_is_tagged_with_the_one_referral_it_names() -> None:
    """Invocations are summed per referral: an event naming one referral (however deeply, e.g.
    inside an SQS body) belongs to it; one naming none or several belongs to no single one."""
    one = "ref-0123456789abcdef0123"
    other = "ref-fedcba9876543210fedc"
    sqs_body = json.dumps({"Records": [{"body": json.dumps({"referral_id": one})}]})
    # Then
    assert referral_named_in(sqs_body) == one
    assert referral_named_in(json.dumps({"path": f"/tasks/{one}.welcome_call.1", "id": one})) == one
    assert (
        referral_named_in(json.dumps({"detail": {"object": {"key": "referrals/c/a.pdf"}}})) is None
    )
    assert referral_named_in(json.dumps([one, other])) is None
