"""Likely payers from today's payer profiles (``intake/data/payer_profiles.json``), until the
payer directory's ``likely_payers`` is wired in.

The profiles name no states and do not say which payers take the name/date-of-birth search, so
this adapter says so rather than guess: the state cannot narrow the list (every payer is a
candidate, in the file's order), and whether a payer answers a demographic 270 is unknown (it is
asked; its AAA answer tells). Pharmacy benefit managers are not coverage and are left out."""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

from intake.discovery.ports import PayerCandidate


@functools.cache
def _candidates() -> tuple[PayerCandidate, ...]:
    data: dict[str, Any] = json.loads(
        resources.files("intake.data").joinpath("payer_profiles.json").read_text("utf-8")
    )
    out: list[PayerCandidate] = []
    for payer_id, profile in data.items():
        if payer_id.startswith("_") or payer_id == "default" or not isinstance(profile, dict):
            continue
        program = profile.get("program")
        if program == "pbm":
            continue
        out.append(
            PayerCandidate(
                name=profile.get("name") or payer_id,
                payer_id=payer_id,
                plan_type=program,
                answers_demographic_270=None,
                order=len(out) + 1,
            )
        )
    return tuple(out)


class ProfilePayers:
    """``LikelyPayers`` over the payer profiles: the state is not used (the profiles name none)."""

    def likely_payers(self, state: str | None, limit: int) -> list[PayerCandidate]:
        return list(_candidates()[: max(0, limit)])
