"""Given-steps and helpers shared by the workflow tests on the session's local stack: upload a
referral, wait (with generous bounds) for what the workflow does, read what it recorded."""

from __future__ import annotations

import json
import os
import threading
import time
from typing import Any

from intake.core.ids import referral_id_for, task_id_for
from intake.models.records import TaskType
from intake_local.pharmacist import assessment_for
from intake_local.pipeline import LiaisonClient
from intake_local.samples.identity import npi_for
from tests.conftest import EVENTS


class AutoPharmacist:
    """The pharmacist's assessment call runs beside the welcome call (issue 25): a workflow test
    that is not about it has it recorded as a pharmacist would (``intake_local.pharmacist``: the
    referral's own facts, nothing of note), so its workflow goes on. Acts only on the referrals
    ``upload`` registered, claims before it records (a test or the auto-liaison that claimed
    first keeps the task), and makes no request while it has nothing to assess."""

    def __init__(self, base_url: str) -> None:
        self.api = LiaisonClient(base_url, "test-pharmacist@local")
        self.pending: set[str] = set()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._loop, name="auto-pharmacist", daemon=True)
        self.thread.start()

    def assess(self, referral_id: str) -> None:
        with self.lock:
            self.pending.add(referral_id)

    def _loop(self) -> None:
        while True:
            time.sleep(1.0)
            with self.lock:
                pending = set(self.pending)
            if pending:
                try:
                    self._round(pending)
                except Exception:  # a loaded stack: try again next round
                    continue

    def _round(self, pending: set[str]) -> None:
        for task in self.api.tasks(type="pharmacist_assessment"):
            rid = task["referral_id"]
            if rid not in pending or task.get("next_attempt_at") or task["status"] == "claimed":
                continue
            if self.api.claim(task["task_id"]).status_code != 200:
                continue
            view = self.api.referral(rid)
            reply = self.api.assess(task["task_id"], assessment_for(view.get("referral"), None))
            if reply.status_code == 200:
                with self.lock:
                    self.pending.discard(rid)


_pharmacists: dict[str, AutoPharmacist] = {}


def auto_pharmacist(stack: Any) -> AutoPharmacist:
    url = stack.outputs.api_url
    if url not in _pharmacists:
        _pharmacists[url] = AutoPharmacist(url)
    return _pharmacists[url]


def upload(stack: Any, body: bytes, key: str, *, pharmacist: bool = True) -> str:
    """Upload ``body`` as ``key``; its pharmacist's assessment is recorded by the test
    pharmacist unless ``pharmacist=False`` (a test that works that task itself)."""
    referral_id = referral_id_for(body)
    if pharmacist:
        auto_pharmacist(stack).assess(referral_id)
    stack.client("s3").put_object(Bucket=stack.outputs.intake_bucket, Key=key, Body=body)
    return referral_id


def distinct(data: dict[str, Any]) -> dict[str, Any]:
    """A prescriber of its own per clinic reference, so each test's upload is its own
    referral rather than an update linked to another test's (same patient and therapy)."""
    data["prescriber"] = {**data["prescriber"], "npi": npi_for(data.get("clinic_reference") or "")}
    return data


def referral_json(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (EVENTS / "referrals" / "01-ppo-deductible-coinsurance.json").read_text("utf-8")
    )
    data.update(changes)
    return distinct(data)


WAIT_SCALE = float(os.environ.get("TEST_WAIT_SCALE", "4"))
"""Every wait's bound is stretched by this factor: a bound is there so a broken workflow fails
the test rather than hanging it, and a loaded machine (two suites side by side) must not fail a
working one. A wait costs its bound only when the condition never comes."""


def wait_for(predicate: Any, timeout: float = 30.0, every: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout * WAIT_SCALE
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError("condition not met in time")


def execution(stack: Any, referral_id: str) -> dict[str, Any]:
    sfn = stack.client("stepfunctions")
    arn = (
        stack.outputs.state_machine_arn.replace(":stateMachine:", ":execution:") + f":{referral_id}"
    )
    result: dict[str, Any] = sfn.describe_execution(executionArn=arn)
    return result


def default_visit() -> dict[str, Any]:
    """The auto-nurse's default first visit (``_liaison.json``), as a test nurse documents it."""
    scripts = json.loads((EVENTS / "referrals" / "_liaison.json").read_text("utf-8"))
    visit: dict[str, Any] = scripts["default"]["first_visit"][0]["visit"]
    return visit


def document_first_visit(api: LiaisonClient, task: dict[str, Any]) -> Any:
    """Document a first_visit task's visit with the default script (changed: the workflow of a
    scheduled referral now waits for the nurse's first visit, issue 25)."""
    from datetime import UTC, datetime

    from intake_local.nurse import visit_body, visit_start

    start = visit_start(task["details"], datetime.now(UTC).date())
    return api.document_visit(task["task_id"], visit_body(default_visit(), start))


def finish(stack: Any, api: LiaisonClient, referral_id: str, timeout: float = 60.0) -> None:
    """Complete the later calls (cost and options, scheduling) and document the first visit as
    they come, until the execution succeeds."""

    def done() -> bool:
        for task in api.tasks():
            if task["referral_id"] != referral_id:
                continue
            if task["task_type"] in {"cost_and_options_call", "scheduling_call"}:
                api.complete(task["task_id"], "reached")
            elif task["task_type"] == "first_visit":
                document_first_visit(api, task)
        return bool(execution(stack, referral_id)["status"] == "SUCCEEDED")

    wait_for(done, timeout=timeout)


def open_task(api: LiaisonClient, task_id: str) -> dict[str, Any] | None:
    return next((t for t in api.tasks() if t["task_id"] == task_id), None)


def sample_json(name: str, **changes: Any) -> bytes:
    data: dict[str, Any] = json.loads((EVENTS / "referrals" / name).read_text("utf-8"))
    data.update(changes)
    return json.dumps(distinct(data)).encode()


def events_of(api: LiaisonClient, referral_id: str) -> list[str]:
    return [e["event"] for e in api.referral(referral_id)["timeline"]]


def s3_keys(stack: Any, prefix: str) -> list[str]:
    listed = stack.client("s3").list_objects_v2(
        Bucket=stack.outputs.documents_bucket, Prefix=prefix
    )
    return sorted(o["Key"] for o in listed.get("Contents", []))


def task_opened(
    api: LiaisonClient, referral_id: str, task_type: TaskType, timeout: float = 30.0
) -> dict[str, Any]:
    """The referral's (first) task of ``task_type``, once the workflow has opened it."""
    task: dict[str, Any] = wait_for(
        lambda: open_task(api, task_id_for(referral_id, task_type)), timeout=timeout
    )
    return task


def past_welcome_call(stack: Any, api: LiaisonClient, body: bytes, key: str) -> str:
    """Given ``body`` uploaded as ``key`` and its welcome call completed as reached: its id."""
    referral_id = upload(stack, body, key)
    welcome_call_reached(api, referral_id)
    return referral_id


def welcome_call_queued(stack: Any, api: LiaisonClient, body: bytes, key: str) -> tuple[str, str]:
    """Given ``body`` uploaded as ``key``: its referral id and its welcome call's task id, once
    the workflow has queued that call."""
    referral_id = upload(stack, body, key)
    welcome = task_id_for(referral_id, TaskType.WELCOME_CALL)
    wait_for(lambda: open_task(api, welcome))
    return referral_id, welcome


def welcome_call_reached(api: LiaisonClient, referral_id: str) -> dict[str, Any]:
    """The referral's welcome call, once queued, completed as reached; the task as it was."""
    welcome = task_opened(api, referral_id, TaskType.WELCOME_CALL)
    assert api.complete(welcome["task_id"], "reached").status_code == 200
    return welcome


def referral_view(api: LiaisonClient, referral_id: str) -> dict[str, Any] | None:
    """The referral as the API shows it, or None while it is not recorded yet."""
    try:
        return api.referral(referral_id)
    except Exception:
        return None
