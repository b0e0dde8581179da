"""Coverage policies' diagnosis lists (``intake/data/coverage_lists.json``), exact codes only.

A list is what its policy prints: the Medicare home IVIG benefit covers the 24 codes of
MBPM Ch.15 §50.6, not "D80-D84" (D80.1, D81.4 and every D84 code are absent; G11.3 is
present). Membership is an exact match after normalizing the spelling (``d83.9`` = ``D839`` =
``D83.9``); a header such as ``D83`` is never on a list, even when all its children are.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

from intake.reference.codesets import dotted, icd10_key

MEDICARE_HOME_IVIG = "medicare_home_ivig"


@dataclass(frozen=True, slots=True)
class CoverageList:
    """One policy's list: the policy it comes from, its revision and its exact codes."""

    id: str
    policy: str
    revision: str
    source: str
    codes: frozenset[str]

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and dotted(icd10_key(code)) in self.codes

    @property
    def cited(self) -> str:
        """What a decision prints: ``Medicare Benefit Policy Manual ... §50.6 (Rev. 259, ...)``."""
        return f"{self.policy} ({self.revision})"


@functools.cache
def coverage_list(list_id: str) -> CoverageList:
    """A policy's list by id (KeyError for a list the data does not hold)."""
    raw = json.loads(resources.files("intake.data").joinpath("coverage_lists.json").read_text())
    item = raw["lists"][list_id]
    return CoverageList(
        id=list_id,
        policy=item["policy"],
        revision=item["revision"],
        source=item["source"],
        codes=frozenset(dotted(icd10_key(c)) for c in item["codes"]),
    )


def home_ivig_list() -> CoverageList:
    """The Medicare home IVIG benefit's diagnosis list (MBPM Ch.15 §50.6)."""
    return coverage_list(MEDICARE_HOME_IVIG)


HOME_IVIG_POLICY = "Medicare Benefit Policy Manual (CMS Pub. 100-02) Ch.15 §50.6"
"""The policy ``on_home_ivig_list`` answers from (also ``home_ivig_list().policy``)."""


def on_home_ivig_list(code: str) -> bool:
    """Whether ``code`` is exactly one of the 24 codes of MBPM Ch.15 §50.6 (Rev. 259)."""
    return code in home_ivig_list()


@dataclass(frozen=True, slots=True)
class ListDecision:
    """Which of a referral's codes a policy's list holds, and the policy that said so."""

    listed: tuple[str, ...]
    not_listed: tuple[str, ...]
    policy: str

    @property
    def on_list(self) -> bool:
        return bool(self.listed)

    @property
    def reason(self) -> str:
        """Plain words naming the policy (codes are the liaison's to see, never logged)."""
        if self.listed:
            return f"{', '.join(self.listed)} on the list of {self.policy}"
        return f"no diagnosis of the referral is on the list of {self.policy}"


def decide(list_id: str, codes: Sequence[str]) -> ListDecision:
    """Exact membership of each code in a policy's list (a header is never on a list)."""
    listed = coverage_list(list_id)
    spelled = [dotted(icd10_key(c)) for c in codes]
    return ListDecision(
        listed=tuple(c for c in spelled if c in listed),
        not_listed=tuple(c for c in spelled if c not in listed),
        policy=listed.cited,
    )
