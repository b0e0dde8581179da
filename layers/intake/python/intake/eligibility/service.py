"""The benefits check: a 270 from the referral, the clearinghouse's 271, and what it means.

The outcome decides the next step of the workflow: ``verified`` goes on; ``verify_insurance``
(the payer could not find or match the member: AAA 72/73/75 and friends, or a name/DOB
mismatch) and ``coverage_inactive`` become liaison tasks whose completion, with corrected
details, runs the check again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from intake.clearinghouse import (
    ClearinghouseError,
    ClearinghouseGateway,
    ClearinghouseUnavailable,
)
from intake.core.clock import utcnow
from intake.core.errors import Conflict, NotFound
from intake.core.ids import task_id_for
from intake.core.observability import logger, metrics
from intake.discovery.rules import member_not_found
from intake.eligibility.benefits.coordination import decide_order
from intake.eligibility.benefits.interpret import interpret_271
from intake.eligibility.benefits.parts import describe, reported_rule
from intake.models.benefits import (
    BenefitsSummary,
    Coordination,
    CoverageStatus,
    ExpectedPatient,
    SecondaryBenefits,
    StoredBenefits,
)
from intake.models.billing import Component
from intake.models.discovery import DiscoveryReason, DiscoveryRecord, DiscoveryState
from intake.models.draft import merge_fields
from intake.models.ports import ReferralStore
from intake.models.problems import explain
from intake.models.records import (
    CoverageConfirmation,
    ReferralRecord,
    TaskRecord,
    TaskStatus,
    TaskType,
)
from intake.models.referral import Insurance, Referral, Relationship
from intake.models.task_details import (
    ConfirmCoverageDetails,
    CoverageNotFoundDetails,
    DiscoveryTried,
    WelcomeCallDetails,
)
from intake.reference.payer_profiles import payer_setting
from intake.tasks.service import TaskPlan
from intake.x12.errors import X12Error
from intake.x12.t270 import DependentInfo, EligibilityInquiry, SubscriberInfo, build_270
from intake.x12.t271.parse import parse_271

if TYPE_CHECKING:
    from intake.discovery.service import CoverageDiscovery

# AAA reject reasons that mean "we could not identify this member": a person can fix these
# by checking the card with the patient or clinic (X12 901 codes).
MEMBER_IDENTITY_CODES = {
    "15",
    "43",
    "56",
    "57",
    "58",
    "60",
    "61",
    "62",
    "63",
    "64",
    "65",
    "66",
    "67",
    "68",
    "71",
    "72",
    "73",
    "74",
    "75",
    "76",
    "77",
}
VERIFY_TASK_SLA = timedelta(hours=24)
CONFIRM_COVERAGE_SLA = timedelta(hours=24)


STOP_WORDS = {
    "fix_request": "the payer says the request must be corrected",
    "ambiguous": "more than one person matches: more details are needed",
    "unknown": "an answer discovery has no rule for",
}
"""Answers that stopped the search, as the task says them."""


class WorkflowDataMissing(RuntimeError):
    """A step found the record without what an earlier step should have written."""


class PayerUnavailable(Exception):
    """The payer could not answer after the gateway's retries; the workflow retries later."""


class BenefitsOutcome(BaseModel):
    """What the benefits step hands the workflow (the state machine's ``$.benefits``)."""

    outcome: (
        str  # verified | verify_insurance | coverage_inactive | coverage_found | coverage_not_found
    )
    status: str
    round: int
    next_round: int
    reasons: list[str]
    auth_required: bool | None
    payer_echo: dict[str, Any] | None = None
    task: TaskPlan | None = None

    @classmethod
    def needing(
        cls,
        task_type: TaskType | None,
        *,
        outcome: str,
        status: str,
        round_: int,
        reasons: list[str],
        auth_required: bool | None,
        now: datetime,
        payer_echo: dict[str, Any] | None = None,
    ) -> BenefitsOutcome:
        task = None
        if task_type is not None:
            details = {"reasons": reasons, "coverage_status": status, "payer_echo": payer_echo}
            task = TaskPlan.due_in(task_type, VERIFY_TASK_SLA, now, details, round_)
        return cls(
            outcome=outcome,
            status=status,
            round=round_,
            next_round=round_ + 1,
            reasons=reasons,
            auth_required=auth_required,
            payer_echo=payer_echo,
            task=task,
        )


def payer_says_retry(x12_271: str) -> bool:
    """AAA 42 (unable to respond at current time) at the payer or receiver level."""
    try:
        read = parse_271(x12_271)
    except Exception:  # a malformed reply is not a reason to retry; the caller will say why
        return False
    return any(
        r.code == "42"
        for response in read.responses
        for source in response.sources
        for r in (*source.rejections, *(x for rec in source.receivers for x in rec.rejections))
    )


def service_types_for(payer_id: str) -> tuple[str, ...]:
    return tuple(payer_setting(payer_id, "service_types"))


def inquiry_for(
    referral: Referral,
    provider_name: str,
    provider_npi: str,
    trace: str,
    service_date: datetime,
    insurance: Insurance | None = None,
) -> EligibilityInquiry:
    """The 270 question for a referral: the subscriber, and the patient as dependent if not self.
    ``insurance`` asks about another coverage of the patient (the secondary)."""
    ins, patient = insurance or referral.coverage, referral.patient
    if ins.relationship is Relationship.SELF:
        subscriber = SubscriberInfo(
            first_name=patient.first_name,
            last_name=patient.last_name,
            dob=patient.date_of_birth,
            sex=patient.sex,
            member_id=ins.member_id,
            group_number=ins.group_number,
        )
        dependent = None
    else:
        assert ins.subscriber is not None
        subscriber = SubscriberInfo(
            first_name=ins.subscriber.first_name,
            last_name=ins.subscriber.last_name,
            dob=ins.subscriber.date_of_birth or patient.date_of_birth,
            member_id=ins.subscriber.member_id or ins.member_id,
            group_number=ins.group_number,
        )
        dependent = DependentInfo(
            first_name=patient.first_name,
            last_name=patient.last_name,
            dob=patient.date_of_birth,
            sex=patient.sex,
            relationship=ins.relationship,
        )
    return EligibilityInquiry(
        payer_name=ins.payer_name,
        payer_id=ins.payer_id,
        provider_name=provider_name,
        provider_npi=provider_npi,
        subscriber=subscriber,
        dependent=dependent,
        service_date=service_date.date(),
        service_types=service_types_for(ins.payer_id),
        trace_number=trace,
    )


def _patient_summary(summaries: list[BenefitsSummary], dependent: bool) -> BenefitsSummary:
    """The summary that is about our patient (the dependent's, when we asked about one)."""
    wanted = [s for s in summaries if s.is_dependent == dependent]
    return (wanted or summaries)[0]


def headline(summary: BenefitsSummary) -> str:
    """One line a liaison reads first: the cost share per part is the one the estimate
    charges (``intake.eligibility.benefits.parts``), so the two never disagree."""
    if summary.status is not CoverageStatus.ACTIVE:
        reasons = "; ".join(r.description or r.code for r in summary.rejections)
        return f"{summary.status.value}{': ' + reasons if reasons else ''}"
    parts = [summary.plan.description or summary.plan.insurance_type_description or "plan active"]
    ded = summary.summary.deductible.in_network.individual
    if ded.total is not None:
        parts.append(
            f"deductible ${ded.total} (${ded.remaining if ded.remaining is not None else '?'} left)"
        )
    shares = []
    for component in Component:
        rule = reported_rule(summary, component, True)
        if rule is None:
            continue
        words = describe(rule.coinsurance, rule.copay) if not rule.not_covered else "not covered"
        shares.append(f"{component.value.replace('_', ' ')} {words}")
    parts.extend(shares)
    if summary.auth_required:
        parts.append("prior auth required")
    return ", ".join(parts)


@dataclass
class BenefitsCheck:
    store: ReferralStore
    gateway: ClearinghouseGateway
    provider_name: str
    provider_npi: str
    clock: Callable[[], datetime] = utcnow
    # Insurance discovery (intake.discovery): None leaves a referral without coverage, or one
    # whose payer cannot find the member, to a person as before.
    discovery: CoverageDiscovery | None = None

    def corrections_of(self, referral_id: str, task_id: str) -> dict[str, Any] | None:
        """The corrections a person gave on one of this referral's tasks.

        The workflow passes the task's id, not the values, so corrections never sit in
        Step Functions' history (outside the data key)."""
        task = self.store.get_task(task_id)
        if task is None or task.referral_id != referral_id:
            raise NotFound(f"task {task_id} is not a task of referral {referral_id}")
        return task.corrections

    def run(
        self,
        referral_id: str,
        round_: int = 1,
        corrections: dict[str, Any] | None = None,
        service_day: date | None = None,
        task_id: str | None = None,
    ) -> BenefitsOutcome:
        """Ask the payer (270) about today, or ``service_day`` (a pre-dose check asks about
        the dose's day: coverage ending or a new plan year before it shows in the answer)."""
        record = self.store.get_referral(referral_id)
        if record is None or record.referral is None:
            raise NotFound(f"referral {referral_id} does not exist or has no validated referral")
        referral = record.referral
        problems: list[str] = []
        now = self.clock()
        confirming = self._confirmation(referral_id, task_id)
        if confirming is not None and record.discovery is not None:
            if confirming.outcome == CoverageConfirmation.CONFIRMED.value:
                referral = self._use_found(record, referral, record.discovery)
            else:
                record = self._not_theirs(record, record.discovery, now)
                if not corrections:  # the search goes on from the next payer
                    return self._discover(record, referral, round_, now)
                # the patient named their coverage instead: checked as any card
                referral, problems = self._corrected(record, corrections)
        elif corrections:
            referral, problems = self._corrected(record, corrections)
        if referral.insurance is None:
            return self._discover(record, referral, round_, now)
        asked = datetime.combine(service_day, now.timetz()) if service_day else now
        inquiry = inquiry_for(
            referral, self.provider_name, self.provider_npi, f"{referral_id[4:16]}-{round_}", asked
        )
        try:
            reply = self.gateway.check_eligibility(build_270(inquiry), correlation_id=referral_id)
        except ClearinghouseUnavailable as exc:
            self.store.record(
                referral_id,
                "benefits_check_deferred",
                at=self.clock(),
                reason=exc.last_reason,
                attempts=exc.attempts,
            )
            raise PayerUnavailable(
                f"payer {inquiry.payer_id} unavailable ({exc.last_reason})"
            ) from exc
        expected = ExpectedPatient(
            first_name=referral.patient.first_name,
            last_name=referral.patient.last_name,
            dob=referral.patient.date_of_birth,
        )
        summaries = interpret_271(reply.x12, expected=expected, service_types=inquiry.service_types)
        summary = _patient_summary(summaries, inquiry.dependent is not None)
        outcome = self._outcome(summary, round_, problems, now)
        secondary, coordination = self._secondary(
            referral_id, referral, summary, round_, now, expected
        )
        self.store.update_referral(
            referral_id,
            benefits=StoredBenefits(
                answer=summary,
                outcome=outcome.outcome,
                headline=headline(summary),
                reasons=outcome.reasons,
                checked_at=now,
                round=round_,
                payload_id=reply.payload_id,
                attempts=reply.attempts,
                secondary=secondary,
                coordination=coordination,
            ),
            stage=f"benefits {outcome.outcome.replace('_', ' ')}",
            updated_at=now,
        )
        self.store.record(
            referral_id,
            "benefits_checked",
            at=self.clock(),
            outcome=outcome.outcome,
            status=summary.status.value,
            round=round_,
            attempts=reply.attempts,
        )
        metrics.add_metric(name=f"Benefits_{outcome.outcome}", unit="Count", value=1)
        logger.info(
            "benefits checked", extra={"referral_id": referral_id, "outcome": outcome.outcome}
        )
        if (
            outcome.outcome == "verify_insurance"
            and service_day is None  # intake's check; a pre-dose check never runs discovery
            and not problems
            and record.discovery is None
            and member_not_found(r.code for r in summary.rejections)
        ):
            # The card's payer has no such member: other payers may (discovery), never on a
            # request a person must fix first.
            return self._discover(
                record,
                referral,
                round_,
                now,
                exclude=frozenset({inquiry.payer_id}),
                card=outcome.reasons,
            )
        return outcome

    # ------------------------------------------------------------------ insurance discovery
    def _confirmation(self, referral_id: str, task_id: str | None) -> TaskRecord | None:
        """The completed ``confirm_coverage`` task this check runs after, if it does."""
        if task_id is None:
            return None
        task = self.store.get_task(task_id)
        if task is None or task.referral_id != referral_id:
            raise NotFound(f"task {task_id} is not a task of referral {referral_id}")
        return task if task.task_type is TaskType.CONFIRM_COVERAGE else None

    def _use_found(
        self, record: ReferralRecord, referral: Referral, discovery: DiscoveryRecord
    ) -> Referral:
        """The patient confirmed the coverage discovery found: it becomes the referral's
        insurance (the patient as subscriber: a demographic search finds the person's own
        enrolment), and the normal check runs with it."""
        found = discovery.found
        if found is None:
            raise WorkflowDataMissing("a confirmed coverage, but discovery recorded none")
        insurance = Insurance(
            payer_name=found.payer_name,
            payer_id=found.payer_id,
            member_id=found.member_id,
            group_number=found.group_number,
            plan_name=found.plan,
            relationship=Relationship.SELF,
        )
        confirmed = referral.model_copy(update={"insurance": insurance})
        now = self.clock()
        self.store.update_referral(
            record.referral_id,
            referral=confirmed.model_dump(mode="json"),
            discovery=discovery.model_copy(update={"state": DiscoveryState.CONFIRMED}).model_dump(
                mode="json"
            ),
            updated_at=now,
        )
        self.store.record(record.referral_id, "coverage_confirmed", at=now, payer_id=found.payer_id)
        return confirmed

    def _not_theirs(
        self, record: ReferralRecord, discovery: DiscoveryRecord, now: datetime
    ) -> ReferralRecord:
        """The patient did not confirm the coverage found: its payer is never offered again."""
        found = discovery.found
        if found is None or found.payer_id in discovery.rejected:
            return record
        rejected = discovery.model_copy(update={"rejected": [*discovery.rejected, found.payer_id]})
        self.store.update_referral(
            record.referral_id, discovery=rejected.model_dump(mode="json"), updated_at=now
        )
        self.store.record(
            record.referral_id, "coverage_not_confirmed", at=now, payer_id=found.payer_id
        )
        return record.model_copy(update={"discovery": rejected})

    def _discover(
        self,
        record: ReferralRecord,
        referral: Referral,
        round_: int,
        now: datetime,
        *,
        exclude: frozenset[str] = frozenset(),
        card: list[str] | None = None,
    ) -> BenefitsOutcome:
        """Search the likely payers: a coverage found goes to the patient to confirm (a
        ``confirm_coverage`` task, and a line on the welcome call while it is open); none found
        is a ``coverage_not_found`` task listing every payer tried."""
        referral_id = record.referral_id
        previous = record.discovery
        reason = (
            DiscoveryReason.NO_INSURANCE
            if referral.insurance is None
            else DiscoveryReason.MEMBER_NOT_FOUND
        )
        if self.discovery is None:
            found_nothing = DiscoveryRecord(reason=reason, state=DiscoveryState.NOT_FOUND, budget=0)
            return self._not_found(referral_id, found_nothing, round_, now, "not configured")
        if referral.insurance is not None:  # the card's payer was asked with the member id
            exclude = exclude | {referral.insurance.payer_id}
        searched = self.discovery.search(referral_id, referral, previous, reason, exclude)
        if searched.state is DiscoveryState.FOUND and searched.found is not None:
            return self._found(record, searched, round_, now)
        return self._not_found(referral_id, searched, round_, now, None, card)

    def _found(
        self, record: ReferralRecord, searched: DiscoveryRecord, round_: int, now: datetime
    ) -> BenefitsOutcome:
        found = searched.found
        assert found is not None
        line = f"confirm coverage found: {found.payer_name}, {found.plan or 'plan not named'}"
        if found.plan_begin is not None:
            line += f" (plan begins {found.plan_begin.isoformat()})"
        welcome = self._on_welcome_call(record.referral_id, line)
        asked = next(
            (i for i in reversed(searched.inquiries) if i.payer_id == found.payer_id), None
        )
        details = ConfirmCoverageDetails(
            confirm=line,
            payer_id=found.payer_id,
            payer_name=found.payer_name,
            plan=found.plan,
            found_by="demographic 270: " + ", ".join(asked.search if asked else []),
            welcome_call_task_id=welcome,
        )
        reasons = [
            f"discovery found active coverage with {found.payer_name}: not used until "
            "the patient confirms it"
        ]
        return self._discovery_outcome(
            record.referral_id,
            "coverage_found",
            TaskPlan.due_in(TaskType.CONFIRM_COVERAGE, CONFIRM_COVERAGE_SLA, now, details, round_),
            reasons,
            "insurance discovery: coverage found, to confirm with the patient",
        )

    def _discovery_outcome(
        self, referral_id: str, outcome: str, task: TaskPlan, reasons: list[str], stage: str
    ) -> BenefitsOutcome:
        """What discovery hands the workflow: a task, and the coverage still unknown."""
        self.store.update_referral(referral_id, stage=stage, updated_at=self.clock())
        return BenefitsOutcome(
            outcome=outcome,
            status="unknown",
            round=task.round,
            next_round=task.round + 1,
            reasons=reasons,
            auth_required=None,
            task=task,
        )

    def _on_welcome_call(self, referral_id: str, line: str) -> str | None:
        """Put the confirmation on the welcome call's script while that call is still open;
        the ``confirm_coverage`` task stays the one record of the answer either way (the call
        may already have been made: then that task is the call)."""
        task_id = task_id_for(referral_id, TaskType.WELCOME_CALL)
        task = self.store.get_task(task_id)
        if task is None or task.status not in (TaskStatus.OPEN, TaskStatus.CLAIMED):
            return None
        current = task.details_as(WelcomeCallDetails)
        if line in current.confirm:
            return task_id
        details = current.model_copy(update={"confirm": [*current.confirm, line]})
        try:
            self.store.update_task(
                task_id,
                {"details": details.model_dump(mode="json", exclude_unset=False)},
                expect_status={TaskStatus.OPEN.value, TaskStatus.CLAIMED.value},
            )
        except (Conflict, NotFound):
            return None  # completed meanwhile: the confirm_coverage task asks on its own
        return task_id

    def _not_found(
        self,
        referral_id: str,
        searched: DiscoveryRecord,
        round_: int,
        now: datetime,
        why_not: str | None,
        card: list[str] | None = None,
    ) -> BenefitsOutcome:
        reason = {
            DiscoveryReason.NO_INSURANCE: "the referral names no insurance",
            DiscoveryReason.MEMBER_NOT_FOUND: "the card's payer could not find the member",
        }[searched.reason]
        reasons = [f"{reason}; insurance discovery found no coverage to confirm", *(card or [])]
        if why_not:
            reasons.append(f"insurance discovery is {why_not}")
        if searched.budget_exhausted:
            reasons.append(
                f"the budget of {searched.budget} paid inquiries was spent before every "
                "likely payer was asked"
            )
        stopped = [i for i in searched.inquiries if i.answer.value in STOP_WORDS]
        reasons += [
            f"{i.payer_name}: {STOP_WORDS[i.answer.value]} (AAA {', '.join(i.aaa) or 'none'})"
            for i in stopped
        ]
        details = CoverageNotFoundDetails(
            reason=reason,
            reasons=reasons,
            tried=[
                DiscoveryTried(
                    payer_id=i.payer_id,
                    payer_name=i.payer_name,
                    search=i.search,
                    answer=i.answer.value,
                    aaa=i.aaa,
                    paid=i.paid,
                    note=i.note,
                )
                for i in searched.inquiries
            ],
            budget=searched.budget,
            spent=searched.spent,
            budget_exhausted=searched.budget_exhausted,
            not_tried=searched.not_tried,
            state_searched=searched.state_searched,
        )
        return self._discovery_outcome(
            referral_id,
            "coverage_not_found",
            TaskPlan.due_in(TaskType.COVERAGE_NOT_FOUND, VERIFY_TASK_SLA, now, details, round_),
            reasons,
            "insurance discovery: no coverage found",
        )

    def _secondary(
        self,
        referral_id: str,
        referral: Referral,
        primary: BenefitsSummary,
        round_: int,
        now: datetime,
        expected: ExpectedPatient,
    ) -> tuple[SecondaryBenefits | None, Coordination | None]:
        """The secondary coverage checked with its own 270/271, and which of the two pays
        first. A secondary that cannot be checked never holds up the primary: it is recorded
        unverified, with why, for the liaison and the estimate."""
        ins = referral.secondary_insurance
        if ins is None:
            return None, None
        inquiry = inquiry_for(
            referral,
            self.provider_name,
            self.provider_npi,
            f"{referral_id[4:16]}-{round_}S",
            now,
            insurance=ins,
        )
        try:
            reply = self.gateway.check_eligibility(build_270(inquiry), correlation_id=referral_id)
            summaries = interpret_271(
                reply.x12, expected=expected, service_types=inquiry.service_types
            )
        except (ClearinghouseError, X12Error) as exc:
            reason = exc.last_reason if isinstance(exc, ClearinghouseUnavailable) else str(exc)
            logger.info("secondary coverage unchecked", extra={"referral_id": referral_id})
            unchecked = SecondaryBenefits(
                outcome="unverified", payer_id=ins.payer_id, reason=reason
            )
            return unchecked, None
        second = _patient_summary(summaries, inquiry.dependent is not None)
        verified = second.status is CoverageStatus.ACTIVE and not second.mismatches
        order = decide_order(primary, second) if verified else None
        self.store.record(
            referral_id,
            "secondary_benefits_checked",
            at=self.clock(),
            status=second.status.value,
            swapped=bool(order and order.swapped),
        )
        checked = SecondaryBenefits(
            outcome="verified" if verified else "unverified",
            payer_id=ins.payer_id,
            answer=second,
            headline=headline(second),
            payload_id=reply.payload_id,
        )
        coordination = Coordination(
            primary="secondary" if order and order.swapped else "primary",
            reason=order.reason
            if order
            else "the secondary coverage is not verified: the referral's primary pays first",
        )
        return checked, coordination

    def _outcome(
        self, summary: BenefitsSummary, round_: int, problems: list[str], now: datetime
    ) -> BenefitsOutcome:
        reasons = [
            f"AAA {r.code} at {r.loop}: {r.description or 'rejected'}" for r in summary.rejections
        ]
        reasons += [
            f"the payer has a different {m.replace('_', ' ')} for this member"
            for m in summary.mismatches or ()
        ]
        reasons += problems
        if summary.status is CoverageStatus.INACTIVE:
            outcome, task_type = "coverage_inactive", TaskType.COVERAGE_INACTIVE
            reasons.insert(0, "the payer reports the coverage inactive")
        elif summary.status is CoverageStatus.ACTIVE and not summary.mismatches and not problems:
            outcome, task_type = "verified", None
        else:
            # Rejected for member identity, mismatched, or otherwise not confirmable: a person checks.
            outcome, task_type = "verify_insurance", TaskType.VERIFY_INSURANCE
            if summary.status is CoverageStatus.UNKNOWN:
                reasons.append("the payer sent no coverage status")
        echo = summary.patient if summary.is_dependent else summary.subscriber
        return BenefitsOutcome.needing(
            task_type,
            outcome=outcome,
            status=summary.status.value,
            round_=round_,
            reasons=reasons,
            auth_required=summary.auth_required,
            now=now,
            payer_echo=echo.model_dump(mode="json", exclude_none=True) or None,
        )

    def _corrected(
        self, record: ReferralRecord, corrections: dict[str, Any]
    ) -> tuple[Referral, list[str]]:
        """Apply a liaison's corrected fields; invalid ones are reported, the old values kept."""
        assert record.referral is not None
        try:
            referral = Referral.model_validate(
                merge_fields(record.referral.model_dump(mode="json"), corrections)
            )
        except ValidationError as exc:
            return record.referral, [f"correction not applied: {p}" for p in explain(exc)]
        self.store.update_referral(
            record.referral_id, referral=referral.model_dump(mode="json"), updated_at=self.clock()
        )
        self.store.record(
            record.referral_id, "referral_corrected", at=self.clock(), fields=sorted(corrections)
        )
        return referral, []
