"""AWS requests and AWS cost per referral, measured on the local stack (figures, not tests).

    .venv/bin/python bench/aws_requests.py

Runs one referral's whole journey per sample (upload, ingest, workflow, the three liaison calls
completed through the HTTP API, prior authorization where required) on a fresh local stack with
the scheduled poller off, and counts what AWS would bill for it:

- requests the local AWS served, by service and action (``RequestCounter``), the functions' and
  Step Functions' service integrations included, the harness's own reads excluded;
- Lambda invocations and their duration (GB-seconds at each function's memory size; this
  machine is no Graviton, so durations are an estimate), SQS event-source work (receives that
  carried messages, batch deletes; empty long polls are a fixed cost per queue, not per referral);
- Step Functions state transitions, from the execution's history;
- liaison API requests (API Gateway HTTP API).

Prices: us-east-1 list prices (on-demand DynamoDB in request units, one unit per request: items
are under 1 KB except estimates and referrals, so this is a lower bound for those writes). Not
counted: KMS (S3 bucket keys make it per-object-batch), CloudWatch Logs ingestion, X-Ray.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from intake.core.ids import referral_id_for
from intake_local.pipeline import (
    FIRST_INFUSION_IN_DAYS,
    TERMINAL,
    LiaisonClient,
    LiaisonScripts,
    liaison_decision,
)
from intake_local.stack import LocalStack, StackOptions

SAMPLES = Path(__file__).resolve().parents[1] / "events" / "referrals"
JOURNEYS = ("01-ppo-deductible-coinsurance.json", "15-prior-auth-certified.json")
WARM_UP = "07-medicare-advantage.json"
# USD per request (per unit), us-east-1.
PRICES = {
    ("s3", "PUT object"): 0.005 / 1000,
    ("s3", "POST object"): 0.005 / 1000,
    ("s3", "GET object"): 0.0004 / 1000,
    ("s3", "HEAD object"): 0.0004 / 1000,
    ("dynamodb", "write"): 0.625 / 1e6,
    ("dynamodb", "read"): 0.125 / 1e6,
    ("sqs", "*"): 0.40 / 1e6,
    ("sns", "*"): 0.50 / 1e6,
    ("secretsmanager", "*"): 0.05 / 10000,
    ("states", "transition"): 0.025 / 1000,
    ("lambda", "request"): 0.20 / 1e6,
    ("lambda", "gb-second"): 0.0000133334,  # arm64
    ("apigateway", "request"): 1.00 / 1e6,
}
DYNAMODB_WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}


def _price(service: str, action: str) -> float:
    if service == "dynamodb":
        return PRICES[("dynamodb", "write" if action in DYNAMODB_WRITES else "read")]
    return PRICES.get((service, action), PRICES.get((service, "*"), 0.0))


def drive_journey(
    stack: LocalStack, name: str, body: bytes, timeout_s: float = 300
) -> tuple[str, str | None]:
    """Upload one referral and work its tasks through the liaison API as a liaison's tool does
    (list its kind, claim, complete) until it ends: its id and its last status."""
    assert stack.outputs is not None
    referral_id = referral_id_for(body)
    api = LiaisonClient(stack.outputs.api_url)
    scripts = LiaisonScripts.load(SAMPLES, {referral_id: name})
    stack.client("s3", caller="clinic").put_object(
        Bucket=stack.outputs.intake_bucket, Key=f"referrals/bench/{name}", Body=body
    )
    ddb = stack.client("dynamodb")  # the harness watches the table itself (not counted)
    handled: set[str] = set()
    deadline = time.monotonic() + timeout_s
    status = None
    while time.monotonic() < deadline:
        items = ddb.query(
            TableName=stack.outputs.table_name,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": f"REFERRAL#{referral_id}"}},
        )["Items"]
        status = next((i["status"]["S"] for i in items if i["sk"]["S"] == "REFERRAL"), None)
        if status in TERMINAL:
            break
        for item in items:
            if not item["sk"]["S"].startswith("TASK#") or item["status"]["S"] != "open":
                continue
            task_id = item["sk"]["S"].removeprefix("TASK#")
            if task_id in handled:
                continue
            listed = api.tasks(type=item["task_type"]["S"])
            task = next((t for t in listed if t["task_id"] == task_id), None)
            decision = liaison_decision(task, scripts) if task else None
            if task is None or decision is None:
                continue
            handled.add(task_id)
            outcome, corrections, note = decision
            first = None
            if task["task_type"] == "scheduling_call" and outcome == "reached":
                first = datetime.now(UTC).date() + timedelta(days=FIRST_INFUSION_IN_DAYS)
            api.claim(task_id)
            api.complete(task_id, outcome, note, corrections, first_infusion_date=first)
        time.sleep(0.5)
    return referral_id, status


def journey(stack: LocalStack, sample: str) -> dict[str, Any]:
    assert stack.outputs is not None and stack.queue_sources is not None
    before = stack.requests.snapshot()
    esm_before = Counter(stack.queue_sources.work_requests)
    invocations_before = len(stack.pool.invocations)
    referral_id, status = drive_journey(stack, sample, (SAMPLES / sample).read_bytes())
    time.sleep(2)  # the last step's writes land after the status changes
    counts = stack.requests.snapshot() - before
    esm = Counter(stack.queue_sources.work_requests) - esm_before
    invocations = stack.pool.invocations[invocations_before:]
    sfn = stack.client("stepfunctions")
    arn = (
        f"{stack.outputs.state_machine_arn.replace(':stateMachine:', ':execution:')}:{referral_id}"
    )
    history = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    transitions = sum(1 for e in history if e["type"].endswith("StateEntered"))
    rows: Counter[tuple[str, str]] = Counter()
    for (caller, service, action), n in counts.items():
        if caller == "apigateway":
            rows[("apigateway", "request")] += n  # the front door; its Lambda call is below
        elif caller in {"testing", "clinic"} and not (service == "lambda" and action == "Invoke"):
            rows[(service, action)] += n
    for key, n in esm.items():
        service, action = key.split(" ", 1)
        rows[(service, action)] += n
    rows[("lambda", "request")] = len(invocations)
    gb_s = sum(i.memory_mb / 1024 * i.seconds for i in invocations)
    rows[("states", "transition")] = transitions
    cost = {key: n * _price(*key) for key, n in rows.items()}
    cost[("lambda", "gb-second")] = gb_s * PRICES[("lambda", "gb-second")]
    return {
        "sample": sample,
        "status": status,
        "rows": rows,
        "gb_s": gb_s,
        "cost": cost,
        "aws_requests": sum(n for (s, a), n in rows.items() if s not in {"states"}),
    }


def main() -> None:
    with LocalStack(StackOptions(poll_every_seconds=None)) as stack:
        journey(stack, WARM_UP)  # first calls fetch secrets and start extra workers: not counted
        results = [journey(stack, sample) for sample in JOURNEYS]
    print("AWS requests and cost per referral (one journey each, local stack, poller off):")
    for r in results:
        print(f"\n{r['sample']} → {r['status']}")
        for (service, action), n in sorted(r["rows"].items()):
            print(f"  {service:<15}{action:<28}{n:>5}   ${r['cost'][(service, action)]:.7f}")
        print(
            f"  {'lambda':<15}{'duration (GB-s)':<28}{r['gb_s']:>8.2f}   ${r['cost'][('lambda', 'gb-second')]:.7f}"
        )
        total = sum(r["cost"].values())
        print(
            f"  total: {r['aws_requests']} AWS requests (+ state transitions), ${total:.5f} per referral"
        )
    print(json.dumps({r["sample"]: round(sum(r["cost"].values()), 6) for r in results}))


if __name__ == "__main__":
    main()
