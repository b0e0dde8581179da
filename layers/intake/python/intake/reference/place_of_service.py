"""CMS Place of Service codes (``intake/data/place_of_service.json``, rows copied from the CMS
"Place of Service Code Set" page, which the file names with its retrieval date).

Only the codes this product requests or prices at are listed; a payer profile naming any other
code is a data error, raised when the profile is read, never passed on to a 278."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True, slots=True)
class PlaceOfService:
    code: str
    name: str
    description: str


@dataclass(frozen=True, slots=True)
class PlaceOfServiceCodes:
    source: str
    retrieved: str
    codes: dict[str, PlaceOfService]

    def get(self, code: str) -> PlaceOfService:
        """The code's row; ``KeyError`` naming the source when it is not listed."""
        try:
            return self.codes[code]
        except KeyError:
            raise KeyError(f"place of service {code!r} is not in {self.source}") from None


@functools.cache
def place_of_service_codes() -> PlaceOfServiceCodes:
    raw = json.loads(
        resources.files("intake.data").joinpath("place_of_service.json").read_text("utf-8")
    )
    codes = {
        code: PlaceOfService(code, row["name"], row["description"])
        for code, row in raw["codes"].items()
    }
    return PlaceOfServiceCodes(raw["source"], raw["retrieved"], codes)
