"""Drafts: partly read referrals kept as plain JSON-shaped dicts until they validate.

A draft must hold whatever a document gave us, even values the ``Referral`` model rejects (a
bad NPI from a fax), so the liaison can see and fix them; that is why it is a dict and not a
model. Paths are dotted, list items by index: ``"diagnoses.0.code"``.
"""

from __future__ import annotations

import copy
import itertools
import types
import typing
from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import BaseModel

from intake.models.referral import Referral

Draft = dict[str, Any]
"""A referral as read, before validation: the clinic's document in ``Referral``'s shape but
with what it sent kept even where ``Referral`` refuses it (a bad NPI from a fax), so a liaison
can see and fix it. Deliberately not a model: a typed partial referral would drop or change
exactly the values under review. Bounded at intake (``referrals.bounds``)."""


def _key(part: str) -> str | int:
    return int(part) if part.isdigit() else part


def _child(node: Any, key: str | int) -> tuple[bool, Any]:
    if isinstance(key, int):
        return (True, node[key]) if isinstance(node, list) and key < len(node) else (False, None)
    return (True, node[key]) if isinstance(node, Mapping) and key in node else (False, None)


def get_path(draft: Mapping[str, Any], path: str) -> Any:
    node: Any = draft
    for part in path.split("."):
        found, node = _child(node, _key(part))
        if not found:
            return None
    return node


def set_path(draft: Draft, path: str, value: Any) -> None:
    """Set ``path`` to ``value``, creating dicts and list slots on the way; None deletes."""
    parts = [_key(p) for p in path.split(".")]
    node: Any = draft
    for here, after in itertools.pairwise(parts):
        empty: Any = [] if isinstance(after, int) else {}
        if isinstance(here, int):
            if not isinstance(node, list):
                raise ValueError(f"'{path}' indexes something that is not a list")
            while len(node) <= here:
                node.append({} if not isinstance(after, int) else [])
            if not isinstance(node[here], dict | list):
                node[here] = empty
            node = node[here]
        else:
            if not isinstance(node, dict):
                raise ValueError(f"'{path}' goes through something that is not a group of fields")
            if not isinstance(node.get(here), dict | list):
                node[here] = empty
            node = node[here]
    last = parts[-1]
    if isinstance(last, int):
        if not isinstance(node, list):
            raise ValueError(f"'{path}' indexes something that is not a list")
        if value is None:
            if last < len(node):
                node.pop(last)
            return
        while len(node) <= last:
            node.append(None)
        node[last] = value
    else:
        if not isinstance(node, dict):
            raise ValueError(f"'{path}' goes through something that is not a group of fields")
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value


def leaf_paths(value: Any, prefix: str = "") -> Iterator[str]:
    """Every path that holds a scalar (the unit confidences are reported for)."""
    if isinstance(value, Mapping):
        for key, child in value.items():
            yield from leaf_paths(child, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from leaf_paths(child, f"{prefix}.{index}" if prefix else str(index))
    elif value is not None and prefix:
        yield prefix


def _merge(base: Any, update: Mapping[str, Any]) -> None:
    for key, value in update.items():
        if "." in key:
            set_path(base, key, copy.deepcopy(value))
        elif isinstance(value, Mapping) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        elif value is None:
            base.pop(key, None)
        else:
            base[key] = copy.deepcopy(value)


def merge_fields(draft: Mapping[str, Any], fields: Mapping[str, Any]) -> Draft:
    """A new draft with ``fields`` laid over ``draft``.

    Keys may be dotted paths (``{"insurance.member_id": "X1"}``) or nested objects
    (``{"insurance": {"member_id": "X1"}}``); nested objects merge, a None value clears.
    """
    merged: Draft = copy.deepcopy(dict(draft))
    _merge(merged, fields)
    return merged


def complete_draft(draft: Mapping[str, Any], fields: Mapping[str, Any]) -> Referral:
    """Merge the liaison's fields over the draft and validate (raises pydantic ValidationError)."""
    return Referral.model_validate(merge_fields(draft, fields))


# ---------------------------------------------------------------------- liaison corrections
MAX_CORRECTIONS = 50
"""Fields one completion may correct: a referral has about 45 leaves."""
MAX_LIST_ITEMS = 20
"""Entries a corrected list may hold (diagnoses); a referral lists a handful."""
_MAX_PATH_PARTS = 6  # the deepest referral leaf is insurance.subscriber.<field> (3)


def _shape(annotation: Any) -> tuple[str, Any]:
    """("list", item annotation), ("model", class) or ("scalar", None) for a field's type."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _shape(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        kinds = [_shape(a) for a in typing.get_args(annotation) if a is not type(None)]
        return next((k for k in kinds if k[0] != "scalar"), ("scalar", None))
    if origin is list:
        return ("list", typing.get_args(annotation)[0])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return ("model", annotation)
    return ("scalar", None)


def _flatten(fields: Mapping[str, Any], prefix: str, depth: int) -> Iterator[tuple[str, Any]]:
    for key, value in fields.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping) and value and depth < _MAX_PATH_PARTS:
            yield from _flatten(value, path, depth + 1)
        else:
            yield path, value


def _path_problem(base: Any, path: str, value: Any) -> str | None:
    parts = path.split(".")
    if len(parts) > _MAX_PATH_PARTS or not all(parts):
        return "is not a field of a referral"
    kind, current = "model", Referral
    node: Any = base
    for part in parts:
        if kind == "list":
            if not part.isdigit():
                return "a list entry is named by its position (0, 1, ...)"
            index, length = int(part), len(node) if isinstance(node, list) else 0
            if index > length or index >= MAX_LIST_ITEMS:
                return (
                    f"entry {index} is past the end of the list ({length} entries; add at most "
                    f"one past the end, up to {MAX_LIST_ITEMS})"
                )
            node = node[index] if index < length else None
            kind, current = _shape(current)
        elif kind == "model":
            info = current.model_fields.get(part)
            if info is None:
                return "is not a field of a referral"
            node = node.get(part) if isinstance(node, Mapping) else None
            kind, current = _shape(info.annotation)
        else:
            return "is not a field of a referral"
    if value is None:
        return None
    if kind == "model":
        return "is a group of fields: correct the fields inside it"
    if kind == "list":
        if not isinstance(value, list) or len(value) > MAX_LIST_ITEMS:
            return f"should be a list of at most {MAX_LIST_ITEMS} entries"
        return None
    if isinstance(value, str | int | float | bool):
        return None
    return "should be text or a number"


def correction_problems(base: Mapping[str, Any], fields: Mapping[str, Any]) -> list[str]:
    """Why ``fields`` cannot be laid over ``base`` (empty when they can): every path must be a
    referral field, list positions at most one past the current end (a correction must not
    grow a list to 200 000 entries), and at most ``MAX_CORRECTIONS`` fields at once."""
    flat = list(_flatten(fields, "", 1))
    if len(flat) > MAX_CORRECTIONS:
        return [f"corrections: at most {MAX_CORRECTIONS} fields at once ({len(flat)} given)"]
    problems: list[str] = []
    for path, value in flat:
        problem = _path_problem(base, path, value)
        if problem is not None:
            shown = path if len(path) <= 80 else path[:77] + "..."
            problems.append(f"{shown}: {problem}")
    return problems
