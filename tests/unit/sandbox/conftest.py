"""A public 270 whose provider uses a non-NPI id (SV), for the sandbox's 2100B check."""

from __future__ import annotations

import pytest

from tests.conftest import SHARED_FIXTURES

SHARED_X12 = SHARED_FIXTURES / "x12"


@pytest.fixture
def shared_x12_270() -> str:
    return (SHARED_X12 / "lfh-subscriber-health-benefit-check.270").read_text(encoding="ascii")
