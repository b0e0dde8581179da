"""ISA/GS/ST envelopes: reading with count and control-number checks, and building.

Counts (SE01, GE01, IEA01) and control numbers (ST02/SE02, GS06/GE02, ISA13/IEA02) are checked
against what the envelope holds: errors in strict mode, warnings otherwise, because some senders
get them wrong while the content is intact (the LinuxForHealth error sample has SE02 != ST02;
hand-made and older senders' files miscount SE01). A document cut short (no SE, GE or IEA) is
never whole and is refused in both modes, naming what is missing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from intake.x12.control_numbers import ControlNumberSource, default_control_numbers
from intake.x12.delimiters import DEFAULT_DELIMITERS, ISA_LENGTH, Delimiters
from intake.x12.errors import X12BuildError, X12EnvelopeError
from intake.x12.reader import tokenize
from intake.x12.segments import Segment, write_segments


@dataclass(slots=True)
class Transaction:
    """One ST…SE transaction set; ``segments`` is the body between ST and SE."""

    header: Segment
    segments: list[Segment]
    trailer: Segment

    @property
    def set_id(self) -> str:
        return self.header.element(1)

    @property
    def control_number(self) -> str:
        return self.header.element(2)

    @property
    def implementation(self) -> str:
        return self.header.element(3)


@dataclass(slots=True)
class FunctionalGroup:
    """One GS…GE group of transactions of the same functional id (HS for 270, HB for 271)."""

    header: Segment
    transactions: list[Transaction]
    trailer: Segment

    @property
    def functional_id(self) -> str:
        return self.header.element(1)


@dataclass(slots=True)
class Interchange:
    """One ISA…IEA interchange as read, with warnings collected in non-strict mode."""

    delimiters: Delimiters
    header: Segment
    groups: list[FunctionalGroup]
    trailer: Segment
    warnings: list[str] = field(default_factory=list)

    @property
    def control_number(self) -> str:
        return self.header.element(13)

    def transactions(self) -> Iterator[Transaction]:
        for group in self.groups:
            yield from group.transactions

    def segments(self) -> Iterator[Segment]:
        """Every segment in interchange order, envelopes included."""
        yield self.header
        for group in self.groups:
            yield group.header
            for tx in group.transactions:
                yield tx.header
                yield from tx.segments
                yield tx.trailer
            yield group.trailer
        yield self.trailer

    def to_x12(self, delimiters: Delimiters | None = None, line_ending: str = "") -> str:
        """The interchange as text, optionally re-delimited (round-trips through the parser)."""
        return write_segments(self.segments(), delimiters or self.delimiters, line_ending)


def _count(segment: Segment, n: int) -> int:
    value = segment.element(n).strip()
    if not value.isdigit():
        raise X12EnvelopeError(
            f"{segment.id}{n:02d} should be a count (digits)",
            position=segment.position,
            segment_id=segment.id,
        )
    return int(value)


class _Checker:
    def __init__(self, strict: bool) -> None:
        self.strict = strict
        self.warnings: list[str] = []

    def control(self, trailer: Segment, n: int, expected: str, header: Segment, m: int) -> None:
        got = trailer.element(n).strip()
        if got == expected.strip():
            return
        err = X12EnvelopeError(
            f"{trailer.id}{n:02d} control number does not match {header.id}{m:02d} "
            f"of segment {header.position}",
            position=trailer.position,
            segment_id=trailer.id,
        )
        self.report(err)

    def count(self, trailer: Segment, actual: int, what: str, where: str) -> None:
        """The trailer's count (SE01, GE01, IEA01) against what the envelope holds."""
        declared = _count(trailer, 1)
        if declared != actual:
            self.report(
                X12EnvelopeError(
                    f"{trailer.id}01 says {declared} {what} but the {where} has {actual}",
                    position=trailer.position,
                    segment_id=trailer.id,
                )
            )

    def report(self, err: X12EnvelopeError) -> None:
        if self.strict:
            raise err
        self.warnings.append(str(err))


def _check_isa(isa: Segment, check: _Checker) -> None:
    """An ISA read although its widths are wrong (a padded-wrong sender id) or its ISA16
    repeats ISA11: the content is whole, the sender is told."""
    # ISA16 counts as its one character: read back, a line-break ISA16 may be trimmed
    width = 3 + sum(len(e) + 1 for e in isa.elements[:15]) + 2
    if width != ISA_LENGTH - 1:
        check.report(
            X12EnvelopeError(
                f"ISA is {width} characters long, not {ISA_LENGTH - 1}: its elements are not "
                "at their fixed widths",
                position=1,
                segment_id="ISA",
            )
        )
    if isa.element(11) == isa.element(16) and not isa.element(11).isalnum():
        check.report(
            X12EnvelopeError(
                f"ISA11 and ISA16 are both {isa.element(16)!r}: read as the repetition "
                "separator, no element split into components",
                position=1,
                segment_id="ISA",
            )
        )


def _unexpected(segment: Segment, where: str) -> X12EnvelopeError:
    return X12EnvelopeError(
        f"{segment.id} is not expected {where}", position=segment.position, segment_id=segment.id
    )


_ENVELOPE_IDS = frozenset({"ISA", "IEA", "GS", "GE", "ST", "SE"})


def _trailer(segments: list[Segment], j: int, opened: str, trailer_id: str) -> Segment:
    """The segment at ``j`` where ``opened`` should close with ``trailer_id``; past the end the
    document was cut short."""
    if j == len(segments):
        last = segments[-1]
        raise X12EnvelopeError(
            f"{opened} has no {trailer_id} (truncated?)",
            position=last.position,
            segment_id=last.id,
        )
    return segments[j]


def _read_transaction(segments: list[Segment], i: int, check: _Checker) -> tuple[Transaction, int]:
    st = segments[i]
    j = i + 1
    n = len(segments)
    while j < n and segments[j].id not in _ENVELOPE_IDS:
        j += 1
    se = _trailer(segments, j, f"the transaction started by ST at segment {st.position}", "SE")
    if se.id != "SE":
        raise X12EnvelopeError(
            f"{se.id} before the SE closing the ST at segment {st.position}",
            position=se.position,
            segment_id=se.id,
        )
    check.count(se, j - i + 1, "segments", "transaction")
    check.control(se, 2, st.element(2), st, 2)
    return Transaction(st, segments[i + 1 : j], se), j + 1


def _read_group(segments: list[Segment], i: int, check: _Checker) -> tuple[FunctionalGroup, int]:
    gs = segments[i]
    transactions: list[Transaction] = []
    j = i + 1
    n = len(segments)
    while j < n and segments[j].id == "ST":
        tx, j = _read_transaction(segments, j, check)
        transactions.append(tx)
    ge = _trailer(segments, j, f"the group started by GS at segment {gs.position}", "GE")
    if ge.id != "GE":
        raise _unexpected(ge, "here: a group holds ST…SE transactions then GE")
    check.count(ge, len(transactions), "transactions", "group")
    check.control(ge, 2, gs.element(6), gs, 6)
    return FunctionalGroup(gs, transactions, ge), j + 1


def parse_interchange(text: str, *, strict: bool = True) -> Interchange:
    """Read one interchange and check its envelopes.

    Raises an ``X12Error`` subclass naming the segment for anything malformed; with
    ``strict=False`` count and control-number mismatches become ``Interchange.warnings``.
    """
    delimiters, segments = tokenize(text)
    isa = segments[0]
    if len(isa.elements) != 16:
        raise X12EnvelopeError(
            f"ISA has {len(isa.elements)} elements, it must have 16",
            position=1,
            segment_id="ISA",
        )
    check = _Checker(strict)
    _check_isa(isa, check)
    groups: list[FunctionalGroup] = []
    i = 1
    n = len(segments)
    while i < n and segments[i].id == "GS":
        group, i = _read_group(segments, i, check)
        groups.append(group)
    iea = _trailer(segments, i, "the interchange", "IEA")
    if iea.id != "IEA":
        where = "here: an interchange holds GS…GE groups then IEA"
        raise _unexpected(iea, where)
    if i + 1 < n:
        raise _unexpected(segments[i + 1], "after IEA (one interchange per document)")
    check.count(iea, len(groups), "functional groups", "interchange")
    check.control(iea, 2, isa.element(13), isa, 13)
    return Interchange(delimiters, isa, groups, iea, check.warnings)


@dataclass(frozen=True, slots=True)
class EnvelopeParties:
    """Who sends and receives: ISA05-08 and GS02-03. ``usage`` is ISA15 (T test, P production)."""

    sender_id: str = "INFUSIONINTAKE"
    receiver_id: str = "SANDBOXCH"
    sender_qualifier: str = "ZZ"
    receiver_qualifier: str = "ZZ"
    application_sender: str | None = None
    application_receiver: str | None = None
    usage: str = "T"

    def swapped(self) -> EnvelopeParties:
        """The parties of the reply (a 271 goes back to the 270's sender)."""
        return EnvelopeParties(
            sender_id=self.receiver_id,
            receiver_id=self.sender_id,
            sender_qualifier=self.receiver_qualifier,
            receiver_qualifier=self.sender_qualifier,
            application_sender=self.application_receiver,
            application_receiver=self.application_sender,
            usage=self.usage,
        )

    @classmethod
    def from_interchange(cls, interchange: Interchange) -> EnvelopeParties:
        isa = interchange.header
        gs = interchange.groups[0].header if interchange.groups else None
        return cls(
            sender_id=isa.element(6).strip(),
            receiver_id=isa.element(8).strip(),
            sender_qualifier=isa.element(5).strip(),
            receiver_qualifier=isa.element(7).strip(),
            application_sender=gs.element(2) if gs else None,
            application_receiver=gs.element(3) if gs else None,
            usage=isa.element(15).strip() or "T",
        )


def _fixed(value: str, width: int, name: str) -> str:
    if len(value) > width:
        raise X12BuildError(f"{name} is at most {width} characters")
    return value.ljust(width)


def build_interchange(
    functional_id: str,
    transaction_set: str,
    implementation: str,
    bodies: Sequence[Sequence[Segment]],
    *,
    parties: EnvelopeParties | None = None,
    delimiters: Delimiters = DEFAULT_DELIMITERS,
    control_numbers: ControlNumberSource | None = None,
    now: datetime | None = None,
    line_ending: str = "",
) -> str:
    """A complete interchange holding one group with one transaction per body.

    Control numbers come from ``control_numbers`` (unique by default); SE01, GE01 and IEA01 are
    counted here so callers cannot get them wrong.
    """
    p = parties or EnvelopeParties()
    numbers = control_numbers or default_control_numbers()
    stamp = now or datetime.now()
    if p.usage not in ("T", "P"):
        raise X12BuildError("ISA15 usage indicator is T (test) or P (production)")
    isa13 = f"{numbers.next_interchange():09d}"
    gs06 = str(numbers.next_group())
    rep = delimiters.repetition
    if rep is None:
        raise X12BuildError("005010 interchanges need a repetition separator (ISA11)")

    def seg(segment_id: str, *values: str) -> Segment:
        return Segment.build(segment_id, *values, delimiters=delimiters)

    isa = Segment(
        "ISA",
        (
            "00",
            " " * 10,
            "00",
            " " * 10,
            _fixed(p.sender_qualifier, 2, "ISA05"),
            _fixed(p.sender_id, 15, "ISA06"),
            _fixed(p.receiver_qualifier, 2, "ISA07"),
            _fixed(p.receiver_id, 15, "ISA08"),
            stamp.strftime("%y%m%d"),
            stamp.strftime("%H%M"),
            rep,
            "00501",
            isa13,
            "0",
            p.usage,
            delimiters.component,
        ),
        delimiters,
    )
    gs = seg(
        "GS",
        functional_id,
        p.application_sender or p.sender_id.strip(),
        p.application_receiver or p.receiver_id.strip(),
        stamp.strftime("%Y%m%d"),
        stamp.strftime("%H%M"),
        gs06,
        "X",
        implementation,
    )
    segments = [isa, gs]
    for body in bodies:
        st02 = f"{numbers.next_transaction():04d}"
        segments.append(seg("ST", transaction_set, st02, implementation))
        segments.extend(body)
        segments.append(seg("SE", str(len(body) + 2), st02))
    segments.append(seg("GE", str(len(bodies)), gs06))
    segments.append(seg("IEA", "1", isa13))
    return write_segments(segments, delimiters, line_ending)
