"""What each liaison task carries besides its reason: one model per task type.

A task's ``details`` were a free dictionary whose shape depended on who wrote it; here every
task type names its fields (``DETAILS_BY_TYPE``), so a writer with a misspelt or unknown key is
refused when the task is planned, and readers use attributes, not ``.get("...")``.

Stored and sent unchanged: only the keys a writer gave are serialized (``exclude_unset``), in
the order the writers give them, so items stored before these models read back, and the API's
JSON is the same as when details were a dictionary.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    PlainSerializer,
    SerializationInfo,
)

from intake.models.benefits import PersonEcho
from intake.models.estimate import EstimateHeadline, Money
from intake.models.task_types import TaskType

ReferralValues = dict[str, JsonValue]
"""Referral values by field or dotted path (a liaison's corrections, a legacy draft): their
values are whatever a referral field holds (text, numbers, lists, objects), so JSON values."""


def _none_text(value: Any) -> Any:
    """Early delivery tasks stored a missing ship-by date as the text ``"None"``."""
    return None if value == "None" else value


class TaskDetails(BaseModel):
    """The base of every task type's details: unknown keys are refused."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


# ------------------------------------------------------------------ calls
class WelcomeCallDetails(TaskDetails):
    """What the welcome call confirms (empty when the referral could not be read)."""

    planned_start: date | None = None
    as_soon_as_possible: bool | None = None
    confirm: list[str] = Field(default_factory=list)


class NeedsReviewNote(_Part):
    field: str
    problem: str


class CallScript(_Part):
    language: str
    text: str


class AssistanceOption(_Part):
    name: str
    kind: Literal["manufacturer", "foundation"]
    eligibility: str


class CostCallDetails(TaskDetails):
    """The estimate to explain (None when none could be made, with the reason)."""

    estimate: EstimateHeadline | None = None
    reason: str | None = None
    needs_review: NeedsReviewNote | None = None
    call_script: CallScript | None = None
    assistance_programs: list[AssistanceOption] = Field(default_factory=list)


class EnrollmentOption(_Part):
    """A program decided for the patient: offered (eligible, income needed) or refused."""

    program_id: str
    name: str
    kind: str
    status: str
    reasons: list[str] = Field(default_factory=list)
    fund_id: str | None = None
    requires: list[str] = Field(default_factory=list)


class AssistanceEnrollmentDetails(TaskDetails):
    """Enroll the patient in a program: what each requires, what to ask, what was refused."""

    estimate_version: int
    offered: list[EnrollmentOption]
    refused: list[EnrollmentOption] = Field(default_factory=list)
    ask: list[str] = Field(default_factory=list)


class SchedulingCallDetails(TaskDetails):
    """The scheduling call carries nothing: the referral has what it needs."""


class DoseCost(_Part):
    """The latest estimate's figures for the plan year a dose falls in."""

    estimate_version: int | None = None
    plan_year_start: date | None = None
    plan_year_patient: Money | None = None
    plan_year_infusions: int | None = None
    per_infusion_patient: Money


class DoseCheckinDetails(TaskDetails):
    dose: int
    day: date
    kind: str
    ship_by: date | None = None
    language: str
    questions: list[str]
    cost: DoseCost | None = None


# ------------------------------------------------------------------ intake reviews
class NeedsReviewDetails(TaskDetails):
    problems: list[str]
    document: str


class CompleteReferralDetails(TaskDetails):
    fields_missing: list[str] = Field(default_factory=list)
    problems: list[str] = Field(default_factory=list)
    format: str | None = None
    document: str | None = None
    draft: ReferralValues | None = None
    """Legacy: tasks stored before drafts moved onto the referral record carried it here."""
    confidence: dict[str, float] | None = None
    """Legacy, with ``draft``: the reader's confidence per field."""


class InsuranceDetails(TaskDetails):
    """Verify insurance, or coverage inactive: why, and what the payer echoed back."""

    reasons: list[str]
    coverage_status: str
    payer_echo: PersonEcho | None = None


class WorkflowErrorDetails(TaskDetails):
    what_failed: str
    error_type: str
    what_to_do: str
    cancelled_tasks: list[str] = Field(default_factory=list)


class VerifyContactDetails(TaskDetails):
    call_task_id: str
    field: str
    ask: str


class ConfirmOrderDetails(TaskDetails):
    order_date: date
    age_days: int
    reason: str


class LinkedUpdateDetails(TaskDetails):
    linked_to: str
    document: str
    format: str


# ------------------------------------------------------------------ authorization
class LineAnswer(_Part):
    """A per-line answer of the payer: approved against requested (absent values left out)."""

    code: str | None = None
    modifiers: list[str] = Field(default_factory=list)
    status: str | None = None
    requested_units: int | float | None = None
    approved_units: int | float | None = None
    effective_from: date | None = None
    effective_to: date | None = None
    reason: str | None = None


class AuthorizationDetails(TaskDetails):
    """An authorization task (denied, certified less than asked, or a follow-up with the
    payer): the request it is about, and whichever of the payer's answer, the deadline, the
    packet, or the failure is known. Fields in the order the writers give them."""

    auth_id: str | None = None
    decision: str | None = None
    reason: str | None = None
    reason_code: str | None = None
    deadline: str | None = Field(default=None, description="ISO date-time the window ends")
    appeal: str | None = None
    packet: dict[str, str] | None = None
    packet_folder: str | None = None
    lines: list[LineAnswer] | None = None
    suggest: str | None = None
    error: str | None = None
    certification_number: str | None = None
    decision_reason: str | None = None


class AppealOrAlternativesDetails(AuthorizationDetails):
    """A denial: appeal (the packet is ready) or discuss alternatives."""


class AcceptOrAppealDetails(AuthorizationDetails):
    """Partially certified or modified: accept the payer's terms or appeal."""


class PriorAuthFollowupDetails(AuthorizationDetails):
    """A person follows up with the payer: pended past the window, status inquiries spent
    or failing, the packet not accepted electronically, a late decision, or doses left
    outside every certification."""


class NetworkExceptionDetails(AuthorizationDetails):
    """Out of network: ask for a single-case agreement. A network exception appealed after
    its denial carries the denial task's fields on (its ``reason`` replaced)."""

    ask: str | None = None
    authorization_required: bool | None = None


class SendToPbmDetails(AuthorizationDetails):
    """A drug carved out to the pharmacy benefit: the packet (addressed to the PBM) goes to the
    PBM by its fax or portal, not by a 278 to the medical payer; the liaison records the PBM's
    answer. PBM contact fields are None when neither the 271 nor the payer profile gives them
    (the liaison asks the medical payer)."""

    pbm_name: str
    pbm_id: str | None = None
    pbm_fax: str | None = None
    pbm_portal: str | None = None
    drug: str
    ask: str


class MissingRecord(_Part):
    id: str
    label: str
    status: str
    note: str | None = None


class RecordsFromClinicDetails(TaskDetails):
    reason: str
    missing: list[MissingRecord]
    records_request: str
    clinic_fax: str | None = None
    ask: str
    auth_id: str | None = None


class PrescriberSignatureDetails(TaskDetails):
    reason: str
    signature_request: str
    prescriber_fax: str | None = None
    ask: str


# ------------------------------------------------------------------ doses
class DoseHoldDetails(TaskDetails):
    """A held dose (or a calendar that could not be made: no dose yet, what to do)."""

    dose: int | None = None
    day: date | None = None
    why: str
    action: str | None = None
    coverage_status: str | None = None
    checkin: str | None = None
    verify_by: str | None = None
    error: str | None = None
    execution: str | None = None


class DoseDeliveryDetails(TaskDetails):
    dose: int
    day: date
    ship_by: Annotated[date | None, BeforeValidator(_none_text)] = None


class Reauthorization(_Part):
    """What the dose check's own re-authorization request came to."""

    status: str | None = None
    auth_id: str | None = None
    route: str | None = None
    task: (
        AuthorizationDetails
        | NetworkExceptionDetails
        | RecordsFromClinicDetails
        | PrescriberSignatureDetails
        | None
    ) = None
    """The details of the task the request went to a person with, of whichever type."""


class DoseReauthorizationDetails(TaskDetails):
    dose: int
    day: date
    why: str
    authorization: str
    certified_to: date | None = None
    units_approved: int | None = None
    units_used: int | None = None
    units_left: int | None = None
    units_needed: int | None = None
    reauthorization: Reauthorization | None = None
    next_dose: int | None = None
    next_day: date | None = None


# ------------------------------------------------------------------ care team (issue 25)
class PharmacistAssessmentDetails(TaskDetails):
    """The pharmacist's initial assessment call: in the patient's language, with its script,
    the drug, and what the referral already says (the questions still to ask)."""

    language: str | None = None
    call_script: CallScript | None = None
    drug: str | None = None
    ask: list[str] = Field(default_factory=list)


class ConflictNote(_Part):
    """A conflict as the review task carries it: the rule, what the label makes of it, why,
    and its source (what the patient said is in the stored assessment, not in the task)."""

    rule: str
    kind: str
    what: str | None = None
    why: str
    source: str


class ClinicalReviewDetails(TaskDetails):
    """An allergy, interaction or condition conflict the assessment found: a pharmacist
    decides proceed (the note says why) or stop (the referral closes; the clinic is told)."""

    assessment_version: int
    conflicts: list[ConflictNote]
    ask: str


# ------------------------------------------------------------------ nurse visits
class FirstVisitDetails(TaskDetails):
    """The booked first visit (``intake.visit``): when, with whom, the delivery's ship-by day;
    or why no roster nurse was booked (a person books by hand)."""

    visit_id: str
    dose: int | None = None
    day: date | None = None
    window: str | None = None
    nurse_id: str | None = None
    nurse: str | None = None
    agency: str | None = None
    nurse_phone: str | None = None
    ship_by: date | None = None
    booked: bool = False
    not_booked: str | None = None
    teach: list[str] = Field(default_factory=list)


class ClinicStatusUnsentDetails(TaskDetails):
    status_key: str
    milestone: str
    error_type: str
    document: str | None = None
    what_to_do: str


class ConfirmCoverageDetails(TaskDetails):
    """Discovery found a coverage: the patient confirms it (on the welcome call when it is still
    open, else on this call) before it is used. Payer and plan only: the member id stays on the
    referral's discovery record."""

    confirm: str
    payer_id: str
    payer_name: str
    plan: str | None = None
    found_by: str
    welcome_call_task_id: str | None = None


class DiscoveryTried(_Part):
    payer_id: str
    payer_name: str
    search: list[str]
    answer: str
    aaa: list[str] = Field(default_factory=list)
    paid: bool
    note: str | None = None


class CoverageNotFoundDetails(TaskDetails):
    """Discovery found no coverage: every payer tried, the search used, each answer, the budget."""

    reason: str
    reasons: list[str]
    tried: list[DiscoveryTried]
    budget: int
    spent: int
    budget_exhausted: bool
    not_tried: list[str] = Field(default_factory=list)
    state_searched: str | None = None


DETAILS_BY_TYPE: dict[TaskType, type[TaskDetails]] = {
    TaskType.WELCOME_CALL: WelcomeCallDetails,
    TaskType.COST_AND_OPTIONS_CALL: CostCallDetails,
    TaskType.SCHEDULING_CALL: SchedulingCallDetails,
    TaskType.NEEDS_REVIEW: NeedsReviewDetails,
    TaskType.COMPLETE_REFERRAL: CompleteReferralDetails,
    TaskType.VERIFY_INSURANCE: InsuranceDetails,
    TaskType.COVERAGE_INACTIVE: InsuranceDetails,
    TaskType.WORKFLOW_ERROR: WorkflowErrorDetails,
    TaskType.APPEAL_OR_ALTERNATIVES: AppealOrAlternativesDetails,
    TaskType.PRIOR_AUTH_FOLLOWUP: PriorAuthFollowupDetails,
    TaskType.ACCEPT_OR_APPEAL: AcceptOrAppealDetails,
    TaskType.NETWORK_EXCEPTION: NetworkExceptionDetails,
    TaskType.VERIFY_CONTACT: VerifyContactDetails,
    TaskType.CONFIRM_ORDER: ConfirmOrderDetails,
    TaskType.LINKED_UPDATE: LinkedUpdateDetails,
    TaskType.DOSE_CHECKIN_CALL: DoseCheckinDetails,
    TaskType.DOSE_DELIVERY: DoseDeliveryDetails,
    TaskType.DOSE_HOLD: DoseHoldDetails,
    TaskType.DOSE_REAUTHORIZATION: DoseReauthorizationDetails,
    TaskType.RECORDS_FROM_CLINIC: RecordsFromClinicDetails,
    TaskType.PRESCRIBER_SIGNATURE: PrescriberSignatureDetails,
    TaskType.SEND_TO_PBM: SendToPbmDetails,
    TaskType.PHARMACIST_ASSESSMENT: PharmacistAssessmentDetails,
    TaskType.CLINICAL_REVIEW: ClinicalReviewDetails,
    TaskType.FIRST_VISIT: FirstVisitDetails,
    TaskType.ASSISTANCE_ENROLLMENT: AssistanceEnrollmentDetails,
    TaskType.CLINIC_STATUS_UNSENT: ClinicStatusUnsentDetails,
    TaskType.CONFIRM_COVERAGE: ConfirmCoverageDetails,
    TaskType.COVERAGE_NOT_FOUND: CoverageNotFoundDetails,
}

D = TypeVar("D", bound=TaskDetails)


def details_for(task_type: TaskType | str, raw: object) -> TaskDetails:
    """``raw`` (a dictionary as written or stored, or a model) as the details of ``task_type``."""
    model = DETAILS_BY_TYPE[TaskType(task_type)]
    if isinstance(raw, model):
        return raw
    if isinstance(raw, TaskDetails):
        raw = raw.model_dump(exclude_unset=True)
    return model.model_validate(raw if raw is not None else {})


def _as_written(details: TaskDetails, info: SerializationInfo) -> dict[str, Any]:
    """Only the keys the writer gave (an absent key stays absent, not ``null``)."""
    return details.model_dump(mode=info.mode, exclude_unset=True)


Details = Annotated[TaskDetails, PlainSerializer(_as_written)]
"""A task's details field: the model of its task type (chosen by the holder's validator, see
``details_for``), serialized as its writer gave it."""


def with_typed_details(data: Any) -> Any:
    """A task-like mapping (a task, a plan, a queued request) with its ``details`` validated
    into its task type's model; missing details are the type's empty details."""
    if isinstance(data, dict) and "task_type" in data:
        return {**data, "details": details_for(data["task_type"], data.get("details"))}
    return data
