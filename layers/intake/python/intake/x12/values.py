"""Typed element values (dates, amounts, names) read with errors that name the segment."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from intake.x12.errors import X12ValueError
from intake.x12.segments import Segment


def _bad(seg: Segment, n: int, what: str) -> X12ValueError:
    return X12ValueError(f"{seg.id}{n:02d} is not {what}", position=seg.position, segment_id=seg.id)


def parse_ccyymmdd(seg: Segment, n: int, value: str | None = None) -> date:
    raw = seg.element(n) if value is None else value
    if len(raw) != 8 or not raw.isdigit():
        raise _bad(seg, n, "a CCYYMMDD date")
    try:
        return date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
    except ValueError:
        raise _bad(seg, n, "a real calendar date") from None


def optional_date(seg: Segment, n: int) -> date | None:
    return parse_ccyymmdd(seg, n) if seg.element(n) else None


def date_period(seg: Segment, fmt_n: int, value_n: int) -> tuple[date, date | None]:
    """A D8 date or RD8 range (``CCYYMMDD-CCYYMMDD``) from a DTP-like segment."""
    fmt = seg.element(fmt_n)
    raw = seg.element(value_n)
    if fmt == "RD8":
        start, sep, end = raw.partition("-")
        if not sep:
            raise _bad(seg, value_n, "an RD8 range CCYYMMDD-CCYYMMDD")
        return parse_ccyymmdd(seg, value_n, start), parse_ccyymmdd(seg, value_n, end)
    if fmt == "D8":
        return parse_ccyymmdd(seg, value_n), None
    raise X12ValueError(
        f"{seg.id}{fmt_n:02d} date format {fmt!r} is not D8 or RD8",
        position=seg.position,
        segment_id=seg.id,
    )


def optional_decimal(seg: Segment, n: int) -> Decimal | None:
    raw = seg.element(n)
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise _bad(seg, n, "a number") from None
    if not value.is_finite():
        raise _bad(seg, n, "a finite number")
    return value


@dataclass(frozen=True, slots=True)
class Entity:
    """An NM1 party: a person (type 1) or an organization (type 2) with its identifier."""

    entity_code: str
    entity_type: str
    last_or_org_name: str
    first_name: str
    middle_name: str
    suffix: str
    id_qualifier: str
    id: str
    position: int

    @classmethod
    def from_nm1(cls, seg: Segment) -> Entity:
        e = seg.element
        return cls(e(1), e(2), e(3), e(4), e(5), e(7), e(8), e(9), seg.position)

    @property
    def display_name(self) -> str:
        """``FIRST MIDDLE LAST`` for a person, the name for an organization."""
        if self.entity_type == "1":
            return " ".join(
                p for p in (self.first_name, self.middle_name, self.last_or_org_name) if p
            )
        return self.last_or_org_name


@dataclass(frozen=True, slots=True)
class Rejection:
    """An AAA segment: why (part of) the request could not be answered, and what to do
    (AAA01 valid request, AAA03 reject reason, AAA04 follow-up action), at ``loop``."""

    loop: str
    valid_request: bool | None
    code: str
    follow_up: str
    position: int

    @classmethod
    def from_aaa(cls, seg: Segment, loop: str) -> Rejection:
        valid = seg.element(1)
        return cls(
            loop,
            True if valid == "Y" else False if valid == "N" else None,
            seg.element(3),
            seg.element(4),
            seg.position,
        )


@dataclass(slots=True)
class PersonLoop:
    """A subscriber or dependent loop as read (271 2100C/D, 278 2000C/D): the NM1 and the
    segments every transaction set reads the same way."""

    loop: str
    entity: Entity | None = None
    dob: date | None = None
    sex: str = ""
    relationship: str = ""
    references: list[Segment] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    other: list[Segment] = field(default_factory=list)

    @property
    def member_id(self) -> str:
        return self.entity.id if self.entity and self.entity.id_qualifier in ("MI", "II") else ""

    def file(self, seg: Segment, loop: str) -> bool:
        """Take NM1, DMG, INS, REF or AAA; False for any other segment."""
        sid = seg.id
        if sid == "NM1":
            self.entity = Entity.from_nm1(seg)
        elif sid == "DMG":
            if seg.element(1) == "D8":
                self.dob = optional_date(seg, 2)
            self.sex = seg.element(3)
        elif sid == "INS":
            self.relationship = seg.element(2)
        elif sid == "REF":
            self.references.append(seg)
        elif sid == "AAA":
            self.rejections.append(Rejection.from_aaa(seg, loop))
        else:
            return False
        return True
