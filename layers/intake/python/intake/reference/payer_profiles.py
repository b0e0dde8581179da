"""Per-payer settings (``intake/data/payer_profiles.json``): what the 270 asks a payer, and the
place of service it takes for an infusion suite. Unknown payers and unset keys use 'default'."""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any


@functools.cache
def _profiles() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        resources.files("intake.data").joinpath("payer_profiles.json").read_text("utf-8")
    )
    return data


def payer_setting(payer_id: str, key: str) -> Any:
    """A payer's setting, else the default profile's."""
    profiles = _profiles()
    return (profiles.get(payer_id) or {}).get(key, profiles["default"][key])
