"""The stored dose and its check (``REFERRAL#<id>`` / ``DOSE#<nnnn>``)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class DoseStatus(StrEnum):
    SCHEDULED = "scheduled"  # its check is pending (in the due-check index until it starts)
    CHECKING = "checking"  # its check workflow runs
    CLEARED = "cleared"  # coverage active, authorization covers it, patient reached: ship
    HELD = "held"  # not to ship: ``hold_reason`` says why, a task says who acts
    ENDED = "ended"  # the therapy was discontinued or completed before this dose


OPEN_STATUSES = frozenset({DoseStatus.SCHEDULED, DoseStatus.CHECKING})


class DoseRecord(BaseModel):
    model_config = ConfigDict(extra="ignore")

    referral_id: str
    number: int = Field(ge=1, description="1 for the first infusion")
    day: date
    kind: Literal["loading", "maintenance", "single"]
    drug_units: int | None = Field(default=None, description="drug units billed for this dose")
    plan_year: int = Field(description="the plan year the dose falls in (its start year)")
    status: DoseStatus = DoseStatus.SCHEDULED
    version: int = Field(default=1, ge=1, description="bumped on each move or re-check")
    check_at: datetime
    hold_reason: str | None = None
    check: dict[str, Any] = Field(
        default_factory=dict, description="what the last check found, step by step"
    )
    tasks: list[str] = Field(default_factory=list, description="tasks this dose raised")
    ship_by: date | None = None
    execution_name: str | None = None
    moved_from: date | None = None
    updated_at: datetime

    def check_name(self) -> str:
        """The check's execution name: a repeated trigger for the same version starts once."""
        return f"{self.referral_id}-dose-{self.number}-{self.version}"
