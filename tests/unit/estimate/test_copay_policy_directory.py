"""Whether a plan counts manufacturer assistance comes from the 271's own words first, then the
pharmacy's payer directory (plans.csv ``copay_assistance_policy``), else it is unknown."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from intake.directory import runtime
from intake.directory.service import PayerDirectory
from intake.directory.store import MemoryStore, shipped_files
from intake.estimate.copay_policy import copay_assistance_policy
from intake.models.benefits import BenefitsSummary, CoverageStatus, Party, Plan

AT = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
ROW = "SBX01,SBXGRP200,PPO Silver,,,unknown,"


@pytest.fixture
def directory_says(monkeypatch: pytest.MonkeyPatch) -> Iterator[PayerDirectory]:
    """The sandbox directory, imported with SBX01's plan SBXGRP200 marked as an accumulator."""
    files = shipped_files()
    text = files["plans.csv"].decode()
    assert ROW in text
    files = {
        **files,
        "plans.csv": text.replace(ROW, ROW.replace("unknown", "accumulator")).encode(),
    }
    directory = PayerDirectory(MemoryStore(), clock=lambda: AT, pointer_seconds=0)
    directory.import_files(files, "pharmacist-1")
    monkeypatch.setattr(runtime, "payer_directory", lambda: directory)
    yield directory


def _benefits(group: str | None, messages: tuple[str, ...] = ()) -> BenefitsSummary:
    return BenefitsSummary(
        status=CoverageStatus.ACTIVE,
        payer=Party(id="SBX01"),
        plan=Plan(group_number=group),
        messages=messages,
    )


def test_the_directory_names_the_plans_accumulator(directory_says: PayerDirectory) -> None:
    """Given a 271 silent on assistance for SBX01's group SBXGRP200, and the directory's plan
    row saying accumulator, when the estimate asks, then it is an accumulator with the
    directory as its source: the program's payments will not count toward the deductible."""
    reading = copay_assistance_policy(_benefits("SBXGRP200"), "SBX01")

    assert reading.policy == "accumulator"
    assert reading.source == "payer directory: SBX01 SBXGRP200"


def test_a_plan_the_directory_does_not_list_is_unknown(directory_says: PayerDirectory) -> None:
    """Given a group the directory has no row for, then the policy is unknown (never assumed)."""
    reading = copay_assistance_policy(_benefits("OTHERGROUP"), "SBX01")

    assert reading.policy == "unknown"


def test_the_271_is_read_before_the_directory(directory_says: PayerDirectory) -> None:
    """Given the payer's own 271 naming a maximizer program, then the payer's answer wins over
    the pharmacy's directory row."""
    reading = copay_assistance_policy(
        _benefits("SBXGRP200", ("SPECIALTY DRUGS ENROLLED IN A COPAY MAXIMIZER PROGRAM",)),
        "SBX01",
    )

    assert reading.policy == "maximizer"
