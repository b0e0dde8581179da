"""Delimiters of an interchange, read from its fixed-width ISA segment.

X12 has no escape character: the sender picks delimiters that do not occur in its data, and
announces them in the ISA. So a reader must take them from the ISA, never assume ``*``/``~``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from intake.x12.errors import X12SyntaxError

ISA_LENGTH = 106
"""ISA segment length including its terminator: 16 fixed-width elements."""

ISA_SEPARATOR_POSITIONS = (3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103)
"""0-based offsets of the 16 element separators inside the ISA (the n-th precedes ISA{n})."""

_REPETITION_OFFSET = 82
_COMPONENT_OFFSET = 104
_TERMINATOR_OFFSET = 105


@dataclass(frozen=True, slots=True)
class Delimiters:
    """The four X12 separators. ``repetition`` is None for pre-5010 interchanges (ISA11 = U)."""

    element: str = "*"
    repetition: str | None = "^"
    component: str = ":"
    segment: str = "~"
    chars: frozenset[str] = field(init=False, repr=False, compare=False)
    """Every delimiter character (data must contain none of them); set once, read per element
    written."""

    def __post_init__(self) -> None:
        chars = [self.element, self.component, self.segment]
        if self.repetition is not None:
            chars.append(self.repetition)
        for c in chars:
            if len(c) != 1:
                raise X12SyntaxError("each delimiter must be exactly one character")
            if c.isalnum() or c == " ":
                raise X12SyntaxError(
                    f"delimiter {c!r} is a letter, digit or space, which X12 data may contain"
                )
        if len(set(chars)) != len(chars):
            raise X12SyntaxError(f"delimiters must all differ, got {chars!r}")
        object.__setattr__(self, "chars", frozenset(chars))

    @classmethod
    def from_isa(cls, text: str) -> Delimiters:
        """Read delimiters from an interchange that starts with its ISA segment.

        The element separator is the 4th character, ISA11 the repetition separator, ISA16 the
        component separator and the character after it the segment terminator. The fixed
        element widths are checked so a short or padded-wrong ISA is reported, not misread.
        """
        if not text.startswith("ISA"):
            raise X12SyntaxError(
                "an interchange must start with an ISA segment (is this X12?)", position=1
            )
        if len(text) < ISA_LENGTH:
            raise X12SyntaxError(
                f"the ISA is {ISA_LENGTH} characters long, the text has only {len(text)} "
                "(truncated?)",
                position=1,
                segment_id="ISA",
            )
        element = text[3]
        offsets: tuple[int, ...] = ISA_SEPARATOR_POSITIONS
        for n, offset in enumerate(ISA_SEPARATOR_POSITIONS, start=1):
            if text[offset] != element:
                found = _separators(text, element)
                if found is None:
                    raise X12SyntaxError(
                        f"wrong ISA length: ISA{n - 1:02d} should be followed by the element "
                        f"separator {element!r} at character {offset + 1} (ISA elements are "
                        "fixed-width)",
                        position=1,
                        segment_id="ISA",
                    )
                offsets = found  # a padded-wrong ISA whose 16 elements are all there
                break
        repetition: str | None = text[offsets[10] + 1]
        component = text[offsets[15] + 1]
        if repetition is not None and (repetition.isalnum() or repetition == component):
            # 004010 and earlier: ISA11 is a standards identifier ("U"); a sender announcing
            # the same character for ISA11 and ISA16 uses it for repetitions (EB03), the
            # envelope check warns
            repetition = None if repetition.isalnum() else repetition
            component = _UNUSED if repetition is not None else component
        try:
            return cls(element, repetition, component, text[offsets[15] + 2])
        except X12SyntaxError as exc:
            raise X12SyntaxError(exc.reason, position=1, segment_id="ISA") from exc


_UNUSED = "\x1f"
"""The component separator of an interchange whose ISA16 repeats ISA11: a character no
printable data holds, so no element is split into components."""


def _separators(text: str, element: str) -> tuple[int, ...] | None:
    """The 16 element separators of an ISA whose widths are wrong, when its 16 elements are
    all there (ISA16 one character, then the terminator); None when they are not."""
    offsets: list[int] = []
    at = text.find(element)
    while at != -1 and len(offsets) < 16:
        offsets.append(at)
        at = text.find(element, at + 1)
    if len(offsets) < 16 or offsets[15] + 2 >= len(text) or text[offsets[15] + 2].isalnum():
        return None
    after = text[offsets[15] + 3 : offsets[15] + 40].lstrip(" \t\r\n")
    if not after.startswith(("GS", "IEA")):  # what follows the ISA must be a group or the end
        return None
    return tuple(offsets)


DEFAULT_DELIMITERS = Delimiters()
"""``*`` elements, ``^`` repetitions, ``:`` components, ``~`` segments: the common choice."""
