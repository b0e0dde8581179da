"""``intake directory``: check, import, versions, rollback and export against the table (moto),
as an operator runs them against the local stack."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest

from intake.directory.store import shipped_files
from intake_local.cli import main
from tests.integration.conftest import REGION, table_from_template


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name, data in shipped_files().items():
        (tmp_path / name).write_bytes(data)
    return tmp_path


def test_the_cli_imports_lists_rolls_back_and_exports(
    aws: None, folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Given the sandbox directory's files in a folder and an empty table
    When they are imported twice, listed, rolled back to the first and exported
    Then each step says what it did and the export is the files imported, because the CSV
    files are the source of truth and the operator needs the versions to undo an upload."""
    boto3.client("dynamodb", region_name=REGION).create_table(**table_from_template("t"))

    assert main(["directory", "import", str(folder), "--table", "t", "--by", "ops-1"]) == 0
    assert main(["directory", "import", str(folder), "--table", "t", "--by", "ops-2"]) == 0
    assert main(["directory", "rollback", "v0001", "--table", "t"]) == 0
    assert main(["directory", "versions", "--table", "t"]) == 0
    assert main(["directory", "export", str(tmp_path / "out"), "--table", "t"]) == 0

    out = capsys.readouterr().out
    assert "v0001 current (was v0002)" in out
    assert "* v0001" in out and "  v0002" in out and "ops-2" in out
    exported = {p.name: p.read_bytes() for p in (tmp_path / "out").glob("*.csv")}
    assert exported == shipped_files()


def test_a_bad_row_is_printed_with_its_line_and_nothing_is_imported(
    aws: None, folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Given a routes.csv whose fax number is not a number
    When the folder is imported
    Then the row is printed as file:line: reason, the exit code is 2 and no version exists."""
    boto3.client("dynamodb", region_name=REGION).create_table(**table_from_template("t"))
    routes = folder / "routes.csv"
    routes.write_text(routes.read_text().replace("800-555-0198", "call us"))

    code = main(["directory", "import", str(folder), "--table", "t"])

    out = capsys.readouterr().out
    assert code == 2
    assert "routes.csv:3: 'call us' is not a number like 800-555-0100" in out
    assert main(["directory", "versions", "--table", "t"]) == 0
    assert "no directory imported" in capsys.readouterr().out
