"""Per-payer settings: what the 270 asks a payer, and the place of service it takes for an
infusion suite. A payer's come from the payer directory (``intake.directory``); unknown payers
and unset keys use the 'default' profile of ``intake/data/payer_profiles.json``."""

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
    from intake.directory.runtime import payer_profile

    profiles = _profiles()
    listed = profiles.get(payer_id) or payer_profile(payer_id) or {}
    return listed.get(key, profiles["default"][key])
