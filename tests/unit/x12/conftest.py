"""Paths to the public X12 samples (../shared/fixtures/x12), our hand-written 271s, and a
runner for the ``intake x12`` commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from intake_local.commands.x12 import register
from tests.conftest import SHARED_FIXTURES, cli_runner

PROJECT_ROOT = Path(__file__).resolve().parents[3]
SHARED_X12 = SHARED_FIXTURES / "x12"
LOCAL_X12 = PROJECT_ROOT / "tests" / "fixtures" / "x12"
Run = Callable[..., tuple[int, str, str]]


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


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """``intake x12 …`` as the lead wires it into argparse: (exit code, stdout, stderr)."""
    return cli_runner(register, capsys)
