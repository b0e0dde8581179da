"""Drafts: partly read referrals kept as plain JSON-shaped dicts until they validate.

A draft must hold whatever a document gave us, even values the ``Referral`` model rejects (a
bad NPI from a fax), so the liaison can see and fix them; that is why it is a dict and not a
model. Paths are dotted, list items by index: ``"diagnoses.0.code"``.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterator, Mapping
from typing import Any

from intake.models.referral import Referral

Draft = dict[str, Any]


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
