"""The stored authorization sections are typed models that read the items stored before them.

``ReferralRecord.prior_auth`` (the authorization headline) and ``AuthorizationRecord.decision``
(the payer's answer) were dictionaries; items already in the table keep those keys, so the
models must read them back unchanged, and what they write must keep the same keys.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from intake.authorization.answers import kept
from intake.models.authorization import (
    AuthorizationDecision,
    PriorAuthSummary,
    certified_period,
)
from intake.x12.t278 import AuthDecision
from intake.x12.t278.decision import LineDecision

OLD_HEADLINE: dict[str, Any] = {
    "gate": "waiting",
    "required": True,
    "status": "records_requested",
    "evidence": {
        "drug_class": "ivig",
        "criteria_version": "2026-10",
        "items": [
            {"id": "igg_levels", "label": "IgG levels", "status": "missing", "where": ""},
            {"id": "diagnosis", "label": "Diagnosis", "status": "met", "where": "referral"},
        ],
    },
    "records_request": "s3://docs/prior-auth/r1/records-request-1.pdf",
    "records_task_id": "r1.records_from_clinic.1",
    "records_for_auth": None,
    "evidence_waiver": {
        "items": ["tb_screening"],
        "reason": "the clinic has no result on file",
        "by": "liaison@local",
        "at": "2026-12-06T10:00:00+00:00",
    },
    "signature": {
        "status": "signed",
        "document": "s3://docs/signed.pdf",
        "reason": None,
        "by": "liaison@local",
        "at": "2026-12-06T11:00:00+00:00",
    },
    "certification_number": "CERT1",
    "effective_from": "2026-12-10",
    "effective_to": "2027-06-09",
    "requested_from": "2026-12-10",
    "requested_to": "2027-06-01",
    "packet": {"pdf": "s3://docs/packet.pdf", "x12": "s3://docs/request.278"},
    "plan_changed_at": "2026-12-20T08:00:00+00:00",
}


def test_a_headline_stored_as_a_dictionary_reads_back_typed_with_its_keys() -> None:
    """Referrals stored before the model keep their headline: every value readable by name,
    and written back with the same keys (unset values left out, as the dictionary had them)."""
    # Given a headline as the service stored it while it was a dictionary
    # When it is read into the model
    summary = PriorAuthSummary.model_validate(OLD_HEADLINE)
    # Then its values are typed and the waiver and signature read as before
    assert summary.gate == "waiting" and summary.required is True
    assert summary.waived() == {"tb_screening"}
    assert summary.signature is not None and summary.signature.document == "s3://docs/signed.pdf"
    assert summary.evidence is not None and summary.evidence.items[0].id == "igg_levels"
    assert summary.effective_to == date(2027, 6, 9)
    assert summary.plan_changed_at == datetime(2026, 12, 20, 8, tzinfo=UTC)
    # And written back it keeps the stored keys (the cleared one stays cleared)
    stored = summary.stored()
    assert set(stored) == {k for k, v in OLD_HEADLINE.items() if v is not None}
    assert stored["evidence_waiver"]["items"] == ["tb_screening"]  # type: ignore[index]
    assert PriorAuthSummary.model_validate(stored) == summary


def test_a_decision_stored_from_a_278_answer_reads_back_with_its_lines() -> None:
    """The payer's answer is kept with every field the 278 reader gives (units as decimals),
    so the pre-dose checks count the approved units and the poller quotes the review number."""
    # Given a modified certification for fewer units than asked, as the 278 reader gives it
    answer = AuthDecision(
        status="modified",
        certification_number="CERT9",
        effective_from=date(2026, 12, 10),
        effective_to=date(2027, 3, 9),
        partial=True,
        lines=(
            LineDecision(
                procedure_code="J1569",
                status="modified",
                requested_units=Decimal(170),
                approved_units=Decimal(120),
            ),
        ),
    )
    # When it is kept and stored as JSON, then read back
    stored = kept(answer).stored()
    decision = AuthorizationDecision.model_validate(stored)
    # Then it has the same keys as the answer and its line's units are numbers again
    assert set(stored) == set(answer.model_dump(mode="json"))
    assert decision.lines[0].approved_units == Decimal(120)
    assert decision.certification_number == "CERT9" and decision.status == "modified"


def test_a_liaison_reported_decision_without_status_or_dates_reads_the_requested_period() -> None:
    """A certification a liaison reported may lack the payer's status and dates: it still reads,
    and its period is the one the request asked for (one rule for the gate and the dose checks)."""
    # Given a stored decision with only a number and a line without a status
    decision = AuthorizationDecision.model_validate(
        {"certification_number": "PHONE1", "lines": [{"procedure_code": "J1569"}]}
    )
    # When its certified period is read against the request's dates
    period = certified_period(decision, date(2026, 12, 10), date(2027, 1, 10))
    # Then it is the requested period, and no decision and no dates gives none
    assert period == (date(2026, 12, 10), date(2027, 1, 10))
    assert certified_period(None, None, date(2027, 1, 10)) is None
