"""Segments as small immutable values with element, repetition and component access.

A segment keeps its elements as the raw text between element separators and splits
repetitions/components only when asked: most elements of a 271 are read once and are simple,
so eager splitting would cost time for nothing. Equality is on the delimiter-free structure, so
the same data written with different delimiters compares equal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from intake.x12.delimiters import DEFAULT_DELIMITERS, Delimiters
from intake.x12.errors import X12BuildError

Components = tuple[str, ...]
"""One element split into its components (a single-component tuple for a simple element)."""

Structure = tuple[tuple[Components, ...], ...]
"""A segment's elements as repeats of components: independent of the delimiters used."""


@dataclass(frozen=True, slots=True)
class Repeated:
    """Builder input for a repeating element (e.g. EQ01, EB03): each value is one repeat."""

    values: tuple[str | Components, ...]


def repeated(*values: str | Components) -> Repeated:
    """``repeated("30", "1", "42")`` → ``30^1^42`` with the default repetition separator."""
    return Repeated(tuple(values))


ElementValue = str | Components | Repeated | None
"""What builders pass per element: text, a composite (tuple of components), repeats, or empty."""


def _check(value: str, delimiters: Delimiters, segment_id: str, n: int) -> str:
    if delimiters.chars.isdisjoint(value):
        return value
    raise X12BuildError(
        f"{segment_id}{n:02d} contains a delimiter character; X12 has no escape, "
        "choose other delimiters or clean the value"
    )


def _strip_trailing(parts: list[str]) -> list[str]:
    while parts and not parts[-1]:
        parts.pop()
    return parts


def _encode_composite(value: Components, d: Delimiters, segment_id: str, n: int) -> str:
    parts = [_check(c, d, segment_id, n) for c in value]
    return d.component.join(_strip_trailing(parts))


def encode_element(value: ElementValue, d: Delimiters, segment_id: str, n: int) -> str:
    """One builder value as raw element text for delimiters ``d``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _check(value, d, segment_id, n)
    if isinstance(value, Repeated):
        if d.repetition is None:
            raise X12BuildError(
                f"{segment_id}{n:02d} repeats but the interchange has no "
                "repetition separator (ISA11)"
            )
        encoded = [
            _check(v, d, segment_id, n)
            if isinstance(v, str)
            else _encode_composite(v, d, segment_id, n)
            for v in value.values
        ]
        return d.repetition.join(encoded)
    return _encode_composite(value, d, segment_id, n)


@dataclass(frozen=True, slots=True, eq=False)
class Segment:
    """One segment: its id, raw elements (``elements[0]`` is element 01) and delimiters.

    ``position`` is the 1-based place in the interchange it was read from (0 when built); it is
    for error messages and not part of equality.
    """

    id: str
    elements: tuple[str, ...]
    delimiters: Delimiters = DEFAULT_DELIMITERS
    position: int = 0

    @classmethod
    def build(
        cls, segment_id: str, *values: ElementValue, delimiters: Delimiters = DEFAULT_DELIMITERS
    ) -> Segment:
        """A segment from builder values; trailing empty elements are dropped as X12 requires."""
        raw = [encode_element(v, delimiters, segment_id, n) for n, v in enumerate(values, 1)]
        return cls(segment_id, tuple(_strip_trailing(raw)), delimiters)

    def element(self, n: int) -> str:
        """Element ``n`` (1-based, as in ``NM103``) as raw text; empty when absent."""
        return self.elements[n - 1] if 0 < n <= len(self.elements) else ""

    def __getitem__(self, n: int) -> str:
        return self.element(n)

    def __len__(self) -> int:
        return len(self.elements)

    def repeats(self, n: int) -> list[str]:
        """Element ``n`` split on the repetition separator; ``[]`` when the element is empty."""
        raw = self.element(n)
        if not raw:
            return []
        rep = self.delimiters.repetition
        return raw.split(rep) if rep is not None and rep in raw else [raw]

    def components(self, n: int, repeat: int = 0) -> list[str]:
        """Components of element ``n`` (of its ``repeat``-th repetition); ``[]`` when empty."""
        reps = self.repeats(n)
        if repeat >= len(reps):
            return []
        return reps[repeat].split(self.delimiters.component)

    def component(self, n: int, c: int, repeat: int = 0) -> str:
        """Component ``c`` (1-based, as in ``EB13-2``) of element ``n``; empty when absent."""
        comps = self.components(n, repeat)
        return comps[c - 1] if 0 < c <= len(comps) else ""

    def structure(self) -> Structure:
        """Elements as repeats of components, free of delimiters (ISA elements are kept whole:
        ISA11 and ISA16 *are* delimiters)."""
        if self.id == "ISA":
            return tuple(((e,),) for e in self.elements)
        rep = self.delimiters.repetition
        comp = self.delimiters.component
        out = []
        for raw in self.elements:
            reps = raw.split(rep) if rep is not None and rep in raw else [raw]
            out.append(tuple(tuple(r.split(comp)) if comp in r else (r,) for r in reps))
        return tuple(out)

    def render(self, delimiters: Delimiters | None = None) -> str:
        """The segment as text (without terminator) using ``delimiters`` (default: its own)."""
        d = delimiters or self.delimiters
        if d == self.delimiters:
            elements: Iterable[str] = self.elements
        elif self.id == "ISA":
            elements = self._isa_elements(d)
        else:
            elements = self._reencode(d)
        return d.element.join((self.id, *elements))

    def _reencode(self, d: Delimiters) -> list[str]:
        out = []
        for n, reps in enumerate(self.structure(), start=1):
            if len(reps) > 1:
                out.append(encode_element(Repeated(reps), d, self.id, n))
            else:
                comps = reps[0]
                out.append(encode_element(comps if len(comps) > 1 else comps[0], d, self.id, n))
        return out

    def _isa_elements(self, d: Delimiters) -> list[str]:
        out = list(self.elements)
        if len(out) >= 16:
            out[10] = d.repetition if d.repetition is not None else "U"
            out[15] = d.component
        return out

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Segment):
            return NotImplemented
        if self.id != other.id:
            return False
        if self.delimiters == other.delimiters:
            return self.elements == other.elements
        return self.structure() == other.structure()

    def __hash__(self) -> int:
        return hash((self.id, self.structure()))

    def __repr__(self) -> str:
        return f"Segment({self.render()!r})"


_new_segment = object.__new__
_SET_ID, _SET_ELEMENTS, _SET_DELIMITERS, _SET_POSITION = (
    Segment.__dict__[name].__set__ for name in ("id", "elements", "delimiters", "position")
)


def read_segment(
    segment_id: str, elements: tuple[str, ...], delimiters: Delimiters, position: int
) -> Segment:
    """``Segment(segment_id, elements, delimiters, position)`` for the tokenizer, which makes one
    per segment read: the slots are filled directly, at half the cost of a frozen dataclass's
    ``__init__`` (the segment stays as immutable as any other)."""
    seg: Segment = _new_segment(Segment)
    _SET_ID(seg, segment_id)
    _SET_ELEMENTS(seg, elements)
    _SET_DELIMITERS(seg, delimiters)
    _SET_POSITION(seg, position)
    return seg


def write_segments(
    segments: Iterable[Segment], delimiters: Delimiters, line_ending: str = ""
) -> str:
    """Join segments with the segment terminator, each optionally followed by a line break.

    Segments built or read with other delimiters are re-encoded; a value that contains one of
    the target delimiters raises ``X12BuildError`` rather than silently corrupting the text."""
    if line_ending not in ("", "\n", "\r\n"):
        raise X12BuildError("line_ending is '', '\\n' or '\\r\\n'")
    if line_ending and delimiters.segment in line_ending:
        line_ending = ""  # the terminator already is the line break
    end = delimiters.segment + line_ending
    return "".join(s.render(delimiters) + end for s in segments)
