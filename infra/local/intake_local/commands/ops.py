"""``intake ops``: operator commands (docs/operations.md's runbooks), against AWS or the local stack.

    intake ops replay-dlq QUEUE [--to QUEUE] [--max N] [--method auto|move-task|receive-send]
    intake ops reindex-patients TABLE   (SEARCH_KEY_SECRET_ID names the search key)
    intake ops copy-access-log TABLE ACCESS_LOG_TABLE

Replays a dead-letter queue into the queue it serves (found from the queues whose redrive policy
names it, or ``--to``). ``move-task`` is SQS's own redrive (``StartMessageMoveTask``);
``receive-send`` receives, re-sends (body and message attributes) and only then deletes each
message, so a crash in between duplicates a message rather than losing it (every consumer here
is idempotent by design). ``auto`` tries the move task and falls back to receive-send where it
is unavailable: moto (the local stack) has no ``StartMessageMoveTask``. Only counts are printed,
never message bodies (they may name a patient's file).

Uses the ambient AWS configuration (``AWS_ENDPOINT_URL`` for the local stack).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


@dataclass
class ReplayResult:
    method: str
    moved: int
    source_url: str
    target_url: str
    note: str = ""


class ReplayError(RuntimeError):
    """The replay could not start (unknown queue, no target)."""


def _url(sqs: Any, queue: str) -> str:
    if queue.startswith(("http://", "https://")):
        return queue
    name = queue.rsplit(":", 1)[-1]  # a name or an ARN
    try:
        return str(sqs.get_queue_url(QueueName=name)["QueueUrl"])
    except ClientError as exc:
        raise ReplayError(f"no such queue: {queue}") from exc


def _arn(sqs: Any, url: str) -> str:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return str(attributes["Attributes"]["QueueArn"])


def source_of(sqs: Any, dlq_arn: str) -> str:
    """The queue whose redrive policy sends its failures to ``dlq_arn``."""
    for url in sqs.list_queues().get("QueueUrls", []):
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])
        policy = json.loads(attributes.get("Attributes", {}).get("RedrivePolicy", "{}"))
        if policy.get("deadLetterTargetArn") == dlq_arn:
            return str(url)
    raise ReplayError(
        "no queue names this DLQ in its redrive policy (EventBridge and Scheduler DLQs hold "
        "events, not queue messages): give the destination with --to"
    )


def replay_receive_send(sqs: Any, source_url: str, target_url: str, limit: int | None) -> int:
    """Receive → send to the target → delete, until the DLQ is empty or ``limit`` is reached."""
    moved = 0
    while limit is None or moved < limit:
        batch = min(10, limit - moved) if limit is not None else 10
        messages = sqs.receive_message(
            QueueUrl=source_url,
            MaxNumberOfMessages=batch,
            WaitTimeSeconds=1,
            VisibilityTimeout=120,
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            break
        for message in messages:
            sent: dict[str, Any] = {"QueueUrl": target_url, "MessageBody": message["Body"]}
            if message.get("MessageAttributes"):
                sent["MessageAttributes"] = message["MessageAttributes"]
            sqs.send_message(**sent)
            sqs.delete_message(QueueUrl=source_url, ReceiptHandle=message["ReceiptHandle"])
            moved += 1
    return moved


def replay_move_task(sqs: Any, source_arn: str, target_arn: str, source_url: str) -> int:
    """SQS's own redrive; waits for the task to finish and returns how many it moved."""
    before = int(
        sqs.get_queue_attributes(
            QueueUrl=source_url, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]["ApproximateNumberOfMessages"]
    )
    handle = sqs.start_message_move_task(SourceArn=source_arn, DestinationArn=target_arn)[
        "TaskHandle"
    ]
    while True:
        tasks = sqs.list_message_move_tasks(SourceArn=source_arn, MaxResults=10)["Results"]
        task = next((t for t in tasks if t.get("TaskHandle") == handle), tasks[0] if tasks else {})
        if task.get("Status") in {"COMPLETED", "FAILED", "CANCELLED"}:
            if task["Status"] != "COMPLETED":
                raise ReplayError(
                    f"the move task ended {task['Status']}: {task.get('FailureReason')}"
                )
            return int(task.get("ApproximateNumberOfMessagesMoved", before))
        time.sleep(2)


def replay_dlq(
    sqs: Any,
    queue: str,
    *,
    to: str | None = None,
    limit: int | None = None,
    method: str = "auto",
) -> ReplayResult:
    source_url = _url(sqs, queue)
    source_arn = _arn(sqs, source_url)
    target_url = _url(sqs, to) if to else source_of(sqs, source_arn)
    if method in {"auto", "move-task"} and limit is None:
        try:
            moved = replay_move_task(sqs, source_arn, _arn(sqs, target_url), source_url)
            return ReplayResult("move-task", moved, source_url, target_url)
        # moto answers 500 over HTTP and raises NotImplementedError in-process
        except (ClientError, BotoCoreError, NotImplementedError) as exc:
            if method == "move-task":
                raise ReplayError(f"StartMessageMoveTask failed: {exc}") from exc
            note = (
                "StartMessageMoveTask is unavailable here (moto has none): "
                "replayed by receive, send, delete"
            )
    else:
        note = "" if method == "receive-send" else "--max given: replayed by receive, send, delete"
    moved = replay_receive_send(sqs, source_url, target_url, limit)
    return ReplayResult("receive-send", moved, source_url, target_url, note)


def _replay(args: argparse.Namespace) -> int:
    sqs = boto3.client("sqs")
    try:
        result = replay_dlq(sqs, args.queue, to=args.to, limit=args.max, method=args.method)
    except ReplayError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_BAD_INPUT
    except (ClientError, BotoCoreError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_FAILED
    if result.note:
        print(f"note: {result.note}")
    print(
        f"replayed {result.moved} message(s) by {result.method}: "
        f"{result.source_url} → {result.target_url}"
    )
    return 0


def _reindex(args: argparse.Namespace) -> int:
    """Once after deploying the keyed search hash: rewrite every search item under the key."""
    from intake.adapters.search_key import reindex_patients

    try:
        indexed, removed = reindex_patients(args.table)
    except (ClientError, BotoCoreError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_FAILED
    print(f"indexed {indexed} referral(s) under the search key; removed {removed} old item(s)")
    return 0


def _copy_access(args: argparse.Namespace) -> int:
    """Once after the access log moved to its own table: copy the entries written before."""
    from intake.adapters.dynamodb_access import copy_legacy_entries

    try:
        copied = copy_legacy_entries(args.table, args.access_log_table)
    except (ClientError, BotoCoreError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_FAILED
    print(f"copied {copied} access entr{'y' if copied == 1 else 'ies'} into the access-log table")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``ops`` command group; each leaf sets ``func(args) -> int`` (the exit code)."""
    ops = subparsers.add_parser("ops", help="operator commands (see docs/operations.md)")
    leaves = ops.add_subparsers(dest="ops_command", required=True)
    replay = leaves.add_parser(
        "replay-dlq", help="move a dead-letter queue's messages back to the queue they came from"
    )
    replay.add_argument("queue", help="the DLQ: URL, name or ARN")
    replay.add_argument("--to", help="destination queue (default: the queue that uses this DLQ)")
    replay.add_argument("--max", type=int, help="replay at most this many (receive-send)")
    replay.add_argument("--method", choices=["auto", "move-task", "receive-send"], default="auto")
    replay.set_defaults(func=_replay)
    reindex = leaves.add_parser(
        "reindex-patients",
        help="once after the keyed search hash: rewrite each referral's search item under the key",
    )
    reindex.add_argument("table", help="the intake table (TableName output)")
    reindex.set_defaults(func=_reindex)
    copy = leaves.add_parser(
        "copy-access-log",
        help="once after the access log's own table: copy the entries the intake table holds",
    )
    copy.add_argument("table", help="the intake table (TableName output)")
    copy.add_argument("access_log_table", help="the access-log table (AccessLogTable)")
    copy.set_defaults(func=_copy_access)
