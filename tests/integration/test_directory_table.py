"""The payer directory in the table (moto): an import, a rollback and an export, as the API
and the CLI do them; lookups read only the pointer and the payer's item."""

from __future__ import annotations

import boto3
import pytest

from intake.adapters.dynamodb_directory import DynamoDbDirectory
from intake.core.errors import Conflict
from intake.directory.csvfiles import DirectoryInvalid
from intake.directory.service import PayerDirectory
from intake.directory.store import shipped_files
from tests.integration.conftest import REGION, table_from_template


@pytest.fixture
def directory(aws: None) -> PayerDirectory:
    boto3.client("dynamodb", region_name=REGION).create_table(**table_from_template("intake-table"))
    return PayerDirectory(DynamoDbDirectory("intake-table"), pointer_seconds=0)


def test_import_rollback_and_export_in_the_table(directory: PayerDirectory) -> None:
    """Given the sandbox directory imported twice, the second with SBX05 in network
    When the first is rolled back to and exported
    Then lookups read the first version again and the export is the shipped files, because
    the table must keep every version whole until it is chosen again."""
    directory.import_files(shipped_files(), "pharmacist-1")
    changed = shipped_files()["contracts.csv"].replace(b"SBX05,,no,", b"SBX05,,yes,")
    directory.import_files({**shipped_files(), "contracts.csv": changed}, "supervisor-1")
    assert directory.payer("SBX05").contract().in_network is True  # type: ignore[union-attr]

    directory.rollback("v0001")

    current, versions = directory.versions()
    assert current == "v0001" and [v.version for v in versions] == ["v0001", "v0002"]
    fresh = PayerDirectory(DynamoDbDirectory("intake-table"))
    assert fresh.payer("SBX05").contract().in_network is False  # type: ignore[union-attr]
    assert fresh.resolve(None, "Sandbox Slow Health").payer_id == "SBX05"
    assert fresh.export() == shipped_files()


def test_a_bad_import_leaves_the_table_as_it_was(directory: PayerDirectory) -> None:
    """Given an imported directory
    When files with a bad row are imported
    Then no version is added and the pointer has not moved, because nothing is applied
    unless every row is good."""
    directory.import_files(shipped_files(), "pharmacist-1")
    bad = shipped_files()["rates.csv"] + b"SBX01,,J1745,-3\n"

    with pytest.raises(DirectoryInvalid):
        directory.import_files({**shipped_files(), "rates.csv": bad}, "pharmacist-1")

    current, versions = directory.versions()
    assert current == "v0001" and len(versions) == 1
    with pytest.raises(Conflict):
        directory.rollback("v0002")
