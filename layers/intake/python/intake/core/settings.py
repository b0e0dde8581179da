"""Settings as pydantic models, validated when a handler first runs (never at import time).

Each function declares the model it needs; a missing or malformed variable fails the first
invocation with a message naming the variable, instead of a KeyError deep in a request.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class _Env(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class TableSettings(_Env):
    table_name: str = Field(min_length=1)


class SearchKeySettings(_Env):
    """The secret keying the patient search hash (``intake.adapters.search_key``)."""

    search_key_secret_id: str = Field(min_length=1)


class AccessLogSettings(_Env):
    """The append-only PHI access-log table (``intake.adapters.dynamodb_access``)."""

    access_log_table: str = Field(min_length=1)


class NotifySettings(TableSettings):
    liaison_topic_arn: str = Field(min_length=1)
    web_url: str | None = Field(
        default=None, description="the liaison web app; e-mails link to the task there"
    )
    state_machine_arn: str | None = None
    call_max_attempts: int = Field(default=3, ge=1, le=10)
    call_attempt_spacing_seconds: int = Field(default=4 * 3600, gt=0)


class IngestSettings(NotifySettings):
    intake_bucket: str = Field(min_length=1)
    state_machine_arn: str = Field(min_length=1)  # type: ignore[assignment]
    max_referral_bytes: int = 20 * 1024 * 1024
    ocr_engine: Literal["textract", "tesseract", "none"] = "textract"
    min_field_confidence: float = Field(default=0.80, ge=0, le=1)
    link_window_days: int = Field(default=30, ge=0, le=365)
    # The wall-clock budget for reading one file (``Limits.total_time_s``): it must end before
    # the ingest function's 120 s timeout, so the file is quarantined with a reason rather than
    # the invocation killed. The local stack, whose functions share two cores with everything
    # else on the machine, takes the most it may (100 s).
    read_time_budget_seconds: float = Field(default=50.0, ge=10, le=100)


class WorkflowStepSettings(NotifySettings):
    welcome_call_sla_hours: float = Field(default=48, gt=0)
    scheduling_call_sla_hours: float = Field(default=48, gt=0)
    """The nurse's scheduling call, from the authorization in hand: "within a couple of days"
    (issue 25's seeds; ``intake.visit.model.NURSE_CALL_SLA_DAYS``)."""
    escalation_repeat_seconds: int = Field(default=4 * 3600, gt=0)
    stale_order_days: int = Field(default=90, gt=0)
    pharmacist_assessment_sla_hours: float = Field(default=48, gt=0)
    clinical_review_sla_hours: float = Field(default=4, gt=0)


class EstimateSettings(TableSettings):
    cost_call_sla_hours: float = Field(default=24, gt=0)
    assistance_threshold: float | None = Field(default=None, ge=0)
    liaison_topic_arn: str | None = None
    """Where a new assistance enrollment task is announced (None: on the timeline only)."""
    enrollment_sla_hours: float = Field(default=72, gt=0)


class ClearinghouseSettings(TableSettings):
    documents_bucket: str = Field(min_length=1)
    data_key_arn: str | None = None
    clearinghouse_endpoint: str = Field(min_length=1)
    clearinghouse_secret_id: str = Field(min_length=1)
    clearinghouse_read_timeout_seconds: float = Field(default=15.0, gt=0, le=20)
    clearinghouse_max_attempts: int = Field(default=3, ge=1, le=6)
    clearinghouse_backoff_seconds: float = Field(default=0.5, ge=0)
    pharmacy_name: str = Field(min_length=1, max_length=60)
    pharmacy_npi: str = Field(pattern=r"^\d{10}$")


class BenefitsSettings(ClearinghouseSettings):
    discovery_inquiry_budget: int = Field(
        default=3,
        ge=0,
        le=50,
        description="paid 270s insurance discovery may send for one referral (0: none, the "
        "referral goes to a person); every 270 through the clearinghouse is billed",
    )
    discovery_mbi_lookup_payer_id: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9-]{2,80}$",
        description="the clearinghouse's MBI lookup (a payer id answering a demographic 270 "
        "with the beneficiary's MBI); None: not offered, Original Medicare is skipped",
    )


class PriorAuthSettings(ClearinghouseSettings):
    liaison_topic_arn: str = Field(min_length=1)
    pharmacy_phone: str = Field(min_length=10)
    pharmacy_fax: str = Field(min_length=10)
    pa_decision_window_seconds: int = Field(default=7 * 24 * 3600, gt=0)
    pa_poll_interval_seconds: int = Field(default=15 * 60, gt=0)
    pa_inquiry_budget: int = Field(default=40, ge=1, le=200)
    pa_poll_concurrency: int = Field(default=32, ge=1, le=64)


class CourseSettings(TableSettings):
    """The therapy calendar's leads (days before a dose)."""

    dose_check_lead_days: int = Field(default=7, ge=1, le=60)
    ship_lead_days: int = Field(default=3, ge=0, le=30)
    reauth_lead_days: int = Field(default=14, ge=1, le=90)


class DoseCheckSettings(BenefitsSettings, EstimateSettings, CourseSettings):
    liaison_topic_arn: str = Field(min_length=1)


class ReconcilerSettings(NotifySettings):
    """The reconciler finishes completions' effects: it starts referral workflows (the state
    machine's ARN) and sends task results."""

    state_machine_arn: str = Field(min_length=1)  # type: ignore[assignment]
    effect_grace_seconds: int = Field(default=120, ge=0)
    reconcile_batch: int = Field(default=100, ge=1, le=1000)


class SweepSettings(CourseSettings):
    liaison_topic_arn: str = Field(min_length=1)
    dose_check_state_machine_arn: str = Field(min_length=1)
    sweep_batch: int = Field(default=500, ge=1, le=5000)


class SettingsError(RuntimeError):
    """The function's environment does not satisfy its settings model."""


@functools.cache
def load_settings[S: BaseModel](model: type[S]) -> S:
    """Read ``model`` from the environment once per process (variables are case-insensitive)."""
    env = {key.lower(): value for key, value in os.environ.items()}
    try:
        return model.model_validate(env)
    except ValidationError as exc:
        names = ", ".join(str(err["loc"][0]).upper() for err in exc.errors())
        raise SettingsError(f"{model.__name__}: missing or invalid environment: {names}") from exc


def with_settings(model: type[BaseModel]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Handler decorator: validate the settings before anything else runs."""

    def decorate(handler: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(handler)
        def wrapper(event: Any, context: Any) -> Any:
            load_settings(model)
            return handler(event, context)

        return wrapper

    return decorate
