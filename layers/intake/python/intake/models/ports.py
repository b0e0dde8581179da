"""The small interfaces the domain needs from the outside world.

The domain depends on these Protocols only; adapters implement them with boto3, and unit tests
with in-memory fakes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from intake.models.records import ReferralRecord, TaskRecord, TimelineEvent


class ReferralStore(Protocol):
    def put_referral_if_new(self, record: ReferralRecord) -> bool: ...
    def get_referral(self, referral_id: str) -> ReferralRecord | None: ...
    def update_referral(self, referral_id: str, **fields: Any) -> None: ...
    def change_documents(
        self,
        referral_id: str,
        change: Callable[[list[dict[str, Any]]], list[dict[str, Any]] | None],
    ) -> bool: ...
    def claim_link(
        self, key: str, referral_id: str, *, expires_at: datetime, replace: str | None = None
    ) -> str: ...
    def record(
        self, referral_id: str, event: str, *, at: datetime, actor: str = "system", **detail: object
    ) -> None: ...
    def timeline(self, referral_id: str) -> list[TimelineEvent]: ...
    def put_task_if_new(self, task: TaskRecord) -> bool: ...
    def get_task(self, task_id: str) -> TaskRecord | None: ...
    def update_task(
        self,
        task_id: str,
        fields: dict[str, Any],
        *,
        expect_status: set[str] | None = None,
        remove_from_work_queue: bool = False,
        workable_by: str | None = None,
        effect_pending: bool | None = None,
    ) -> TaskRecord: ...
    def open_tasks(self, status: str) -> list[TaskRecord]: ...
    def tasks_of(self, referral_id: str) -> list[TaskRecord]: ...
    def put_estimate(self, referral_id: str, estimate: dict[str, Any]) -> int: ...
    def estimates(self, referral_id: str) -> list[dict[str, Any]]: ...


class Documents(Protocol):
    def read(self, bucket: str, key: str, version_id: str | None, max_bytes: int) -> bytes: ...
    def digest(self, bucket: str, key: str, version_id: str | None) -> str:
        """SHA-256 hex of the whole object, streamed (for files too large to read)."""
        ...

    def quarantine(
        self, bucket: str, key: str, version_id: str | None, target_key: str
    ) -> None: ...


class Workflow(Protocol):
    def start(self, name: str, payload: dict[str, Any]) -> bool:
        """Start the referral's execution; False when one with this name already exists."""
        ...

    def resume(self, task_token: str, output: dict[str, Any]) -> bool:
        """Send the task result; False when the token is no longer valid (timed out)."""
        ...


class Notifier(Protocol):
    def publish(self, subject: str, message: dict[str, Any]) -> None: ...
