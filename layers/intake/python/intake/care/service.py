"""The pharmacist's assessment as a service: the call's plan (in the patient's language, with
its script), each submission stored as a new version with its decisions, and what it changes
once the call is done: a conflict stops for a pharmacist (``clinical_review``); otherwise the
site of care it decided and the findings the authorization packet needs are written on the
referral (where the authorization reads them).

Timeline events (ids, versions and outcomes only, no patient values): ``assessment_recorded``,
``site_of_care_changed``, ``clinical_review_queued``, ``clinical_review_proceed`` and, when a
pharmacist stops the referral, ``clinical_stop`` (the clinic is told)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from typing import Any

from intake.care.decide import decide
from intake.care.model import AssessmentRecord, Decisions, Submission
from intake.care.ports import AssessmentStore
from intake.core.clock import utcnow
from intake.core.errors import Conflict, InvalidRequest, NotFound
from intake.core.observability import logger
from intake.models.ports import ReferralStore
from intake.models.records import (
    CallOutcome,
    ClinicalReviewOutcome,
    ReferralRecord,
    TaskRecord,
    TaskStatus,
    TaskType,
)
from intake.models.referral import ClinicalFact, ClinicalFactKind, Language, Referral, SiteOfCare
from intake.tasks.service import Completion, TaskPlan, TaskService

ASSESSMENT_SOURCE = "pharmacist assessment v{version}"


@functools.cache
def _scripts() -> dict[str, dict[str, str]]:
    raw = json.loads(
        resources.files("intake.data").joinpath("call_scripts.json").read_text("utf-8")
    )
    scripts: dict[str, dict[str, str]] = raw["pharmacist_assessment"]
    return scripts


def call_script(language: Language, drug: str) -> str:
    """The assessment call's script in ``language`` (data: call_scripts.json)."""
    lines = _scripts()[language.value]
    return "\n".join(line.format(drug=drug) for line in lines.values()) + "\n"


@dataclass
class Assessments:
    store: ReferralStore
    versions_store: AssessmentStore
    tasks: TaskService
    assessment_sla: timedelta = timedelta(hours=24)
    review_sla: timedelta = timedelta(hours=4)
    clock: Callable[[], datetime] = utcnow

    # ------------------------------------------------------------------ the call
    def plan(self, referral_id: str) -> dict[str, Any]:
        """The assessment call's plan: due time, the script in the patient's language, and
        what the referral does not say (to ask first)."""
        referral = self._referral(referral_id)
        now = self.clock()
        language = referral.patient.preferred_language
        ask = []
        if referral.patient.weight_kg is None:
            ask.append("weight (and when measured)")
        if referral.patient.height_cm is None:
            ask.append("height")
        details = {
            "language": language.value,
            "call_script": {
                "language": language.value,
                "text": call_script(language, referral.therapy.drug_name),
            },
            "drug": referral.therapy.drug_name,
            "ask": ask,
        }
        plan = TaskPlan.due_in(TaskType.PHARMACIST_ASSESSMENT, self.assessment_sla, now, details)
        return plan.model_dump(mode="json")

    def submit(self, task_id: str, submission: Submission) -> AssessmentRecord:
        """Store the assessment as the referral's next version, with its decisions; the call
        task (open or claimed) is completed as reached. A submission after the call was
        completed is a new version only (the workflow reads the latest when it goes on)."""
        task = self.tasks.get(task_id)
        if task.task_type is not TaskType.PHARMACIST_ASSESSMENT:
            raise InvalidRequest(f"task {task_id} is not a pharmacist_assessment task")
        if task.status is TaskStatus.CANCELLED:
            raise Conflict(f"task {task_id} is cancelled")
        if task.status is TaskStatus.CLAIMED and task.claimed_by != submission.pharmacist:
            raise Conflict(f"task {task_id} is claimed by another pharmacist")
        if task.status in (TaskStatus.OPEN, TaskStatus.CLAIMED):
            # Refused before anything is stored: a call whose next attempt is not yet due, or
            # that waits for the clinic's number, records no version.
            self.tasks._check_attempt_allowed(task)
        referral = self._referral(task.referral_id)
        decisions = decide(referral, submission.assessment, on=self.clock().date())
        record = self.versions_store.put_assessment(
            AssessmentRecord(
                referral_id=task.referral_id,
                version=1,
                task_id=task_id,
                recorded_at=self.clock(),
                recorded_by=submission.pharmacist,
                intake=submission.assessment,
                decisions=decisions,
                note=submission.note,
            )
        )
        self.store.record(
            task.referral_id,
            "assessment_recorded",
            at=self.clock(),
            actor=submission.pharmacist,
            version=record.version,
            task_id=task_id,
            conflicts=len(decisions.conflicts),
            site=decisions.site.site,
            confidence=decisions.confidence,
        )
        logger.info(
            "assessment recorded",
            extra={"task_id": task_id, "version": record.version, "stop": decisions.stop},
        )
        if task.status in (TaskStatus.OPEN, TaskStatus.CLAIMED):
            self.tasks.complete(
                task_id,
                Completion(
                    outcome=CallOutcome.REACHED.value,
                    note=submission.note,
                    liaison=submission.pharmacist,
                ),
            )
        return record

    def versions(self, referral_id: str) -> list[AssessmentRecord]:
        return self.versions_store.assessments(referral_id)

    def latest(self, referral_id: str) -> AssessmentRecord | None:
        versions = self.versions(referral_id)
        return versions[-1] if versions else None

    # ------------------------------------------------------------------ the workflow's steps
    def after_call(self, referral_id: str, outcome: str | None) -> dict[str, Any]:
        """The call is done. Not reached (declined, unreachable): nothing to apply (the
        intake checks close the referral). Reached: a conflict queues a clinical review;
        otherwise the decisions are applied."""
        if outcome != CallOutcome.REACHED.value:
            return {"next": "done", "reason": f"call {outcome}"}
        record = self.latest(referral_id)
        if record is None:  # completed as reached without a submission (the hook refuses it)
            raise NotFound(f"referral {referral_id} has no recorded assessment")
        if record.decisions.stop:
            # The plan travels in the execution and the queue: rule ids and label text only; what
            # the patient said stays in the stored assessment (the referral page shows it).
            plan = TaskPlan.due_in(
                TaskType.CLINICAL_REVIEW,
                self.review_sla,
                self.clock(),
                {
                    "assessment_version": record.version,
                    "conflicts": [
                        {
                            "rule": c.rule,
                            "kind": c.kind,
                            "why": c.why,
                            "source": _source_words(c.source.title, c.source.section),
                        }
                        for c in record.decisions.conflicts
                    ],
                    "ask": "proceed (say in the note how the conflict is managed and why) or "
                    "stop (the referral closes and the clinic is told)",
                },
            )
            self.store.record(
                referral_id,
                "clinical_review_queued",
                at=self.clock(),
                version=record.version,
                rules=[c.rule for c in record.decisions.conflicts],
            )
            return {"next": "review", "task": plan.model_dump(mode="json")}
        self.apply(referral_id, record)
        return {"next": "done", "site": record.decisions.site.site}

    def after_review(self, referral_id: str, outcome: str | None, by: str | None) -> dict[str, Any]:
        """The pharmacist's decision on a conflict. Stop: ``clinical_stop`` is recorded (the
        clinic is told; the intake checks close the referral as ``closed_clinical``).
        Proceed: the assessment's decisions are applied as for one without a conflict."""
        record = self.latest(referral_id)
        stop = outcome == ClinicalReviewOutcome.STOP.value
        self.store.record(
            referral_id,
            "clinical_stop" if stop else "clinical_review_proceed",
            at=self.clock(),
            actor=by or "system",
            version=record.version if record else None,
            **({"clinic_told": True} if stop else {}),
        )
        if stop:
            return {"next": "stop"}
        if record is not None:
            self.apply(referral_id, record)
        return {"next": "done"}

    def apply(self, referral_id: str, record: AssessmentRecord) -> None:
        """The site of care the assessment decided, and the findings the packet needs (prior
        infusions, vascular access), written on the referral: the authorization reads the
        referral, so it requests this site and argues from these facts. Idempotent: facts of
        this version are replaced, not added twice."""
        referral = self._referral(referral_id)
        source = ASSESSMENT_SOURCE.format(version=record.version)
        facts = [
            f for f in referral.clinical_facts if not f.source.startswith("pharmacist assessment")
        ]
        facts.extend(findings(record, source))
        therapy = referral.therapy
        site = SiteOfCare(record.decisions.site.site)
        moved = site is not therapy.site_of_care
        updated = referral.model_copy(
            update={
                "therapy": therapy.model_copy(update={"site_of_care": site}),
                "clinical_facts": facts,
            }
        )
        self.store.update_referral(
            referral_id, referral=updated.model_dump(mode="json"), updated_at=self.clock()
        )
        if moved:
            self.store.record(
                referral_id,
                "site_of_care_changed",
                at=self.clock(),
                version=record.version,
                to=site.value,
                reasons=[r for r in record.decisions.site.sources],
            )

    # ------------------------------------------------------------------ helpers
    def _referral(self, referral_id: str) -> Referral:
        record: ReferralRecord | None = self.store.get_referral(referral_id)
        if record is None or record.referral is None:
            raise NotFound(f"referral {referral_id} has no readable referral")
        return record.referral


def findings(record: AssessmentRecord, source: str) -> list[ClinicalFact]:
    """What the packet needs from the assessment, as clinical facts naming their source."""
    intake = record.intake
    out = []
    for p in intake.prior_infusions or []:
        reaction = p.reaction or (p.reaction_severity.value if p.reaction_severity else None)
        out.append(
            ClinicalFact(
                kind=ClinicalFactKind.MEDICATION,
                display=p.drug[:120],
                status="prior infusion",
                value=f"reaction: {reaction}" if reaction else "no reaction reported",
                ended=p.last_given,
                source=source,
            )
        )
    access = intake.access
    if access.kind.value not in ("unknown",):
        parts = (
            f"placed by {access.placed_by}" if access.placed_by else None,
            f"on {access.placed_on.isoformat()}" if access.placed_on else None,
        )
        placed = ", ".join(x for x in parts if x)
        out.append(
            ClinicalFact(
                kind=ClinicalFactKind.PROCEDURE,
                display=f"vascular access: {access.kind.value}",
                value=placed or None,
                effective=access.placed_on,
                source=source,
            )
        )
    site = record.decisions.site
    if site.changed:
        out.append(
            ClinicalFact(
                kind=ClinicalFactKind.OBSERVATION,
                display="site of care: ambulatory infusion suite",
                value="; ".join(site.reasons)[:2000],
                source=source,
            )
        )
    return out


def _source_words(title: str, section: str | None) -> str:
    return f"{title}, {section}" if section else title


@dataclass
class AssessmentRequired:
    """Completion hook: a pharmacist_assessment call marked reached must have its assessment
    recorded (``POST /tasks/{id}/assessment`` records and completes in one go)."""

    versions_store: AssessmentStore

    def __call__(self, task: TaskRecord, completion: Completion) -> Callable[[], None] | None:
        if completion.outcome == CallOutcome.REACHED.value and not any(
            v.task_id == task.task_id for v in self.versions_store.assessments(task.referral_id)
        ):
            raise InvalidRequest(
                "record the assessment first: POST /tasks/{id}/assessment (it completes the call)"
            )
        return None


def review_needs_reason(task: TaskRecord, completion: Completion) -> Callable[[], None] | None:
    """Completion hook: a pharmacist proceeding past a conflict says why (the note)."""
    if (
        completion.outcome == ClinicalReviewOutcome.PROCEED.value
        and not (completion.note or "").strip()
    ):
        raise InvalidRequest("proceeding past a clinical conflict needs the reason in the note")
    return None


__all__ = ["AssessmentRequired", "Assessments", "Decisions", "review_needs_reason"]
