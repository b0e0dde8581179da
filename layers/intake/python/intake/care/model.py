"""The pharmacist's initial assessment: what the patient told the pharmacist on the call, and
what it decides.

Unknown is an answer. A list the pharmacist did not ask about is ``None`` ("not asked"), an
empty list is the patient's "none"; a yes/no fact is ``"yes" | "no" | "unknown"``; a number
not given is ``None``. Nothing below reads a missing fact as "no".

Bounds are checked at the door (the API answers 422): a weight or height no later step could
use, a date of placement after the assessment, more entries than a call can produce.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Known = Literal["yes", "no", "unknown"]
MAX_ITEMS = 50


class Severity(StrEnum):
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"
    ANAPHYLAXIS = "anaphylaxis"
    UNKNOWN = "unknown"


class _In(BaseModel):
    # defer_build: the schema is built on first use, not when the liaison API imports it.
    model_config = ConfigDict(extra="forbid", defer_build=True)


class _Out(BaseModel):
    model_config = ConfigDict(defer_build=True)


class Condition(_In):
    name: Text
    icd10: str | None = Field(default=None, pattern=r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")


class Allergy(_In):
    substance: Text
    reaction: Text | None = None
    severity: Severity = Severity.UNKNOWN


class Medicine(_In):
    name: Text
    dose: Text | None = None


class PriorInfusion(_In):
    drug: Text
    last_given: date | None = None
    reaction: Text | None = None
    reaction_severity: Severity | None = Field(
        default=None,
        description="None: no reaction reported; 'unknown': a reaction of unknown severity",
    )


class AccessKind(StrEnum):
    PERIPHERAL = "peripheral"
    MIDLINE = "midline"
    PICC = "picc"
    PORT = "port"
    NONE = "none"
    UNKNOWN = "unknown"


class VascularAccess(_In):
    kind: AccessKind = AccessKind.UNKNOWN
    placed_by: Text | None = None
    placed_on: date | None = None


class LabResult(_In):
    name: Text
    done_on: date | None = None
    result: Text | None = None


class Home(_In):
    refrigeration: Known = "unknown"
    caregiver: Known = "unknown"
    present_during_infusion: Text | None = Field(
        default=None, description="who is with the patient during and after the infusion"
    )
    someone_present_after: Known = "unknown"
    minutes_to_emergency_care: int | None = Field(default=None, ge=0, le=1440)


class AssessmentIntake(_In):
    """What the pharmacist records on the call. ``None`` lists: not asked."""

    conditions: list[Condition] | None = Field(default=None, max_length=MAX_ITEMS)
    history: Note | None = None
    allergies: list[Allergy] | None = Field(default=None, max_length=MAX_ITEMS)
    medicines: list[Medicine] | None = Field(default=None, max_length=MAX_ITEMS)
    prior_infusions: list[PriorInfusion] | None = Field(default=None, max_length=MAX_ITEMS)
    access: VascularAccess = Field(default_factory=VascularAccess)
    labs: list[LabResult] | None = Field(default=None, max_length=MAX_ITEMS)
    planned_vaccines: list[Text] | None = Field(default=None, max_length=MAX_ITEMS)
    weight_kg: float | None = Field(default=None, gt=0, lt=500)
    height_cm: float | None = Field(default=None, gt=20, lt=275)
    clinical_stability: Literal["stable", "unstable", "unknown"] = "unknown"
    months_since_last_dose: int | None = Field(
        default=None, ge=0, le=600, description="restarting this drug: months since its last dose"
    )
    home: Home = Field(default_factory=Home)


class Submission(_In):
    """``POST /tasks/{id}/assessment``: the intake and who recorded it."""

    assessment: AssessmentIntake
    pharmacist: str = Field(min_length=1, max_length=120)
    note: Note | None = None


# ------------------------------------------------------------------ decisions
class Source(_Out):
    """Where a rule comes from: a label (set id, section, revision) or a guideline."""

    title: str
    section: str | None = None
    setid: str | None = None
    revised: str | None = None
    read_from: str | None = None


class Finding(_Out):
    """A conflict: stops the referral for a pharmacist's decision. ``on`` is what it matched
    (an allergy, a medicine …), ``kind`` what the label makes of it, ``label_section`` the
    section it rests on."""

    rule: str
    on: Literal["allergy", "medicine", "condition", "prior_reaction", "vaccine", "clinical"]
    kind: Literal[
        "contraindication", "warning", "interaction", "cross_sensitivity", "allergy", "instability"
    ]
    label_section: str | None = None
    what: str
    why: str
    source: Source


class LabOrder(_Out):
    rule: str
    name: str
    due: str = Field(
        description="before first dose | during therapy | window | before every infusion"
    )
    repeat: str = Field(
        description="once | weekly | window | before every infusion | not fixed by source"
    )
    when: str
    threshold: str | None = None
    status: Literal["on_file", "order"]
    done_on: date | None = None
    source: Source


class SiteDecision(_Out):
    """``recommendation`` is what the sources decide (``either``: home and the suite are both
    preferred and nothing decides between them); ``site`` is what is requested: the suite when
    a sourced reason recommends it, else the site the prescriber ordered."""

    recommendation: Literal["home", "infusion_suite", "either", "hospital_outpatient"]
    site: Literal["home", "infusion_suite"]
    changed: bool
    reasons: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    review: list[str] = Field(default_factory=list)


class FirstDose(_Out):
    premedication: str | None = None
    observation: str | None = None
    observation_minutes: int | None = None
    source: str | None = None


class Supplies(_Out):
    pump: str | None = None
    filter: str | None = None
    items: list[str] = Field(default_factory=list)
    source: Source | None = None


class Decisions(_Out):
    """What the assessment decides, each with its source. ``unknowns`` are facts to ask; a
    drug with no rules on file says so in ``rules_on_file`` (never "no conflict")."""

    rules_on_file: bool
    conflicts: list[Finding] = Field(default_factory=list)
    site: SiteDecision
    first_dose: FirstDose
    supplies: Supplies
    labs: list[LabOrder] = Field(default_factory=list)
    unknowns: list[str] = Field(default_factory=list)
    confidence: Literal["high", "lowered"]

    @property
    def stop(self) -> bool:
        return bool(self.conflicts)


class AssessmentRecord(_Out):
    """One stored version (``ASSESSMENT#v0001`` …): earlier versions are kept."""

    referral_id: str
    version: int = Field(ge=1)
    task_id: str | None = None
    recorded_at: datetime
    recorded_by: str
    intake: AssessmentIntake
    decisions: Decisions
    note: str | None = None
