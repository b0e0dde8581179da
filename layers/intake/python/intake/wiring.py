"""Composition root: builds each service once per Lambda process from its validated settings.

Handlers call these; nothing here runs at import time. Each builder imports what its service
needs when it is first called, so a function loads only its own part of the library: the
liaison API never loads the PDF stack, the bookkeeping step never loads the clearinghouse
client (cold start is import time; see ``make bench``).
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from intake.core.settings import load_settings

if TYPE_CHECKING:
    from intake.adapters.dynamodb_assessments import DynamoDbAssessments
    from intake.adapters.dynamodb_doses import DynamoDbDoses
    from intake.adapters.dynamodb_store import DynamoDbStore
    from intake.authorization.service import PriorAuthorizations
    from intake.care.service import Assessments
    from intake.clearinghouse import ClearinghouseGateway, ClearinghouseReply
    from intake.clinic.sender import ClinicSender
    from intake.course.calendar import CalendarRules
    from intake.course.dose_check import DoseCheck
    from intake.course.service import Course
    from intake.course.sweep import DoseSweep
    from intake.discovery.service import CoverageDiscovery
    from intake.eligibility.service import BenefitsCheck
    from intake.estimate.service import CostEstimates
    from intake.models.records import TaskRecord
    from intake.referrals.ingest import IngestService
    from intake.referrals.limits import Limits
    from intake.referrals.ocr import OcrEngine
    from intake.tasks.queue import TaskQueue
    from intake.tasks.reconcile import Reconciler
    from intake.tasks.service import Completion, TaskService
    from intake.visit.service import Visits
    from intake.workflow.steps import WorkflowSteps


@functools.cache
def store() -> DynamoDbStore:
    from intake.adapters.dynamodb_store import DynamoDbStore
    from intake.core.settings import TableSettings

    return DynamoDbStore(load_settings(TableSettings).table_name)


@functools.cache
def task_service() -> TaskService:
    from intake.adapters.sns_notifier import SnsNotifier
    from intake.adapters.stepfunctions import StepFunctionsWorkflow
    from intake.core.settings import NotifySettings
    from intake.models.records import TaskType
    from intake.tasks.service import TaskService

    settings = load_settings(NotifySettings)
    service = TaskService(
        store(),
        SnsNotifier(settings.liaison_topic_arn, web_url=settings.web_url),
        StepFunctionsWorkflow(),
        max_call_attempts=settings.call_max_attempts,
        attempt_spacing=timedelta(seconds=settings.call_attempt_spacing_seconds),
    )
    from intake.authorization.task_outcomes import AuthTaskCheck

    check = AuthTaskCheck(store().get_referral)
    for kind in (TaskType.APPEAL_OR_ALTERNATIVES, TaskType.ACCEPT_OR_APPEAL):
        service.on_complete[kind] = check
    service.on_complete[TaskType.PRIOR_AUTH_FOLLOWUP] = check
    from intake.authorization.reauthorization import ReauthorizationCompletion

    service.on_complete[TaskType.DOSE_REAUTHORIZATION] = ReauthorizationCompletion(store(), course)
    service.on_complete[TaskType.RECORDS_FROM_CLINIC] = check
    from intake.course.delivery import DeliveryCompletion

    service.on_complete[TaskType.DOSE_DELIVERY] = DeliveryCompletion(doses)
    service.on_complete[TaskType.PRESCRIBER_SIGNATURE] = check
    service.on_complete[TaskType.PHARMACIST_ASSESSMENT] = _assessment_required
    service.on_complete[TaskType.CLINICAL_REVIEW] = _review_needs_reason
    service.on_complete[TaskType.FIRST_VISIT] = lambda task, done: visits().completion_check(
        task, done
    )
    service.on_complete[TaskType.ASSISTANCE_ENROLLMENT] = _enrollment_completed
    if settings.state_machine_arn:  # functions that may start workflows (the liaison API)
        from intake.referrals.linking import LinkSplit
        from intake.referrals.review import DraftCompletion

        workflow = StepFunctionsWorkflow(settings.state_machine_arn)
        service.on_complete[TaskType.COMPLETE_REFERRAL] = DraftCompletion(store(), workflow)
        service.on_complete[TaskType.LINKED_UPDATE] = LinkSplit(store(), workflow)
    return service


def ocr_engine(name: str) -> OcrEngine | None:
    """Textract in AWS; Tesseract on the local stack (Debian package); none to skip OCR."""
    if name == "textract":
        from intake.adapters.textract import TextractOcr

        return TextractOcr()
    if name == "tesseract":
        from intake.referrals.ocr import TesseractOcr

        return TesseractOcr()
    return None


def read_limits(budget_s: float) -> Limits:
    """The per-file limits with the deployment's time budget; one OCR page may take 60% of it
    (30 s of the default 50 s), and the budget caps each page's timeout by what is left."""
    from intake.referrals.limits import DEFAULT_LIMITS

    return dataclasses.replace(
        DEFAULT_LIMITS, total_time_s=budget_s, ocr_page_timeout_s=round(budget_s * 0.6, 1)
    )


@functools.cache
def ingest_service() -> IngestService:
    from intake.adapters.s3_documents import S3Documents
    from intake.adapters.stepfunctions import StepFunctionsWorkflow
    from intake.core.settings import IngestSettings
    from intake.referrals import parse_referral_document
    from intake.referrals.ingest import IngestService
    from intake.referrals.linking import Linker

    settings = load_settings(IngestSettings)
    engine = ocr_engine(settings.ocr_engine)
    return IngestService(
        store=store(),
        documents=S3Documents(),
        workflow=StepFunctionsWorkflow(settings.state_machine_arn),
        tasks=task_service(),
        max_bytes=settings.max_referral_bytes,
        parse=functools.partial(
            parse_referral_document,
            ocr=engine,
            min_confidence=settings.min_field_confidence,
            limits=read_limits(settings.read_time_budget_seconds),
        ),
        linker=Linker(store(), task_service(), timedelta(days=settings.link_window_days)),
    )


@functools.cache
def workflow_steps() -> WorkflowSteps:
    from intake.core.settings import WorkflowStepSettings
    from intake.workflow.steps import WorkflowSteps

    settings = load_settings(WorkflowStepSettings)
    return WorkflowSteps(
        store=store(),
        tasks=task_service(),
        welcome_call_sla=timedelta(hours=settings.welcome_call_sla_hours),
        escalation_repeat=timedelta(seconds=settings.escalation_repeat_seconds),
        scheduling_call_sla=timedelta(hours=settings.scheduling_call_sla_hours),
        stale_order_age=timedelta(days=settings.stale_order_days),
        course=course,
        assessments=assessments,
        visits=visits,
    )


@functools.cache
def visits() -> Visits:
    """The nurse's visits: booking from the roster, the visit record (``intake.visit``)."""
    from intake.adapters.dynamodb_visits import DynamoDbVisits
    from intake.core.settings import TableSettings
    from intake.visit.service import Visits

    return Visits(
        store(),
        DynamoDbVisits(load_settings(TableSettings).table_name),
        calendar_rules(),
        course=course,
    )


def _enrollment_completed(task: TaskRecord, completion: Completion) -> Callable[[], None] | None:
    """Imported when an enrollment task completes (the estimate package is heavy for the API's
    cold start): re-estimates with the program applied."""
    from intake.estimate.enrollment import EnrollmentCompletion

    return EnrollmentCompletion(cost_estimates, task_service().clock)(task, completion)


def _enrollment_queue(topic_arn: str | None) -> TaskQueue:
    """The estimate function's task queue (its enrollment tasks), announced when a topic is
    configured, else on the timeline and the work queue only."""
    from intake.estimate.enrollment import TimelineOnly
    from intake.tasks.queue import TaskQueue

    if topic_arn:
        from intake.adapters.sns_notifier import SnsNotifier

        return TaskQueue(store(), SnsNotifier(topic_arn))
    return TaskQueue(store(), TimelineOnly())


@functools.cache
def assessment_store() -> DynamoDbAssessments:
    from intake.adapters.dynamodb_assessments import DynamoDbAssessments
    from intake.core.settings import TableSettings

    return DynamoDbAssessments(load_settings(TableSettings).table_name)


@functools.cache
def assessments() -> Assessments:
    from intake.care.service import Assessments
    from intake.core.settings import WorkflowStepSettings

    settings = load_settings(WorkflowStepSettings)
    return Assessments(
        store(),
        assessment_store(),
        task_service(),
        assessment_sla=timedelta(hours=settings.pharmacist_assessment_sla_hours),
        review_sla=timedelta(hours=settings.clinical_review_sla_hours),
    )


def _assessment_required(task: Any, completion: Any) -> Any:
    """The care hooks, imported when a care task is completed (not at every cold start)."""
    from intake.care.service import AssessmentRequired

    return AssessmentRequired(assessment_store())(task, completion)


def _review_needs_reason(task: Any, completion: Any) -> Any:
    from intake.care.service import review_needs_reason

    return review_needs_reason(task, completion)


@functools.cache
def cost_estimates() -> CostEstimates:
    from intake.core.settings import EstimateSettings
    from intake.estimate.service import CostEstimates

    settings = load_settings(EstimateSettings)
    threshold = settings.assistance_threshold
    from intake.estimate.enrollment import EnrollmentTasks

    return CostEstimates(
        store(),
        timedelta(hours=settings.cost_call_sla_hours),
        Decimal(str(threshold)) if threshold is not None else None,
        on_recorded=EnrollmentTasks(
            lambda: _enrollment_queue(settings.liaison_topic_arn),
            timedelta(hours=settings.enrollment_sla_hours),
        ),
    )


class MeteredGateway:
    """The clearinghouse gateway, counted: ``ClearinghouseRequests``, ``ClearinghouseFailures``
    (the exchange raised after the gateway's own retries) and ``ClearinghouseLatency`` (ms), per
    payload type. The dashboard and the failure-rate alarm read these."""

    def __init__(self, inner: ClearinghouseGateway) -> None:
        self.inner = inner

    def _metered(self, kind: str, call: Callable[[], ClearinghouseReply]) -> ClearinghouseReply:
        from intake.core.observability import metrics

        started = time.monotonic()
        failed = True
        try:
            reply = call()
            failed = False
            return reply
        finally:
            metrics.add_metric(name="ClearinghouseRequests", unit="Count", value=1)
            metrics.add_metric(name=f"ClearinghouseRequests_{kind}", unit="Count", value=1)
            metrics.add_metric(name="ClearinghouseFailures", unit="Count", value=int(failed))
            metrics.add_metric(
                name="ClearinghouseLatency",
                unit="Milliseconds",
                value=(time.monotonic() - started) * 1000,
            )

    def exchange(self, payload_type: str, x12: str, *, correlation_id: str) -> ClearinghouseReply:
        return self._metered(
            "exchange",
            lambda: self.inner.exchange(payload_type, x12, correlation_id=correlation_id),
        )

    def check_eligibility(self, x12_270: str, *, correlation_id: str) -> ClearinghouseReply:
        return self._metered(
            "270", lambda: self.inner.check_eligibility(x12_270, correlation_id=correlation_id)
        )

    def submit_prior_auth(self, x12_278: str, *, correlation_id: str) -> ClearinghouseReply:
        return self._metered(
            "278", lambda: self.inner.submit_prior_auth(x12_278, correlation_id=correlation_id)
        )

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@functools.cache
def gateway() -> ClearinghouseGateway:
    """The clearinghouse connection, shared by the eligibility and authorization steps."""
    from intake.adapters.audit_s3 import S3AuditSink
    from intake.adapters.secrets import SecretsManagerCredentials
    from intake.clearinghouse import CoreSoapGateway, CoreSoapSettings
    from intake.core.settings import ClearinghouseSettings
    from intake.eligibility.service import payer_says_retry

    settings = load_settings(ClearinghouseSettings)
    core = CoreSoapGateway(
        CoreSoapSettings(
            endpoint_url=settings.clearinghouse_endpoint,
            read_timeout_s=settings.clearinghouse_read_timeout_seconds,
            max_attempts=settings.clearinghouse_max_attempts,
            backoff_base_s=settings.clearinghouse_backoff_seconds,
        ),
        SecretsManagerCredentials(settings.clearinghouse_secret_id),
        S3AuditSink(settings.documents_bucket, kms_key_id=settings.data_key_arn),
        retry_payload=payer_says_retry,
    )
    return MeteredGateway(core)


@functools.cache
def benefits_check() -> BenefitsCheck:
    from intake.core.settings import BenefitsSettings
    from intake.eligibility.service import BenefitsCheck

    settings = load_settings(BenefitsSettings)
    return BenefitsCheck(
        store(),
        gateway(),
        settings.pharmacy_name,
        settings.pharmacy_npi,
        discovery=coverage_discovery(),
    )


@functools.cache
def coverage_discovery() -> CoverageDiscovery:
    """Insurance discovery over today's payer profiles (the payer directory's
    ``likely_payers`` replaces ``ProfilePayers`` when it is wired in); an MBI lookup when the
    clearinghouse offers one (``DISCOVERY_MBI_LOOKUP_PAYER_ID``)."""
    from intake.core.settings import BenefitsSettings
    from intake.discovery.profiles import ProfilePayers
    from intake.discovery.service import CoverageDiscovery

    settings = load_settings(BenefitsSettings)
    lookup = None
    if settings.discovery_mbi_lookup_payer_id:
        from intake.discovery.mbi import ClearinghouseMbiLookup
        from intake.discovery.ports import PayerCandidate

        lookup_id = settings.discovery_mbi_lookup_payer_id
        lookup = ClearinghouseMbiLookup(
            gateway(),
            PayerCandidate("MBI LOOKUP", lookup_id, "mbi_lookup", True, 0),
            settings.pharmacy_name,
            settings.pharmacy_npi,
        )
    return CoverageDiscovery(
        store(),
        gateway(),
        ProfilePayers(),
        settings.pharmacy_name,
        settings.pharmacy_npi,
        budget=settings.discovery_inquiry_budget,
        mbi_lookup=lookup,
    )


@functools.cache
def prior_authorizations() -> PriorAuthorizations:
    from intake.adapters.s3_packets import S3PacketDocuments
    from intake.adapters.stepfunctions import StepFunctionsWorkflow
    from intake.authorization.packet import Pharmacy
    from intake.authorization.service import PriorAuthorizations
    from intake.core.settings import PriorAuthSettings

    settings = load_settings(PriorAuthSettings)
    pharmacy = Pharmacy(
        name=settings.pharmacy_name,
        npi=settings.pharmacy_npi,
        phone=settings.pharmacy_phone,
        fax=settings.pharmacy_fax,
    )
    return PriorAuthorizations(
        store=store(),
        gateway=gateway(),
        documents=S3PacketDocuments(settings.documents_bucket, settings.data_key_arn),
        workflow=StepFunctionsWorkflow(),
        tasks=task_service(),
        pharmacy=pharmacy,
        decision_window=timedelta(seconds=settings.pa_decision_window_seconds),
        poll_interval=timedelta(seconds=settings.pa_poll_interval_seconds),
        inquiry_budget=settings.pa_inquiry_budget,
        poll_concurrency=settings.pa_poll_concurrency,
    )


@functools.cache
def doses() -> DynamoDbDoses:
    from intake.adapters.dynamodb_doses import DynamoDbDoses
    from intake.core.settings import TableSettings

    return DynamoDbDoses(load_settings(TableSettings).table_name)


def calendar_rules() -> CalendarRules:
    from intake.core.settings import CourseSettings
    from intake.course.calendar import CalendarRules

    settings = load_settings(CourseSettings)
    return CalendarRules(
        check_lead=timedelta(days=settings.dose_check_lead_days),
        ship_lead=timedelta(days=settings.ship_lead_days),
    )


@functools.cache
def course() -> Course:
    from intake.course.service import Course

    return Course(store(), doses(), calendar_rules(), notifier=lambda: task_service().notifier)


@functools.cache
def dose_check() -> DoseCheck:
    from intake.core.settings import DoseCheckSettings
    from intake.course.dose_check import DoseCheck

    settings = load_settings(DoseCheckSettings)
    return DoseCheck(
        store=store(),
        doses=doses(),
        tasks=task_service(),
        benefits=benefits_check,
        estimates=cost_estimates,
        rules=calendar_rules(),
        reauth_lead=timedelta(days=settings.reauth_lead_days),
        file_278=True,
    )


@functools.cache
def dose_sweep() -> DoseSweep:
    from intake.adapters.stepfunctions import StepFunctionsWorkflow
    from intake.core.settings import SweepSettings
    from intake.course.sweep import DoseSweep

    settings = load_settings(SweepSettings)
    return DoseSweep(
        doses(),
        StepFunctionsWorkflow(settings.dose_check_state_machine_arn),
        batch=settings.sweep_batch,
        hold_stale=lambda dose: _stale_holder().hold_stale(dose),
    )


@functools.cache
def reconciler() -> Reconciler:
    from intake.core.settings import ReconcilerSettings
    from intake.tasks.reconcile import Reconciler

    settings = load_settings(ReconcilerSettings)
    return Reconciler(
        store(),
        task_service(),
        grace=timedelta(seconds=settings.effect_grace_seconds),
        batch=settings.reconcile_batch,
    )


def _stale_holder() -> Any:
    """The dose check's hold, without the clearinghouse (the sweep never calls a payer)."""
    from intake.course.dose_check import DoseCheck

    def unused() -> Any:
        raise RuntimeError("the sweep does not check benefits or estimate")

    return DoseCheck(store(), doses(), task_service(), unused, unused, calendar_rules())


@functools.cache
def clinic_sender() -> ClinicSender:
    """The referring clinics' status sender (issue 25; ``intake.clinic``)."""
    from intake.clinic.wiring import build_clinic_sender

    return build_clinic_sender()


def reset() -> None:
    """Forget every service, client and setting built so far (tests start each case afresh;
    a Lambda process never needs this). Finds the cached builders itself, so a new one
    cannot be forgotten here."""
    from intake.adapters import aws

    for module in (globals(), vars(aws)):
        for value in list(module.values()):
            if callable(getattr(value, "cache_clear", None)) and getattr(
                value, "__module__", ""
            ).startswith("intake"):
                value.cache_clear()
    load_settings.cache_clear()
