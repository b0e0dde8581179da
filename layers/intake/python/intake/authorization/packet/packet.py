"""Build the whole prior-authorization packet for a referral: PDF, X12 278 and PAS Bundle.

The three carry the same request for the three ways payers take one (fax, X12 through the
clearinghouse, FHIR API), built from one course and one set of service lines so they cannot
disagree. The packet id is the 278's trace number (TRN02) and the PWK attachment control
number, so a payer can tie the fax to the electronic request.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from intake.authorization.packet.criteria import EvidenceReport, evaluate
from intake.authorization.packet.models import Addressee, Packet, Pharmacy
from intake.authorization.packet.pas import build_pas_bundle
from intake.authorization.packet.pdf import PacketContent, render_packet_pdf
from intake.authorization.packet.reference import policy_table
from intake.authorization.packet.request278 import review_request
from intake.authorization.packet.services import requested_services
from intake.authorization.policy import PaDecision
from intake.models.authorization import EvidenceWaiver
from intake.models.benefits import BenefitsSummary
from intake.models.referral import Referral
from intake.therapy import ServicePlan, cap_visits, plan_services
from intake.x12.control_numbers import ControlNumberSource
from intake.x12.envelope import EnvelopeParties
from intake.x12.t278.build import build_278_request


def packet_id_for(referral: Referral, now: datetime) -> str:
    """A short id from the referral's identity and the time (no PHI: a hash prefix)."""
    key = "|".join(
        (
            referral.coverage.payer_id,
            referral.coverage.member_id,
            referral.therapy.hcpcs or referral.therapy.ndc or "",
            referral.clinic_reference or "",
            now.isoformat(),
        )
    )
    return "PA" + hashlib.sha256(key.encode()).hexdigest()[:12].upper()


def build_packet(
    referral: Referral,
    benefits: BenefitsSummary,
    decision: PaDecision,
    *,
    pharmacy: Pharmacy,
    original_document: bytes | None,
    original_name: str,
    now: datetime | None = None,
    trace_number: str | None = None,
    parties: EnvelopeParties | None = None,
    control_numbers: ControlNumberSource | None = None,
    received_on: date | None = None,
    start: date | None = None,
    plan: ServicePlan | None = None,
    evidence: EvidenceReport | None = None,
    waiver: EvidenceWaiver | None = None,
    certification_type: str = "I",
    review_number: str = "",
    signed_letter: bytes | None = None,
    addressee: Addressee | None = None,
) -> Packet:
    """The packet for ``referral``. ``benefits`` supplies the group number when the referral
    lacks it and the nurse visits the plan has left; ``decision`` (from ``decide_prior_auth``)
    fills the PDF's documentation list. The service plan is ``plan`` when given, else planned
    from ``start`` (default: the therapy's start date, else ``now``'s date). ``received_on``
    (default: the referral's ``received_at``, else the packet's date) is when we received the
    referral: the letter judges evidence dates against it."""
    stamp = now or datetime.now()
    if received_on is None:
        received_on = referral.received_at.date() if referral.received_at else stamp.date()
    packet_id = trace_number or packet_id_for(referral, stamp)
    if evidence is None:
        evidence = evaluate(referral, received_on=received_on)
    group = referral.coverage.group_number or benefits.plan.group_number
    if group and not referral.coverage.group_number:
        referral = referral.model_copy(
            update={"insurance": referral.coverage.model_copy(update={"group_number": group})}
        )
    if plan is None:
        first = start or referral.therapy.start_date or stamp.date()
        plan = plan_services(referral, first)
    plan = cap_visits(plan, nurse_visits_left(benefits))
    services = requested_services(plan)
    payer = policy_table().payer(referral.coverage.payer_id)
    request = review_request(
        referral,
        pharmacy,
        plan,
        trace_number=packet_id,
        attachment_control_number=packet_id,
        attachments=attachment_codes(evidence, packet_id),
        certification_type=certification_type,
        review_number=review_number,
    )
    x12 = build_278_request(request, parties=parties, control_numbers=control_numbers, now=stamp)
    pdf = render_packet_pdf(
        PacketContent(
            referral,
            decision,
            pharmacy,
            services,
            plan,
            payer.um_fax if payer else "",
            payer.um_phone if payer else "",
            stamp,
            packet_id,
            original_document,
            original_name,
            received_on,
            evidence,
            waiver,
            signed_letter,
            addressee,
        )
    )
    bundle = build_pas_bundle(referral, pharmacy, plan, packet_id=packet_id, now=stamp)
    return Packet(
        pdf=pdf,
        x12_278=x12,
        pas_bundle=bundle,
        trace_number=packet_id,
        services=services,
        plan=plan,
    )


def nurse_visits_left(benefits: BenefitsSummary) -> int | None:
    """In-network home health visits the 271 says are left (EB09 VS; the remainder, EB06 29,
    else the plan-year limit) for the nursing service types (44, 42); None: no limit given."""
    limits = [
        v
        for v in benefits.visit_limits
        if v.in_network is not False and {"44", "42"} & set(v.service_types)
    ]
    remaining = [v for v in limits if v.time_period == "29"]
    chosen = remaining or [v for v in limits if v.time_period not in ("32", "33")]
    return int(min(v.quantity for v in chosen)) if chosen else None


def attachment_codes(evidence: EvidenceReport, packet_id: str) -> tuple[tuple[str, str], ...]:
    """One 278 PWK per criterion a document holds: (PWK01 report type, PWK06 control number).
    Only what is among the referral's documents is named (a coded fact of the original, or
    records the clinic sent and that were linked): a sentence of the notes is quoted for a
    person to confirm, never claimed as an attached result. The control number is the packet
    id and the criterion id, so the reviewer (and the sandbox payer) can tell which records
    were sent."""
    return tuple(
        (e.report_type, f"{packet_id}.{e.id.upper().replace('_', '-')}"[:50])
        for e in evidence.items
        if e.attached
    )


def signature_request_pdf(
    referral: Referral,
    benefits: BenefitsSummary,
    decision: PaDecision,
    *,
    pharmacy: Pharmacy,
    evidence: EvidenceReport,
    waiver: EvidenceWaiver | None,
    plan: ServicePlan,
    now: datetime,
    received_on: date,
    request_id: str,
) -> bytes:
    """The letter of medical necessity as the packet will carry it, with a return cover to
    the prescriber (sign, date, fax back)."""
    from intake.authorization.packet.pdf import render_signature_request

    plan = cap_visits(plan, nurse_visits_left(benefits))
    content = PacketContent(
        referral,
        decision,
        pharmacy,
        requested_services(plan),
        plan,
        "",
        "",
        now,
        request_id,
        None,
        "",
        received_on,
        evidence,
        waiver,
    )
    return render_signature_request(content, request_id)
