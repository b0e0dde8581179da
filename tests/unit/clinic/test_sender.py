"""The clinic status sender with fakes: channels, the PHI minimum on the fax, what a failed send
leaves for a person, and the FHIR Task a clinic polls (validated with fhir.resources)."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.task import Task
from pypdf import PdfReader

from intake.authorization.packet.models import Pharmacy
from intake.clinic.copy import ClinicCopy, initials
from intake.clinic.fax import render_status_fax, render_visit_note
from intake.clinic.fhir import communications, task_resource
from intake.clinic.milestones import status_for
from intake.clinic.model import ClinicStatusRecord, ClinicStatusState
from intake.clinic.sender import MAX_ATTEMPTS, ClinicSender
from intake.models.records import ReferralRecord, ReferralStatus, SourceDocument, TaskType
from intake.models.referral import Referral
from tests.conftest import EVENTS

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
REF = "ref-0123456789abcdef0123"
PHARMACY = Pharmacy(
    name="Lakeside Home Infusion", npi="1609876549", phone="3125550199", fax="3125550198"
)
SAMPLE = "03-auth-required-chinese.json"


def sample(name: str = SAMPLE) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EVENTS / "referrals" / name).read_text("utf-8"))
    return data


def record(data: dict[str, Any] | None = None, fmt: str = "json") -> ReferralRecord:
    return ReferralRecord(
        referral_id=REF,
        status=ReferralStatus.IN_PROGRESS,
        stage="workflow",
        referral=Referral.model_validate(data or sample()),
        source=SourceDocument(
            bucket="b", key="referrals/lakeshore-gi/x.json", size=1, sha256="0" * 64, format=fmt
        ),
        uploaded_at=NOW,
        created_at=NOW,
        updated_at=NOW,
    )


def status(event: str = "prior_auth_certified", **detail: Any) -> ClinicStatusRecord:
    made = status_for(REF, event, NOW, detail or {"auth_id": "T1"})
    assert made is not None
    return made


def text_of(pdf: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


class _Port:
    """The statuses port over a dictionary (what the table keeps), pending in given order."""

    def __init__(self, pending: list[ClinicStatusRecord]) -> None:
        self.order = [s.key for s in pending]
        self.stored = {s.key: s for s in pending}

    def pending(self, limit: int = 100) -> list[ClinicStatusRecord]:
        found = [self.stored[k] for k in self.order]
        return [s for s in found if s.state is ClinicStatusState.PENDING][:limit]

    def of(self, referral_id: str) -> list[ClinicStatusRecord]:
        return list(self.stored.values())

    def update(self, s: ClinicStatusRecord, fields: dict[str, Any]) -> ClinicStatusRecord | None:
        if self.stored[s.key].state is not ClinicStatusState.PENDING:  # the table's condition
            return None
        self.stored[s.key] = s.model_copy(update=fields)
        return self.stored[s.key]

    def referral_for(self, clinic: str, reference: str) -> str | None:
        return None


@dataclass
class Fakes:
    """The sender's other ports: the referral, documents, the fax provider, visits, tasks."""

    record: ReferralRecord | None
    pending: list[ClinicStatusRecord]
    visit: dict[str, Any] | None = None
    fail_fax: bool = False
    faxes: list[tuple[str, str]] = field(default_factory=list)
    documents: dict[str, bytes] = field(default_factory=dict)
    tasks: list[dict[str, Any]] = field(default_factory=list)
    port: _Port = field(init=False)

    def __post_init__(self) -> None:
        self.port = _Port(self.pending)

    @property
    def stored(self) -> dict[str, ClinicStatusRecord]:
        return self.port.stored

    def get_referral(self, referral_id: str) -> ReferralRecord | None:
        return self.record

    def put(self, key: str, body: bytes, content_type: str) -> str:
        self.documents[key] = body
        return f"s3://docs/{key}"

    def send(self, to: str, document_uri: str, *, reference: str) -> str:
        if self.fail_fax:
            raise ConnectionError("fax provider down")
        self.faxes.append((to, document_uri))
        return "fax-1"

    def visit_of(self, referral_id: str, visit_id: str) -> dict[str, Any] | None:
        return self.visit

    def open_review_task(self, referral_id: str, task_type: TaskType, due_at: datetime,
                         details: dict[str, Any], round_: int = 1) -> Any:  # fmt: skip
        self.tasks.append({"task_type": task_type, "round": round_, **details})


class _Visits:
    def __init__(self, fakes: Fakes) -> None:
        self.fakes = fakes

    def visit(self, referral_id: str, visit_id: str) -> dict[str, Any] | None:
        return self.fakes.visit


def run(fakes: Fakes) -> dict[str, int]:
    """One scheduled run of the sender over the fakes."""
    store: Any = fakes
    return ClinicSender(
        statuses=fakes.port,
        store=store,
        documents=fakes,
        fax=fakes,
        visits=_Visits(fakes),
        tasks=fakes,
        render_status=lambda s, c, now: render_status_fax(s, c, PHARMACY, now),
        render_note=lambda v, c, s: render_visit_note(v, c, s, PHARMACY),
        clock=lambda: NOW,
    ).run()


def test_the_status_fax_carries_the_reference_initials_and_milestone_and_no_other_phi() -> None:
    """Given sample 03 (Noah Chen, reference and fax from the clinic) and its certification
    When its status fax is drawn and read back with pypdf
    Then it names the clinic's reference, the initials, the milestone, the date and the wording,
    and none of: last name, first name, birth date, member id, drug, diagnosis, phone."""
    data = sample()
    copy = ClinicCopy.of(record(data))
    pdf = render_status_fax(status(auth_id="T1", certification="AUTH-9"), copy, PHARMACY, NOW)
    text = text_of(pdf)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    assert data["clinic_reference"] in text and copy.patient_initials in text
    assert "Authorization decided" in text and "2026-12-02" in text and "AUTH-9" in text
    p = data["patient"]
    leaks = [p["last_name"], p["first_name"], p["date_of_birth"], p["phone"],
             p["address"]["line1"], data["insurance"]["member_id"],
             data["therapy"]["drug_name"], *data["diagnoses"]]  # fmt: skip
    for value in leaks:
        assert str(value) not in text, value


def test_initials_come_only_from_the_name_the_clinic_sent() -> None:
    """Worked examples: Sofía Nguyen → S.N.; 伟 陈 → 伟.陈.; no name sent → None (not a guess)."""
    assert initials("Sofía", "Nguyen") == "S.N."
    assert initials("伟", "陈") == "伟.陈."
    assert initials(None, " ") is None


def test_a_faxing_clinic_gets_the_pdf_by_fax_once_and_a_fhir_clinic_polls_its_task() -> None:
    """Given one pending status for a JSON (faxing) clinic and one for a FHIR clinic
    When the sender runs twice
    Then the first is faxed to the clinic's number from a stored PDF, the second is posted
    (no fax), and the second run sends nothing."""
    faxing = Fakes(record(), [status()])
    assert run(faxing) == {"sent": 1}
    clinic_fax = sample()["referring_clinic"]["fax"].replace("-", "")
    key = "authorization_decided.prior_auth_certified.T1"
    assert faxing.faxes == [(clinic_fax, f"s3://docs/clinic/{REF}/{key}.pdf")]
    assert run(faxing) == {}
    fhir = Fakes(record(fmt="fhir"), [status()])
    assert run(fhir) == {"posted": 1} and fhir.faxes == [] and fhir.documents == {}


def test_no_fax_number_is_recorded_as_not_sent_with_why() -> None:
    """Given a referral whose clinic sent no fax number (and not FHIR)
    When the sender runs
    Then the status is ``not_sent`` naming why: unknown is an answer, no number is guessed."""
    data = sample()
    data["referring_clinic"].pop("fax", None)
    fakes = Fakes(record(data), [status()])
    assert run(fakes) == {"not_sent": 1}
    stored = next(iter(fakes.stored.values()))
    assert stored.state is ClinicStatusState.NOT_SENT and "no clinic fax" in (stored.reason or "")


def test_a_send_that_keeps_failing_ends_failed_with_a_task_for_a_person() -> None:
    """Given the fax provider down
    When the sender runs MAX_ATTEMPTS times (5: every 5 minutes, about 25 minutes)
    Then the first four leave it pending with its attempts counted, the fifth marks it failed
    and opens a ``clinic_status_unsent`` task naming the status: never a silent drop."""
    fakes = Fakes(record(), [status()], fail_fax=True)
    for attempt in range(1, MAX_ATTEMPTS):
        assert run(fakes) == {"retry": 1}
        assert next(iter(fakes.stored.values())).attempts == attempt
    assert run(fakes) == {"failed": 1}
    [task] = fakes.tasks
    assert task["task_type"] is TaskType.CLINIC_STATUS_UNSENT and task["round"] == 1
    assert task["status_key"] == "authorization_decided.prior_auth_certified.T1"
    assert task["error_type"] == "ConnectionError"
    assert run(fakes) == {}


def test_the_visit_note_renders_whatever_fields_the_visit_record_holds() -> None:
    """Given a documented visit whose record holds vitals, a lot and a reaction (nested)
    When the sender runs
    Then the prescriber's fax gets the note with those fields; without a record the status is
    still sent and the note is ``not_sent`` with why."""
    visit = {"visit_id": "v1", "vitals": {"bp": "118/76", "pulse": 72}, "lot": "LOT-42",
             "reactions": [{"what": "flushing", "action": "rate slowed"}]}  # fmt: skip
    done = status("visit_documented", visit_id="v1")
    fakes = Fakes(record(), [done], visit=visit)
    assert run(fakes) == {"sent": 1}
    stored = fakes.stored[done.key]
    assert stored.note_state == "sent" and stored.note_document is not None
    note = text_of(fakes.documents[stored.note_document.removeprefix("s3://docs/")])
    for value in ("118/76", "72", "LOT-42", "flushing", "rate slowed"):
        assert value in note
    missing = Fakes(record(), [done], visit=None)
    assert run(missing) == {"sent": 1}
    assert missing.stored[done.key].note_state == "not_sent"
    assert missing.stored[done.key].note_reason == "no visit record for this visit"


@pytest.mark.parametrize(
    ("events", "task_status"),
    [
        (["validated"], "received"),
        (["validated", "prior_auth_submitted"], "in-progress"),
        (["validated", "course_held"], "on-hold"),
        (["validated", "workflow_closed_declined"], "cancelled"),
        (["validated", "course_ended"], "completed"),
    ],
)
def test_the_fhir_task_and_communications_validate_as_r4(
    events: list[str], task_status: str
) -> None:
    """Given a FHIR clinic's statuses
    When its Task and Communications are built
    Then both validate with fhir.resources (R4B models: Task and Communication are the same as
    R4's) and the Task's status is the latest milestone's TaskStatus code."""
    statuses = [s for e in events if (s := status_for(REF, e, NOW, {"auth_id": "T1"}))]
    task = task_resource(REF, "lakeshore-gi", "LSC-1", statuses)
    parsed = Task.model_validate(task)
    assert parsed.status == task_status and parsed.intent == "order"
    assert parsed.businessStatus.coding[0].code == statuses[-1].milestone
    bundle = Bundle.model_validate(communications(REF, statuses))
    assert len(bundle.entry) == len(events)
    assert bundle.entry[0].resource.get_resource_type() == "Communication"


def test_a_status_another_run_delivered_meanwhile_is_left_as_it_is() -> None:
    """Given a pending status read by this run, then delivered by another (the table's
    condition: only a pending status changes)
    When this run finishes it
    Then it reports ``already_delivered`` and changes nothing (no second state, no task)."""
    fakes = Fakes(record(), [status()])
    key = "authorization_decided.prior_auth_certified.T1"
    stale = fakes.stored[key]
    fakes.stored[key] = stale.model_copy(update={"state": ClinicStatusState.SENT})
    sender_statuses = fakes.port
    sender_statuses.pending = lambda limit=100: [stale]  # type: ignore[method-assign]
    assert run(fakes) == {"already_delivered": 1}
    assert fakes.stored[key].state is ClinicStatusState.SENT and fakes.tasks == []


def test_a_referral_held_for_review_is_told_from_its_draft_and_unknowns_stay_unknown() -> None:
    """Given a referral held for review (no validated referral; the draft holds what was read:
    the clinic's name and fax, a first name only) uploaded under ``referrals/northside/``
    When its clinic copy is taken
    Then the fax and reference come from the draft, the initials from the one name sent, and
    the prescriber's fax, not read, is None (not guessed)."""
    held = record().model_copy(
        update={
            "referral": None,
            "draft": {
                "clinic_reference": "NS-77",
                "referring_clinic": {"name": "Northside Clinic", "fax": "7735550100"},
                "patient": {"first_name": "Ana"},
            },
            "source": SourceDocument(
                bucket="b", key="referrals/northside/f.pdf", size=1, sha256="0" * 64, format="pdf"
            ),
        }
    )
    copy = ClinicCopy.of(held)
    assert (copy.clinic, copy.clinic_fax, copy.reference) == ("northside", "7735550100", "NS-77")
    assert copy.patient_initials == "A." and copy.prescriber_fax is None and not copy.fhir
