"""What polling a pended prior authorization costs, and how many the poller handles in one run
(figures, not tests).

    .venv/bin/python bench/bench_polling.py [N]

1. The inquiry schedule over the whole CMS decision window (7 days) for a request the payer
   never decides: how many paid 278 inquiries, and what they cost at the clearinghouse's
   $0.08-$0.30 per transaction, against the old fixed 15-minute polling.
2. One poller run over N (default 1,000) pending authorizations against a payer that takes
   2 s to answer each inquiry (real X12 278 answers, "still in review", held 2 s): wall time,
   inquiries per second, against the poller's 300 s timeout.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from intake.authorization.packet import Pharmacy
from intake.authorization.service import PriorAuthorizations
from intake.clearinghouse import ClearinghouseReply
from intake.models.records import (
    AuthorizationRecord,
    ReferralRecord,
    ReferralStatus,
    SourceDocument,
)
from intake.models.referral import Referral
from intake.tasks.service import TaskService
from intake.x12.t278.parse import parse_278
from intake.x12.t278.response import Answer278, build_278_response

SAMPLE = (
    Path(__file__).resolve().parents[1] / "events" / "referrals" / "03-auth-required-chinese.json"
)
PER_INQUIRY_USD = (0.08, 0.30)
WINDOW = timedelta(days=7)
INTERVAL = timedelta(minutes=15)
PAYER_SECONDS = 2.0
POLLER_TIMEOUT_S = 300


@dataclass
class MemoryStore:
    """Just what the poller touches, in memory."""

    referral: ReferralRecord
    auths: dict[str, AuthorizationRecord] = field(default_factory=dict)
    pending: dict[str, datetime] = field(default_factory=dict)

    def pending_authorizations(self, due_by: datetime) -> list[AuthorizationRecord]:
        return [self.auths[a] for a, at in self.pending.items() if at <= due_by]

    def get_referral(self, referral_id: str) -> ReferralRecord:
        return self.referral

    def update_authorization(
        self,
        referral_id: str,
        auth_id: str,
        fields: dict[str, Any],
        *,
        pending_until: datetime | None,
    ) -> None:
        self.auths[auth_id] = self.auths[auth_id].model_copy(update=fields)
        if pending_until is None:
            self.pending.pop(auth_id, None)
        else:
            self.pending[auth_id] = pending_until

    def record(self, *args: Any, **kwargs: Any) -> None:
        pass


class SlowPayer:
    """A payer that keeps the request in review (a real X12 278 answer, HCR A4), each answer
    held ``PAYER_SECONDS``."""

    def __init__(self) -> None:
        self.calls = 0

    def submit_prior_auth(self, x12: str, *, correlation_id: str) -> ClearinghouseReply:
        time.sleep(PAYER_SECONDS)
        self.calls += 1
        answer = build_278_response(parse_278(x12), Answer278(action="A4", number="R1"))
        return ClearinghouseReply(
            x12=answer, payload_id="bench", payload_type="X217", attempts=1, elapsed_ms=2000
        )


def schedule_count(service: PriorAuthorizations) -> int:
    """Inquiries over a 7-day window for a request that stays pended, within the budget."""
    start = datetime(2026, 12, 1, tzinfo=UTC)
    auth = _auth("PASCHEDULE", start)
    now, polls = start + service.poll_interval, 0
    while now < start + WINDOW and polls < service.inquiry_budget:
        polls += 1
        now = service.next_poll(auth.model_copy(update={"polls": polls}), now)
    return polls


def _auth(auth_id: str, submitted: datetime) -> AuthorizationRecord:
    return AuthorizationRecord(
        referral_id="ref-0000000000000000bench",
        auth_id=auth_id,
        status="pended",
        payer_id="SBX01",
        reasons=[],
        documentation=[],
        packet={},
        submitted_at=submitted,
        deadline_at=submitted + WINDOW,
        task_token="token",
        decision={"review_number": "R1"},
    )


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    referral = Referral.model_validate(json.loads(SAMPLE.read_text("utf-8")))
    now = datetime.now(UTC)
    record = ReferralRecord(
        referral_id="ref-0000000000000000bench",
        status=ReferralStatus.IN_PROGRESS,
        stage="bench",
        referral=referral,
        source=SourceDocument(bucket="b", key="k", size=1, sha256="0" * 64),
        uploaded_at=now,
        created_at=now,
        updated_at=now,
    )
    store = MemoryStore(record)
    gateway = SlowPayer()
    service = PriorAuthorizations(
        store=store,  # type: ignore[arg-type]
        gateway=gateway,  # type: ignore[arg-type]
        documents=None,  # type: ignore[arg-type]
        workflow=None,  # type: ignore[arg-type]
        tasks=TaskService(store, None),  # type: ignore[arg-type]
        pharmacy=Pharmacy(
            name="Bench Pharmacy", npi="1234567893", phone="3125550100", fax="3125550101"
        ),
        decision_window=WINDOW,
        poll_interval=INTERVAL,
    )
    polls = schedule_count(service)
    fixed = int(WINDOW / INTERVAL)
    lo, hi = PER_INQUIRY_USD
    print("Prior-authorization polling (a request pended for the whole 7-day window)")
    print(f"  inquiries: {polls} (budget {service.inquiry_budget}); fixed 15-min polling: {fixed}")
    print(
        f"  clearinghouse cost per referral: ${polls * lo:.2f}-${polls * hi:.2f} "
        f"(was ${fixed * lo:.2f}-${fixed * hi:.2f})"
    )

    for i in range(n):
        auth = _auth(f"PABENCH{i:06d}", now - timedelta(minutes=20))
        store.auths[auth.auth_id] = auth
        store.pending[auth.auth_id] = now
    service.clock = lambda: now
    started = time.perf_counter()
    report = service.poll()
    wall = time.perf_counter() - started
    print(
        f"One poller run: {n} pending authorizations, payer answering in {PAYER_SECONDS:.0f} s each"
    )
    print(
        f"  {wall:.1f} s wall ({report.checked} checked, {report.still_pending} still pending, "
        f"{report.failed} failed) at concurrency {service.poll_concurrency}: "
        f"{report.checked / wall:.1f} inquiries/s; the poller's timeout is {POLLER_TIMEOUT_S} s"
    )


if __name__ == "__main__":
    main()
