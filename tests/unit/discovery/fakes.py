"""In-memory stand-ins for discovery's ports: a store that keeps what discovery writes, and a
clearinghouse that is the sandbox payer itself (the real 270 reader and 271 writer, no HTTP)."""

from __future__ import annotations

import json
from typing import Any

from intake.clearinghouse import ClearinghouseReply
from intake.models.referral import Referral
from intake.x12.t270 import read_270
from intake_local.sandbox.payer import SandboxPayer
from tests.conftest import EVENTS

REFERRAL_ID = "ref-0123456789abcdef0123"


def sample(name: str, **patient: Any) -> Referral:
    data = json.loads((EVENTS / "referrals" / name).read_text("utf-8"))
    data["patient"] = {**data["patient"], **patient}
    return Referral.model_validate(data)


class Store:
    """Keeps the discovery record and the timeline events discovery writes."""

    def __init__(self) -> None:
        self.fields: dict[str, Any] = {}
        self.events: list[tuple[str, dict[str, Any]]] = []

    def update_referral(self, referral_id: str, **fields: Any) -> None:
        self.fields.update(fields)

    def record(self, referral_id: str, event: str, **detail: Any) -> None:
        self.events.append((event, detail))


class SandboxGateway:
    """Answers each 270 with the sandbox payer's 271 and remembers what was sent."""

    def __init__(self) -> None:
        self.payer = SandboxPayer()
        self.sent: list[str] = []

    @property
    def payers_asked(self) -> list[str]:
        return [read_270(x)[0].payer.id for x in self.sent]

    def check_eligibility(self, x12_270: str, *, correlation_id: str) -> ClearinghouseReply:
        self.sent.append(x12_270)
        reply = self.payer.respond_270(x12_270)
        return ClearinghouseReply(
            x12=reply.x12,
            payload_id=f"payload-{len(self.sent)}",
            payload_type="X12_271_Response_005010X279A1",
            attempts=1,
            elapsed_ms=0,
        )


class RecordStore(Store):
    """A referral record the benefits check reads, with what it writes laid over it."""

    def __init__(self, referral: Referral) -> None:
        super().__init__()
        from datetime import UTC, datetime

        from intake.models.records import ReferralRecord, SourceDocument

        now = datetime(2026, 12, 7, tzinfo=UTC)
        self.record_ = ReferralRecord(
            referral_id=REFERRAL_ID,
            status="in_progress",
            stage="workflow",
            referral=referral,
            source=SourceDocument(bucket="b", key="k", size=1, sha256="0" * 64),
            uploaded_at=now,
            created_at=now,
            updated_at=now,
        )

    def get_referral(self, referral_id: str) -> Any:
        return self.record_.model_validate(
            {**self.record_.model_dump(mode="json"), **_json(self.fields)}
        )

    def get_task(self, task_id: str) -> Any:
        return None


def _json(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v.model_dump(mode="json") if hasattr(v, "model_dump") else v for k, v in fields.items()
    }
