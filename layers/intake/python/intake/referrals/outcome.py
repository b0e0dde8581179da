"""The one result every intake format produces, and the rules that decide referral vs review.

Three endings: a valid ``Referral`` (straight to verification), a readable draft with
``fields_missing`` (a liaison "complete referral" task), or ``readable=False`` (quarantine).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from intake.core.clock import utcnow
from intake.models.draft import Draft, leaf_paths
from intake.models.problems import error_path, explain
from intake.models.referral import Referral
from intake.referrals import bounds
from intake.referrals.cleaning import clean_draft, cleaning_problems
from intake.referrals.detect import DocumentFormat
from intake.referrals.plausibility import DEFAULT_WINDOW, Window, plausibility_problems

# Model-level rules name no field; these are the fields a person fills to satisfy them.
_RULE_FIELDS = {
    "therapy": ("therapy.ndc", "therapy.hcpcs"),
    "insurance": ("insurance.subscriber.first_name", "insurance.subscriber.last_name"),
}


class ParseOutcome(BaseModel):
    """What intake read from one document."""

    model_config = ConfigDict(frozen=True)

    format: DocumentFormat
    referral: Referral | None = None
    draft: dict[str, Any] = Field(default_factory=dict)
    fields_missing: list[str] = Field(default_factory=list)
    confidence: dict[str, float] = Field(default_factory=dict)
    problems: list[str] = Field(default_factory=list)
    readable: bool = True
    timed_out: bool = False
    """Reading ran out of time (budget or an OCR page): the result may be the machine's load,
    not the file, so intake reads it again before deciding (``intake.referrals.ingest``)."""


@dataclass
class Extraction:
    """What a format parser hands back: the draft, per-field confidence, and problems seen."""

    draft: Draft = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    doubts: list[str] = field(default_factory=list)
    """Problems about the whole document a person must settle even when every field validates
    (e.g. several orders in one message: which one is this referral?)."""

    def structured(self) -> Extraction:
        """Structured formats state each value outright: confidence 1.0 for every field read."""
        self.confidence = dict.fromkeys(leaf_paths(self.draft), 1.0)
        return self


def unreadable(fmt: DocumentFormat, *problems: str) -> ParseOutcome:
    return ParseOutcome(format=fmt, readable=False, problems=bounds.bound_problems(list(problems)))


def _model_at(parts: list[str]) -> tuple[type[BaseModel] | None, bool]:
    """The pydantic model class at a path (skipping list indexes), and whether it is a list."""
    current: Any = Referral
    is_list = False
    for part in parts:
        if part.isdigit():
            is_list = False
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None, False
        info = current.model_fields.get(part)
        if info is None:
            return None, False
        is_list = typing.get_origin(info.annotation) is list
        current = _unwrap(info.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return current, is_list
    return None, is_list


def _unwrap(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (list, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if arg is not type(None):
                return _unwrap(arg)
    return annotation


def _required_leaves(model: type[BaseModel], prefix: str) -> list[str]:
    leaves: list[str] = []
    for name, info in model.model_fields.items():
        if not info.is_required():
            continue
        path = f"{prefix}.{name}"
        if typing.get_origin(info.annotation) is list:
            path += ".0"
        inner = _unwrap(info.annotation)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            leaves.extend(_required_leaves(inner, path))
        else:
            leaves.append(path)
    return leaves


def _missing_for(item: Any) -> list[str]:
    parts = [str(p) for p in item["loc"]]
    path = error_path(item["loc"])
    if item["type"] == "value_error" and path in _RULE_FIELDS:
        return list(_RULE_FIELDS[path])
    if item["type"] == "too_short" and isinstance(item.get("input"), str):
        return [path]
    if item["type"] in {"missing", "too_short", "model_type", "dict_type", "list_type"}:
        model, is_list = _model_at(parts)
        if is_list:
            path += ".0"
        if model is not None:
            return _required_leaves(model, path)
    return [path]


def _add(items: list[str], *new: str) -> None:
    items.extend(n for n in new if n not in items)


def build_outcome(
    fmt: DocumentFormat,
    extraction: Extraction,
    *,
    min_confidence: float,
    received_at: datetime | None,
    doubts: Sequence[str] = (),
    window: Window = DEFAULT_WINDOW,
) -> ParseOutcome:
    """Clean the draft's text, validate it and judge its plausibility; anything missing,
    invalid, implausible or read with low confidence → review. ``doubts`` are problems about
    the whole file (an encoding guessed, duplicate keys) that a person must look at even when
    every field validates. What is returned is bounded for storage (``bounds``)."""
    doubts = [*doubts, *extraction.doubts]
    draft, changed = clean_draft(extraction.draft, hl7=fmt is DocumentFormat.HL7V2)
    if not any(leaf_paths(draft)):
        return unreadable(fmt, *extraction.problems, "no referral details could be read from it")
    if received_at is not None and "received_at" not in draft:
        draft["received_at"] = received_at.isoformat()
    problems = [*doubts, *extraction.problems, *cleaning_problems(changed)]
    missing: list[str] = []
    referral: Referral | None = None
    try:
        referral = Referral.model_validate(draft)
    except ValidationError as exc:
        _add(problems, *explain(exc))
        for item in exc.errors(include_url=False):
            _add(missing, *_missing_for(item))
    if referral is not None:
        implausible = plausibility_problems(
            referral, received_at=received_at or utcnow(), window=window
        )
        _add(problems, *implausible)
        _add(missing, *(p.split(":", 1)[0] for p in implausible))
    for path, score in extraction.confidence.items():
        if score < min_confidence:
            _add(missing, path)
            _add(
                problems,
                f"{path}: read with low confidence ({score:.0%}); check it on the document",
            )
    if missing or doubts:
        referral = None
    confidence = dict(list(extraction.confidence.items())[: bounds.MAX_KEYS * 2])
    return ParseOutcome(
        format=fmt,
        referral=referral,
        draft=bounds.bound_value(draft),
        fields_missing=bounds.bound_paths(missing),
        confidence={k[:200]: round(v, 3) for k, v in confidence.items()},
        problems=bounds.bound_problems(problems),
        readable=True,
    )
