"""What is stored of prior authorization: the referral's authorization headline (the gate and
the latest request, ``ReferralRecord.prior_auth``) and the payer's decision on one request
(``AuthorizationRecord.decision``).

Each value has one name and is written where it is decided: the gate by the authorization
parts, the evidence and its waiver when the criteria are evaluated or a liaison files without
them, the signature when the prescriber's task is completed. Items stored before these models
read back unchanged: the keys are the ones the dictionaries had.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Gate = Literal["waiting", "passed", "self_pay", "declined"]
"""The authorization gate: the cost and scheduling calls run only once it is ``passed`` (or
``self_pay``, the patient paying); ``declined`` closes the referral."""

DecisionStatus = Literal[
    "certified", "partial", "modified", "pended", "denied", "cancelled", "rejected"
]
"""The payer's answer (X12 278 HCR01, read by ``intake.x12.t278``)."""


class _Stored(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)


class EvidenceItem(_Stored):
    """One criterion of the payer's policy, as evaluated (ids, labels, status; no clinical
    text)."""

    id: str
    label: str
    status: str
    note: str | None = None
    where: str | None = None


class EvidenceSummary(_Stored):
    """The drug's criteria at this payer, evaluated when the request was prepared."""

    drug_class: str | None = None
    criteria_version: str | None = None
    items: list[EvidenceItem] = Field(default_factory=list)


class EvidenceWaiver(_Stored):
    """A liaison filed without some of the clinic's records: which, why, who and when."""

    items: list[str] = Field(default_factory=list)
    reason: str = ""
    by: str | None = None
    at: datetime | None = None


class Signature(_Stored):
    """The prescriber's signature on the letter: signed (the copy), or sent unsigned (why)."""

    status: Literal["signed", "unsigned"]
    document: str | None = None
    reason: str | None = None
    by: str | None = None
    at: datetime | None = None


class PriorAuthSummary(_Stored):
    """The referral's authorization headline: the gate, the latest request and its answer,
    and what the evidence, the clinic's records and the prescriber's signature stand at."""

    gate: Gate = "waiting"
    required: bool | None = None
    reasons: list[str] | None = None
    """Why no authorization is needed (a gate passed without a request)."""
    network_exception: bool | None = None
    status: str | None = None
    """Where authorization stands, in one word (records_requested, pended, certified...)."""
    reason: str | None = None
    auth_id: str | None = None
    kind: str | None = None
    packet: dict[str, str] | None = None
    appeal: str | None = None
    certification_number: str | None = None
    effective_from: date | None = None
    effective_to: date | None = None
    requested_from: date | None = None
    requested_to: date | None = None
    accepted_terms: bool | None = None
    evidence: EvidenceSummary | None = None
    evidence_waiver: EvidenceWaiver | None = None
    records_request: str | None = None
    records_task_id: str | None = None
    records_for_auth: str | None = None
    """The pended request the clinic's records are asked for (sent as additional
    information once they arrive)."""
    signature_request: str | None = None
    signature: Signature | None = None
    plan_changed_at: datetime | None = None
    """The payer or plan changed during the course: only later requests count."""

    def waived(self) -> set[str]:
        """The criteria a liaison chose to file without."""
        return set(self.evidence_waiver.items) if self.evidence_waiver else set()

    def stored(self) -> dict[str, object]:
        """The JSON the record keeps (unset values left out, as the dictionary had them)."""
        return self.model_dump(mode="json", exclude_none=True)


class DecisionLine(_Stored):
    """The payer's answer for one requested service line (2000F), as the 278 reader gives it
    (``intake.x12.t278.LineDecision``, which requires the status) or a liaison reported it."""

    procedure_code: str
    modifiers: tuple[str, ...] = ()
    revenue_code: str | None = None
    status: DecisionStatus | None = None
    """None on a line a liaison reported (a re-authorization by phone)."""
    action_code: str | None = None
    requested_units: Decimal | None = None
    approved_units: Decimal | None = None
    """What may be given and billed: 0 for a line not certified, None when not said."""
    effective_from: date | None = None
    effective_to: date | None = None
    issued_on: date | None = None
    service_from: date | None = None
    service_to: date | None = None
    certification_number: str | None = None
    review_number: str | None = None
    reason_code: str | None = None
    reason: str | None = None


class AuthorizationDecision(_Stored):
    """What is kept of the payer's answer to one request: the 278 response as read (every
    field of ``intake.x12.t278.AuthDecision``), or a certification a liaison reported."""

    status: DecisionStatus | None = None
    """What the payer answered (the record's own ``status`` is where the request stands)."""
    action_code: str | None = None
    certification_number: str | None = None
    review_number: str | None = None
    """The payer's id of a pended or denied request, quoted in inquiries and appeals."""
    effective_from: date | None = None
    effective_to: date | None = None
    reason_code: str | None = None
    reason: str | None = None
    follow_up: str | None = None
    partial: bool = False
    """True when not everything asked was certified as asked (partial or modified)."""
    trace_numbers: tuple[str, ...] = ()
    """Our TRN*1 traces echoed back (TRN*2), to match the answer to the request."""
    lines: tuple[DecisionLine, ...] = ()
    messages: tuple[str, ...] = ()
    """The UMO's free-text MSG on the event (often the denial's reason in words)."""

    def stored(self) -> dict[str, object]:
        """The JSON the record keeps."""
        return self.model_dump(mode="json")


def certified_period(
    decision: AuthorizationDecision | None, requested_from: date | None, requested_to: date | None
) -> tuple[date, date] | None:
    """The period a certification covers: the payer's dates, else the requested ones (a
    certification without dates is read as covering what was asked)."""
    start = (decision.effective_from if decision else None) or requested_from
    end = (decision.effective_to if decision else None) or requested_to
    return (start, end) if start is not None and end is not None else None
