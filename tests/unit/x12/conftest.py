"""Paths to the public X12 samples (../shared/fixtures/x12) and our hand-written 271s."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import SHARED_FIXTURES

PROJECT_ROOT = Path(__file__).resolve().parents[3]
SHARED_X12 = SHARED_FIXTURES / "x12"
LOCAL_X12 = PROJECT_ROOT / "tests" / "fixtures" / "x12"


def _reader(directory: Path) -> Callable[[str], str]:
    def read(name: str) -> str:
        # newline="" keeps \r\n: the reader must cope with the bytes as sent
        with (directory / name).open(encoding="ascii", newline="") as f:
            return f.read()

    return read


@pytest.fixture
def shared_x12() -> Callable[[str], str]:
    return _reader(SHARED_X12)


@pytest.fixture
def local_x12() -> Callable[[str], str]:
    return _reader(LOCAL_X12)
