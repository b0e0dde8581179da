"""The three parts of a home infusion claim, shared by the benefits reading, the service plan
and the estimate (a leaf module: it imports nothing of ours)."""

from __future__ import annotations

from enum import StrEnum


class Component(StrEnum):
    """Drug (J/Q code units), per diem (S-code: pharmacy services, supplies, pump; one a day)
    and nursing (99601 and +99602): billed under different codes and often different benefits."""

    DRUG = "drug"
    PER_DIEM = "per_diem"
    NURSING = "nursing"
