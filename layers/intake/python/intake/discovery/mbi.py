"""An MBI lookup through the clearinghouse: where a clearinghouse offers one, it is a payer id
of its own that answers a demographic 270 (name, date of birth, gender, address) with the
beneficiary's Medicare Beneficiary Identifier in the 271's NM109. The answer is used only
in CMS's MBI format (``rules.is_mbi``), and, like any discovery result, unconfirmed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from intake.clearinghouse import ClearinghouseError, ClearinghouseGateway
from intake.core.clock import utcnow
from intake.discovery.ports import PayerCandidate, PersonSearch
from intake.models.referral import Sex
from intake.x12.errors import X12Error
from intake.x12.t270 import EligibilityInquiry, SubscriberInfo, build_270


@dataclass
class ClearinghouseMbiLookup:
    gateway: ClearinghouseGateway
    payer: PayerCandidate
    """The clearinghouse's MBI lookup, as its payer list names it."""
    provider_name: str
    provider_npi: str
    correlation_id: str = "mbi-lookup"
    clock: Callable[[], datetime] = field(default=utcnow)

    def find_mbi(self, person: PersonSearch) -> str | None:
        from intake.x12.t271.parse import parse_271  # the 271 reader, only here

        inquiry = EligibilityInquiry(
            payer_name=self.payer.name,
            payer_id=self.payer.payer_id,
            provider_name=self.provider_name,
            provider_npi=self.provider_npi,
            subscriber=SubscriberInfo(
                first_name=person.first_name,
                last_name=person.last_name,
                dob=person.dob,
                sex=Sex(person.sex) if person.sex else None,
            ),
            service_date=self.clock().date(),
            service_types=("30",),
            trace_number="MBI-1",
        )
        try:
            reply = self.gateway.check_eligibility(
                build_270(inquiry), correlation_id=self.correlation_id
            )
            read = parse_271(reply.x12)
        except (ClearinghouseError, X12Error):
            return None
        for response in read.responses:
            for source in response.sources:
                for receiver in source.receivers:
                    for subscriber in receiver.subscribers:
                        entity = subscriber.entity
                        if not subscriber.rejections and entity is not None and entity.id:
                            return entity.id
        return None
