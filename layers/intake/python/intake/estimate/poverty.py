"""HHS poverty guidelines as data (``intake/data/poverty_guidelines.json``): a household's
income as a percentage of the guideline for its size, in the year the income is judged.

Only the table for the 48 contiguous states and DC is held; Alaska and Hawaii have their own,
so an income there is not judged here (None), never on the wrong table.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field

OWN_TABLES = frozenset({"AK", "HI"})
"""States whose guidelines differ from the contiguous states' table (not held here)."""


class _Year(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str
    effective: date
    region: str
    by_size: dict[int, Decimal]
    each_additional: Decimal


class Guidelines(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    doc: str | None = Field(default=None, alias="_doc")
    version: str
    years: dict[int, _Year]

    def guideline(self, year: int, household: int) -> tuple[Decimal, int, str]:
        """(100% of the guideline, the table's year, its source) for ``household`` persons;
        a year not yet published takes the latest table (the caller names it)."""
        table_year = year if year in self.years else max(y for y in self.years if y <= year)
        table = self.years[table_year]
        largest = max(table.by_size)
        if household <= largest:
            return table.by_size[household], table_year, table.source
        extra = (household - largest) * table.each_additional
        return table.by_size[largest] + extra, table_year, table.source


@functools.cache
def load_guidelines() -> Guidelines:
    text = resources.files("intake.data").joinpath("poverty_guidelines.json").read_text("utf-8")
    return Guidelines.model_validate(json.loads(text))


@dataclass(frozen=True, slots=True)
class IncomeLevel:
    percent: Decimal
    """Household income as a % of the guideline (one decimal)."""
    guideline: Decimal
    table_year: int
    source: str


def percent_of_poverty(
    income: Decimal, household: int, on: date, state: str | None = None
) -> IncomeLevel | None:
    """``income`` (annual, the household's) as a % of the HHS guideline for ``household``
    persons in the year of ``on``. None: the state has its own table (Alaska, Hawaii)."""
    if household < 1:
        raise ValueError("a household has at least one person")
    if (state or "").upper() in OWN_TABLES:
        return None
    guideline, year, source = load_guidelines().guideline(on.year, household)
    percent = (income * 100 / guideline).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return IncomeLevel(percent, guideline, year, source)
