"""Prior authorization in the workflow, as its handlers call it: one facade over the parts.

The parts share one ``AuthContext`` (the ports and the payer conversation's settings):
``gate`` (is a request needed, is everything in hand to file it), ``evidence`` (the clinic's
records, the prescriber's signature), ``submission`` (packet and 278, additional information,
appeal), ``answers`` (the payer's answer and the gate's dose coverage), ``waiting`` (the wait
token, the scheduled poller, the CMS window), ``resolution`` (a liaison's outcome on an
authorization task) and ``reauthorization`` (the doses ahead of ongoing therapy).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from intake.authorization.context import AuthContext, AuthorizationStore, PacketDocuments, PaStep
from intake.authorization.gate import AuthorizationGate
from intake.authorization.reauthorization import Reauthorization
from intake.authorization.resolution import Resolution
from intake.authorization.waiting import PollReport, Waiting
from intake.models.records import AuthorizationRecord

__all__ = ["AuthorizationStore", "PaStep", "PacketDocuments", "PollReport", "PriorAuthorizations"]


@dataclass
class PriorAuthorizations(AuthContext):
    """The handlers' one entry: the shared context itself, handing each call to its part (a
    caller may change a setting, as the benchmark does with the clock, and every part sees it)."""

    def submit(self, referral_id: str, *, network_checked: bool = False) -> PaStep:
        return AuthorizationGate(self).submit(referral_id, network_checked=network_checked)

    def register_wait(self, referral_id: str, auth_id: str, task_token: str) -> dict[str, Any]:
        return Waiting(self).register_wait(referral_id, auth_id, task_token)

    def overdue(self, referral_id: str, auth_id: str) -> PaStep:
        return Waiting(self).overdue(referral_id, auth_id)

    def payer_down(self, referral_id: str) -> PaStep:
        return Waiting(self).payer_down(referral_id)

    def resolve(self, referral_id: str, result: dict[str, Any]) -> PaStep:
        return Resolution(self).resolve(referral_id, result)

    def reauthorize(self, referral_id: str, first_day: date, from_dose: date) -> PaStep:
        return Reauthorization(self).reauthorize(referral_id, first_day, from_dose)

    def poll(self) -> PollReport:
        return Waiting(self).poll()

    def next_poll(self, auth: AuthorizationRecord, now: datetime) -> datetime:
        return Waiting(self).next_poll(auth, now)
