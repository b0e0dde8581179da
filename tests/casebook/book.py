"""The domain case book: cases written from public sources, loaded as pytest parameters.

Each YAML file in this folder is a list of cases (schema in README.md). A test module names
the file and gets one parameter per case, with the case's id as the test id, so a failure
reads as the case that failed; the case's source and hand computation travel with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Case:
    """One case: what it reads, what the source says the answer is, and why."""

    id: str
    source: str
    input: Mapping[str, Any]
    expected: Mapping[str, Any]
    hand_computation: str
    raw: Mapping[str, Any]

    def __str__(self) -> str:
        return f"{self.id} ({self.source.strip().splitlines()[0]})"


def load(name: str) -> list[Case]:
    """Every case of one file (e.g. ``"regimens.yaml"``), in the file's order."""
    items = yaml.safe_load((HERE / name).read_text(encoding="utf-8"))
    return [
        Case(
            id=item["id"],
            source=str(item.get("source", "")),
            input=item.get("input") or {},
            expected=item.get("expected") or {},
            hand_computation=str(item.get("hand_computation", "")),
            raw=item,
        )
        for item in items
    ]


def params(name: str, *, ids: set[str] | None = None) -> list[Any]:
    """The cases of one file as ``pytest.param``s named by case id (optionally a subset)."""
    return [pytest.param(case, id=case.id) for case in load(name) if ids is None or case.id in ids]
