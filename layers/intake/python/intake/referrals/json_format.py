"""Our own JSON referral (the ``Referral`` schema) arriving as a document.

The JSON is the draft as sent, except keys the schema does not know: those are dropped with a
problem noted, so a liaison can complete the draft (a strict model would reject it forever).
Wrong types and bad values are left in place for validation to explain.
"""

from __future__ import annotations

import typing
from typing import Any

from pydantic import BaseModel

from intake.models.referral import Referral
from intake.referrals.outcome import Extraction


def _model_of(annotation: Any) -> type[BaseModel] | None:
    origin = typing.get_origin(annotation)
    if origin is not None:
        for arg in typing.get_args(annotation):
            found = _model_of(arg)
            if found is not None:
                return found
        return None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _prune(value: Any, model: type[BaseModel], path: str, dropped: list[str]) -> Any:
    if not isinstance(value, dict):
        return value
    kept: dict[str, Any] = {}
    for key, child in value.items():
        here = f"{path}.{key}" if path else str(key)
        info = model.model_fields.get(str(key))
        if info is None:
            dropped.append(here)
            continue
        inner = _model_of(info.annotation)
        if inner is not None and isinstance(child, list):
            kept[key] = [_prune(c, inner, f"{here}.{i}", dropped) for i, c in enumerate(child)]
        elif inner is not None:
            kept[key] = _prune(child, inner, here, dropped)
        else:
            kept[key] = child
    return kept


def parse_json_referral(document: dict[str, Any]) -> Extraction:
    dropped: list[str] = []
    draft = _prune(document, Referral, "", dropped)
    extraction = Extraction(
        draft=draft,
        problems=[f"{path}: is not a field of a referral (ignored)" for path in dropped],
    )
    return extraction.structured()
