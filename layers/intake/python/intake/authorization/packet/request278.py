"""Map a referral to the X12 278 request (005010X217) and the poller's status inquiry."""

from __future__ import annotations

from datetime import date

from intake.authorization.packet.models import Pharmacy
from intake.authorization.packet.schedule import delivery
from intake.core.errors import InvalidRequest
from intake.models.referral import Referral, Relationship
from intake.reference import codesets
from intake.therapy import ServicePlan
from intake.x12.t270.inquiry import INS_RELATIONSHIP_CODES
from intake.x12.t278 import request as x278


class PlaceOfServiceUnknown(InvalidRequest):
    """An infusion suite whose payer's profile names no place of service: no 278 carries a
    guessed UM04; the liaison asks the payer and records it in ``payer_profiles.json``."""


HOME_HEALTH_SERVICE_TYPE = ""
"""UM03 left empty as in the X217 home health sample: the 2000F codes say what is asked."""


def umo_party(referral: Referral) -> x278.Party:
    return x278.Party(referral.coverage.payer_name, referral.coverage.payer_id, "PI")


def requester_party(pharmacy: Pharmacy) -> x278.Party:
    return x278.Party(
        pharmacy.name,
        pharmacy.npi,
        "XX",
        phone=pharmacy.phone,
        fax=pharmacy.fax,
        contact_name=pharmacy.contact_name or "",
    )


def members(referral: Referral) -> tuple[x278.Member, x278.Member | None]:
    """(subscriber, dependent): the patient is the dependent unless they hold the policy."""
    ins, patient = referral.coverage, referral.patient
    as_member = x278.Member(
        patient.first_name,
        patient.last_name,
        patient.date_of_birth,
        patient.sex.value if patient.sex.value in ("F", "M") else "",
        ins.member_id,
        ins.group_number or "",
    )
    if ins.relationship is Relationship.SELF or ins.subscriber is None:
        return as_member, None
    sub = ins.subscriber
    subscriber = x278.Member(
        sub.first_name,
        sub.last_name,
        sub.date_of_birth,
        "",
        sub.member_id or ins.member_id,
        ins.group_number or "",
    )
    dependent = x278.Member(
        patient.first_name,
        patient.last_name,
        patient.date_of_birth,
        as_member.sex,
        relationship_code=INS_RELATIONSHIP_CODES[ins.relationship],
    )
    return subscriber, dependent


def hi_diagnoses(referral: Referral) -> tuple[x278.Diagnosis, ...]:
    """The HI segment's codes, principal first. Only billable codes of the current ICD-10-CM
    release are sent: the door refuses a header or unknown code, and a referral stored before
    the release changed (G35 became a header on 2025-10-01) is stopped here, not sent. The
    error names the field, never the code (errors are logged)."""
    bad = [i for i, d in enumerate(referral.diagnoses) if not codesets.is_billable(d.code)]
    if bad:
        fields = ", ".join(f"diagnoses.{i}.code" for i in bad)
        raise InvalidRequest(
            f"{fields}: not a billable code of {codesets.icd10_release()}; correct the "
            "referral's diagnosis before requesting authorization"
        )
    return tuple(x278.Diagnosis(d.code, principal=i == 0) for i, d in enumerate(referral.diagnoses))


def review_request(
    referral: Referral,
    pharmacy: Pharmacy,
    plan: ServicePlan,
    *,
    trace_number: str,
    attachment_control_number: str = "",
    attachments: tuple[tuple[str, str], ...] = (),
    certification_type: str = "I",
    review_number: str = "",
) -> x278.ReviewRequest:
    """The X217 request: pharmacy as requester and service provider, prescriber as referring
    provider (2010EA DN), the plan's place of service, period and service lines (with their
    JW/JZ/SS modifiers), one 2000F line per service. ``PlaceOfServiceUnknown`` when the
    plan has no place of service (a suite the payer's profile gives no code for)."""
    if plan.place_of_service is None:
        raise PlaceOfServiceUnknown(
            f"payer {referral.coverage.payer_id}: no place of service on file for an infusion "
            "suite (payer_profiles.json ais_place_of_service); ask the payer"
        )
    subscriber, dependent = members(referral)
    p = referral.prescriber
    prescriber = x278.Party(
        p.last_name,
        p.npi,
        "XX",
        first_name=p.first_name,
        is_person=True,
        phone=p.phone,
        fax=p.fax or "",
    )
    return x278.ReviewRequest(
        trace_number=trace_number,
        umo=umo_party(referral),
        requester=requester_party(pharmacy),
        subscriber=subscriber,
        dependent=dependent,
        diagnoses=hi_diagnoses(referral),
        services=tuple(
            x278.ServiceLine(s.code, s.units, modifiers=s.modifiers) for s in plan.lines
        ),
        event_start=plan.start,
        event_end=plan.end,
        service_type=HOME_HEALTH_SERVICE_TYPE,
        place_of_service=plan.place_of_service,
        delivery=delivery(plan),
        providers=(("DN", prescriber), ("SJ", x278.Party(pharmacy.name, pharmacy.npi, "XX"))),
        attachment_control_number=attachment_control_number,
        attachments=attachments,
        certification_type=certification_type,
        review_number=review_number,
    )


def status_inquiry(
    referral: Referral,
    pharmacy: Pharmacy,
    *,
    trace_number: str,
    original_trace: str,
    event_start: date,
    event_end: date | None = None,
    review_number: str = "",
    certification_number: str = "",
) -> x278.StatusInquiry:
    """The X215 inquiry the poller sends about the request traced ``original_trace``."""
    subscriber, dependent = members(referral)
    return x278.StatusInquiry(
        trace_number=trace_number,
        original_trace=original_trace,
        umo=umo_party(referral),
        requester=requester_party(pharmacy),
        subscriber=subscriber,
        dependent=dependent,
        event_start=event_start,
        event_end=event_end,
        review_number=review_number,
        certification_number=certification_number,
    )
