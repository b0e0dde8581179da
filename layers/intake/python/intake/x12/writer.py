"""The one writer: transaction bodies built segment by segment, and their interchange.

``SegmentWriter`` holds what every builder needs (the delimiters, HL numbering, an NM1 echoed
from a read ``Entity``, an AAA, text cut to an element's size in the basic character set);
``write_transaction`` wraps bodies in the ISA/GS/ST envelopes of a transaction set's grammar.
The 270, 271 and 278 builders, and the sandbox payer through them, all write through here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TypedDict, Unpack

from intake.x12.control_numbers import ControlNumberSource
from intake.x12.delimiters import DEFAULT_DELIMITERS, Delimiters
from intake.x12.envelope import EnvelopeParties, build_interchange
from intake.x12.errors import X12BuildError
from intake.x12.grammar import TransactionSet
from intake.x12.segments import ElementValue, Segment, write_segments
from intake.x12.text import x12_name, x12_text
from intake.x12.values import Entity

__all__ = ["SegmentWriter", "WriteOptions", "write_segments", "write_transaction"]

NAME_MAX, FIRST_NAME_MAX = 60, 35
"""NM103 and NM104 maximum lengths (X12 data elements 1035, 1036)."""


class WriteOptions(TypedDict, total=False):
    """How a builder writes its interchange (every ``build_*`` function takes these)."""

    parties: EnvelopeParties | None
    delimiters: Delimiters
    control_numbers: ControlNumberSource | None
    now: datetime | None
    line_ending: str


def write_transaction(
    grammar: TransactionSet,
    bodies: Sequence[Sequence[Segment]],
    *,
    implementation: str | None = None,
    **options: Unpack[WriteOptions],
) -> str:
    """One interchange holding one transaction of ``grammar`` per body (ST…SE counted here)."""
    return build_interchange(
        grammar.functional_id,
        grammar.id,
        implementation or grammar.implementation,
        bodies,
        **options,
    )


class SegmentWriter:
    """Builds one transaction body with one set of delimiters."""

    def __init__(self, delimiters: Delimiters = DEFAULT_DELIMITERS) -> None:
        self.delimiters = delimiters
        self.body: list[Segment] = []
        self.hl_count = 0

    def __call__(self, segment_id: str, *values: ElementValue) -> Segment:
        """A segment, not added to the body."""
        return Segment.build(segment_id, *values, delimiters=self.delimiters)

    def add(self, segment_id: str, *values: ElementValue) -> None:
        self.body.append(Segment.build(segment_id, *values, delimiters=self.delimiters))

    def copy(self, seg: Segment) -> None:
        """A read segment echoed as it came (its own delimiters, re-encoded when written)."""
        self.body.append(Segment(seg.id, seg.elements, seg.delimiters))

    def hl(self, parent: int | None, level: str, has_children: bool) -> int:
        """The next HL (HL01 counted here), under ``parent``; its id."""
        self.hl_count += 1
        self.add(
            "HL",
            str(self.hl_count),
            "" if parent is None else str(parent),
            level,
            "1" if has_children else "0",
        )
        return self.hl_count

    def nm1(self, code: str, e: Entity | None) -> None:
        """An NM1 echoing a party as read (the reply names the request's parties)."""
        if e is None:
            raise X12BuildError(f"the request has no NM1 to echo as {code}")
        self.add(
            "NM1",
            code,
            e.entity_type or "2",
            e.last_or_org_name,
            e.first_name,
            e.middle_name,
            "",
            e.suffix,
            e.id_qualifier,
            e.id,
        )

    def person(
        self,
        code: str,
        last: str,
        first: str,
        role: str,
        id_qualifier: str = "",
        id: str = "",
        suffix: str = "",
    ) -> Segment:
        """An NM1 for a person (NM102 1): last name required, first name if X12 can carry it,
        the suffix in NM107; ``role`` names them in a build error (never the value)."""
        return self(
            "NM1",
            code,
            "1",
            self.name(last, f"{role} last name"),
            self.name(first, f"{role} first name", FIRST_NAME_MAX, required=False),
            "",
            "",
            self.text(suffix, 10) if suffix else "",
            id_qualifier or None,
            id or None,
        )

    def organization(
        self, code: str, name: str, what: str, id_qualifier: str = "", id: str = ""
    ) -> Segment:
        """An NM1 for an organization (NM102 2)."""
        return self(
            "NM1",
            code,
            "2",
            self.name(name, what),
            "",
            "",
            "",
            "",
            id_qualifier or None,
            id or None,
        )

    def demographics(self, dob: date, sex: str | None) -> Segment:
        """DMG with a D8 date of birth and, when known, the sex code."""
        return self("DMG", "D8", dob.strftime("%Y%m%d"), sex or None)

    def aaa(self, valid_request: bool, code: str, follow_up: str) -> None:
        self.add("AAA", "Y" if valid_request else "N", "", code, follow_up)

    def name(self, value: str, what: str, max_length: int = NAME_MAX, required: bool = True) -> str:
        return x12_name(
            value, max_length=max_length, what=what, required=required, delimiters=self.delimiters
        )

    def text(self, value: str, max_length: int) -> str:
        return x12_text(value, max_length=max_length, delimiters=self.delimiters)
