"""The payer directory's CSV import: all files good or nothing applied, each import a version
that can be rolled back, and an export that reads back as the same directory."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from intake.core.errors import Conflict
from intake.directory.csvfiles import DirectoryInvalid, Problem, read_directory
from intake.directory.schema import PLAN_TYPES
from intake.directory.service import PayerDirectory
from intake.directory.store import MemoryStore, shipped_files

AT = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def _directory() -> tuple[PayerDirectory, MemoryStore]:
    store = MemoryStore()
    return PayerDirectory(store, clock=lambda: AT, pointer_seconds=0), store


def _edit(files: dict[str, bytes], name: str, old: str, new: str) -> dict[str, bytes]:
    text = files[name].decode()
    assert old in text, f"{old!r} not in {name}"
    return {**files, name: text.replace(old, new, 1).encode()}


def test_a_good_directory_becomes_the_first_version() -> None:
    """Given the sandbox directory's eight files
    When they are imported by a pharmacist
    Then version v0001 is current, recording who, when, the row counts and a checksum,
    because an import must be traceable to its files and its author."""
    directory, store = _directory()

    record = directory.import_files(shipped_files(), "pharmacist-1")

    assert store.current() == "v0001"
    assert record.imported_by == "pharmacist-1" and record.imported_at == AT
    assert record.counts["payers"] == 8 and record.counts["pa_policies"] == 13
    assert len(record.checksum) == 64
    assert directory.payer("SBX02") is not None
    assert directory.payer("SBX02").pbm == "SBXRX"  # type: ignore[union-attr]


def test_bad_rows_are_each_named_and_nothing_is_applied() -> None:
    """Given an imported directory, then files with a bad cell, an unknown payer reference, a
    duplicate id and a rate for a contract that does not exist
    When they are imported
    Then every bad row is named by file, line and reason, and the first version stays current,
    because a half-applied directory would price and route referrals from two sources."""
    directory, store = _directory()
    directory.import_files(shipped_files(), "pharmacist-1")
    files = shipped_files()
    files = _edit(
        files,
        "payers.csv",
        "SBX04,SANDBOX STATE MEDICAID,medicaid",
        "SBX04,SANDBOX STATE MEDICAID,charity",
    )
    files = _edit(files, "aliases.csv", "SBX05,Sandbox Slow Health", "SBX99,Sandbox Slow Health")
    files = _edit(files, "pa_policies.csv", "SBX02,J1745,yes", "SBX02,J2350,yes")
    files = {**files, "rates.csv": files["rates.csv"] + b"SBX03,NOPLAN,J1745,10.00\n"}

    with pytest.raises(DirectoryInvalid) as raised:
        directory.import_files(files, "pharmacist-2")

    problems = raised.value.problems
    not_a_type = "plan_type: 'charity' is not one of " + ", ".join(PLAN_TYPES)
    assert Problem("payers.csv", 5, not_a_type) in problems
    assert Problem("aliases.csv", 5, "payer_id SBX99 is not in payers.csv") in problems
    assert Problem("pa_policies.csv", 9, "a second policy for J2350") in problems
    rates_lines = files["rates.csv"].decode().count("\n")
    assert Problem("rates.csv", rates_lines, "no contracts.csv row for SBX03 NOPLAN") in problems
    assert store.current() == "v0001" and len(store.versions()) == 1


def test_a_missing_file_or_a_wrong_header_rejects_the_import() -> None:
    """Given files without routes.csv and with a renamed payers.csv column
    When they are read
    Then both are named, because a file left out must not read as 'no routes'."""
    files = {k: v for k, v in shipped_files().items() if k != "routes.csv"}
    files = _edit(files, "payers.csv", "payer_id,name", "id,name")

    with pytest.raises(DirectoryInvalid) as raised:
        read_directory(files)

    reasons = {(p.file, p.line) for p in raised.value.problems}
    assert reasons == {("routes.csv", 0), ("payers.csv", 1)}


def test_a_rollback_makes_the_earlier_version_current() -> None:
    """Given two imports, the second moving SBX05 into network
    When the first is rolled back to
    Then lookups read the first again, because a bad contract upload must be undone at once."""
    directory, store = _directory()
    directory.import_files(shipped_files(), "pharmacist-1")
    second = _edit(shipped_files(), "contracts.csv", "SBX05,,no,", "SBX05,,yes,")
    directory.import_files(second, "supervisor-1")
    assert directory.payer("SBX05").contract().in_network is True  # type: ignore[union-attr]

    replaced = directory.rollback("v0001")

    assert replaced == "v0002" and store.current() == "v0001"
    assert directory.payer("SBX05").contract().in_network is False  # type: ignore[union-attr]
    with pytest.raises(Conflict):
        directory.rollback("v0009")


def test_export_reads_back_as_the_same_directory() -> None:
    """Given the imported sandbox directory
    When it is exported and the export imported again
    Then the files are byte for byte the shipped ones and the checksum is the same,
    because the CSV files are the source of truth and an export must lose nothing."""
    directory, _ = _directory()
    first = directory.import_files(shipped_files(), "pharmacist-1")

    exported = directory.export()
    again = directory.import_files(exported, "pharmacist-1")

    assert exported == shipped_files()
    assert again.checksum == first.checksum
    assert read_directory(exported).entries == read_directory(shipped_files()).entries


def test_the_documented_headers_are_the_files_headers() -> None:
    """Given docs/directory.md
    When each kind's header is looked for in it
    Then every file's header is documented as the import reads it, because the pharmacy edits
    these files by hand from that page."""
    from intake.directory.schema import KINDS
    from intake_local.template import PROJECT_ROOT

    text = (PROJECT_ROOT / "docs" / "directory.md").read_text("utf-8")
    for kind in KINDS:
        assert f"### `{kind.file}`\n" in text and f"\n{','.join(kind.header)}\n" in text
