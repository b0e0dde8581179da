"""The standing bad-input corpus, pushed through the local stack: every file in, one visible
end state each (referral, review task, quarantine with a needs-review task); none failed, none
stuck. The kinds and their documented states are in ``intake_local.samples.bad_inputs``."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from intake.core.ids import referral_id_for, task_id_for
from intake.models.records import TaskType
from intake_local.pipeline import LiaisonClient
from intake_local.samples.bad_inputs import BadInput, kinds

pytestmark = pytest.mark.integration

TASK_FOR = {
    "quarantined": TaskType.NEEDS_REVIEW,
    "in_review": TaskType.COMPLETE_REFERRAL,
    "in_progress": TaskType.WELCOME_CALL,
}


def view_of(api: LiaisonClient, referral_id: str) -> dict[str, Any] | None:
    try:
        return api.referral(referral_id)
    except requests.HTTPError:
        return None


def settled(api: LiaisonClient, item: BadInput, referral_id: str) -> bool:
    """The referral is in its documented state and the task a person works is there."""
    view = view_of(api, referral_id)
    if view is None or view["status"] != item.expect:
        return False
    wanted = task_id_for(referral_id, TASK_FOR[item.expect])
    return any(t["task_id"] == wanted and t["status"] == "open" for t in view["tasks"])


def test_every_bad_input_ends_in_one_visible_state(local_stack: Any) -> None:
    api = LiaisonClient(local_stack.outputs.api_url, "corpus@local")
    s3 = local_stack.client("s3")
    corpus = kinds()
    assert len(corpus) >= 60
    # Given every kind of bad input uploaded as a clinic would
    ids: dict[str, str] = {}
    for item in corpus:
        s3.put_object(
            Bucket=local_stack.outputs.intake_bucket,
            Key=f"referrals/bad-inputs/{item.filename}",
            Body=item.body,
        )
        ids[item.kind] = referral_id_for(item.body)
    # Then each reaches its documented state, with its task, within a generous bound
    pending = list(corpus)
    deadline = time.monotonic() + 300
    while pending and time.monotonic() < deadline:
        pending = [i for i in pending if not settled(api, i, ids[i.kind])]
        time.sleep(0.5)
    states = {i.kind: (view_of(api, ids[i.kind]) or {}).get("status") for i in pending}
    assert not pending, f"not in their documented state: {states}"
    # And each says why in words a reviewer reads, without echoing a rejected value
    for item in corpus:
        view = view_of(api, ids[item.kind])
        assert view is not None
        if item.problem:
            assert any(item.problem in p for p in view["problems"]), (item.kind, view["problems"])
        assert all(len(p) <= 400 for p in view["problems"])
    phone = view_of(api, ids["phone-letters"])
    assert phone is not None and not any("call-me-maybe" in p for p in phone["problems"])
    # And none failed: the accepted ones' workflows are still running (waiting on the call)
    sfn = local_stack.client("stepfunctions")
    for item in corpus:
        if item.expect == "in_progress":
            arn = (
                local_stack.outputs.state_machine_arn.replace(":stateMachine:", ":execution:")
                + f":{ids[item.kind]}"
            )
            assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING", item.kind
            # (cleaning up: the session's stack serves other tests)
            sfn.stop_execution(executionArn=arn, error="TestDone", cause="bad-input corpus")
