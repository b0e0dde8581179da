"""What every part of prior authorization shares: the ports it works through, the settings of
the payer conversation, and the few reads and writes each part makes the same way (the
referral as planned, the referral's authorization headline, a task in its next round).

The parts (``gate``, ``evidence``, ``submission``, ``answers``, ``waiting``, ``resolution``,
``reauthorization``) each receive one ``AuthContext``; none holds state of its own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, Protocol

from pydantic import BaseModel

from intake.clearinghouse import ClearinghouseGateway
from intake.core.clock import utcnow
from intake.core.errors import NotFound
from intake.estimate import summary_from_json
from intake.models.authorization import Gate, PriorAuthSummary
from intake.models.benefits import BenefitsSummary
from intake.models.dates import planned, received_at
from intake.models.ports import ReferralStore, Workflow
from intake.models.records import AuthorizationRecord, ReferralRecord, TaskType
from intake.models.referral import Referral
from intake.tasks.service import TaskPlan, TaskService

if TYPE_CHECKING:  # the packet builders load with the parts that build packets
    from intake.authorization.packet import Pharmacy

FOLLOWUP_SLA = timedelta(hours=24)


class PaStep(BaseModel):
    """What a prior-authorization step hands the state machine (``$.prior_auth``): every
    field always present, so no path is optional."""

    route: Literal["proceed", "await", "task", "conclude"]
    status: str
    auth_id: str | None = None
    wait_seconds: int | None = None
    task: TaskPlan | None = None
    coverage: Literal["insurance", "self_pay"] = "insurance"


class AuthorizationStore(ReferralStore, Protocol):
    def put_authorization(self, record: AuthorizationRecord) -> None: ...
    def get_authorization(self, referral_id: str, auth_id: str) -> AuthorizationRecord | None: ...
    def update_authorization(
        self,
        referral_id: str,
        auth_id: str,
        fields: dict[str, Any],
        *,
        pending_until: datetime | None,
    ) -> None: ...
    def pending_authorizations(self, due_by: datetime) -> list[AuthorizationRecord]: ...
    def authorizations_of(self, referral_id: str) -> list[AuthorizationRecord]: ...


class PacketDocuments(Protocol):
    def put(self, key: str, body: bytes, content_type: str) -> str: ...
    def get(self, uri: str) -> bytes: ...
    def original(self, record: ReferralRecord) -> bytes | None: ...


@dataclass
class AuthContext:
    """The ports and settings every part of prior authorization works with."""

    store: AuthorizationStore
    gateway: ClearinghouseGateway
    documents: PacketDocuments
    workflow: Workflow
    tasks: TaskService
    pharmacy: Pharmacy
    decision_window: timedelta = timedelta(days=7)  # CMS standard; expedited is 72 hours
    poll_interval: timedelta = timedelta(minutes=15)
    inquiry_budget: int = 40
    """Paid status inquiries per request before a person calls the payer instead."""
    poll_concurrency: int = 32
    records_sla: timedelta = timedelta(hours=48)
    """How long the clinic has to send records before the task is escalated."""
    clock: Callable[[], datetime] = utcnow

    # ------------------------------------------------------------------ reads
    def referral(self, referral_id: str) -> tuple[ReferralRecord, Referral]:
        record = self.store.get_referral(referral_id)
        if record is None or record.referral is None:
            raise NotFound(f"referral {referral_id} does not exist or is not validated")
        return record, record.referral

    def planned(self, referral_id: str) -> tuple[ReferralRecord, Referral]:
        """The referral as the workflow plans it: starting no earlier than its receipt."""
        record, referral = self.referral(referral_id)
        return record, planned(referral, received_at(record))

    def authorization(self, referral_id: str, auth_id: str) -> AuthorizationRecord:
        auth = self.store.get_authorization(referral_id, auth_id)
        if auth is None:
            raise NotFound(f"authorization {auth_id} of {referral_id} does not exist")
        return auth

    @staticmethod
    def benefits(record: ReferralRecord) -> BenefitsSummary:
        """The benefits the referral's last 271 said."""
        if record.benefits is not None:
            return record.benefits.answer
        return summary_from_json({})  # nothing checked: the reader's empty answer

    def count(self, referral_id: str, kind: str) -> int:
        """The referral's requests of one kind so far."""
        return sum(a.kind == kind for a in self.store.authorizations_of(referral_id))

    def trace(self, referral_id: str, kind: str, drug: str, doses: tuple[Any, ...]) -> str:
        """The request's trace number (TRN02, also the packet id): the same for a step the
        workflow retries after a timeout, so the payer sees one request, not two."""
        n = self.count(referral_id, kind)
        first = doses[0].isoformat() if doses else ""
        key = f"{referral_id}|{kind}|{drug}|{first}|{n}"
        return "PA" + hashlib.sha256(key.encode()).hexdigest()[:12].upper()

    # ------------------------------------------------------------------ tasks
    def next_round(self, referral_id: str, kind: TaskType) -> int:
        rounds = [t.task_id for t in self.store.tasks_of(referral_id) if t.task_type is kind]
        return len(rounds) + 1

    def plan(
        self, referral_id: str, kind: TaskType, details: dict[str, Any], now: datetime
    ) -> TaskPlan:
        """A task for the state machine to queue, in the next free round of its type (a
        second denial after an appeal is a new task, never the completed first one)."""
        return TaskPlan.due_in(
            kind, FOLLOWUP_SLA, now, details, round_=self.next_round(referral_id, kind)
        )

    # ------------------------------------------------------------------ the headline
    def summary(self, referral_id: str) -> PriorAuthSummary:
        """The referral's authorization headline as stored (a fresh one: the gate waiting)."""
        return headline(self.store.get_referral(referral_id))

    def update_summary(self, referral_id: str, **fields: Any) -> None:
        """Change some values of the headline, keeping the others."""
        unknown = sorted(set(fields) - set(PriorAuthSummary.model_fields))
        if unknown:
            raise ValueError(f"the authorization headline has no {', '.join(unknown)}")
        current = self.summary(referral_id).model_dump()
        updated = PriorAuthSummary.model_validate({**current, **fields})
        self.store.update_referral(
            referral_id, updated_at=self.clock(), prior_auth=updated.stored()
        )

    def gate(self, referral_id: str, gate: Gate, **fields: Any) -> None:
        self.update_summary(referral_id, gate=gate, **fields)
        self.store.record(referral_id, "authorization_gate", at=self.clock(), gate=gate)

    def summarize(self, referral_id: str, auth: AuthorizationRecord, status: str) -> None:
        """The referral's authorization headline: the latest request and its answer (the
        gate and what earlier requests said are kept)."""
        decision = auth.decision
        self.update_summary(
            referral_id,
            required=True,
            auth_id=auth.auth_id,
            kind=auth.kind,
            status=status,
            packet=auth.packet,
            appeal=auth.appeal,
            certification_number=decision.certification_number if decision else None,
            effective_from=decision.effective_from if decision else None,
            effective_to=decision.effective_to if decision else None,
            reason=decision.reason if decision else None,
            requested_from=auth.requested_from,
            requested_to=auth.requested_to,
        )


def headline(record: ReferralRecord | None) -> PriorAuthSummary:
    """The referral's authorization headline (a fresh one, the gate waiting, when none)."""
    return (record.prior_auth if record else None) or PriorAuthSummary()


def review_number(auth: AuthorizationRecord) -> str:
    """The payer's id of a pended or denied request, quoted in inquiries and appeals."""
    return (auth.decision.review_number if auth.decision else None) or ""
