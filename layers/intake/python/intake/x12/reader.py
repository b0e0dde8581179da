"""Split interchange text into segments, with the delimiters its ISA announces.

One ``str.split`` per level keeps this fast; checks are limited to what would otherwise be
misread silently: segment ids, and text after the last terminator (a truncated file).
"""

from __future__ import annotations

from intake.x12.delimiters import Delimiters
from intake.x12.errors import X12SyntaxError
from intake.x12.segments import Segment, read_segment

_LINE_BREAKS = "\r\n"
_WHITESPACE = " \t\r\n\v\f"
"""Between segments: a space after each terminator, tabs or indentation, CR/LF line wrapping."""
_BOM = "\ufeff"


def _valid_id(segment_id: str) -> bool:
    return (
        2 <= len(segment_id) <= 3
        and segment_id.isascii()
        and segment_id.isalnum()
        and segment_id == segment_id.upper()
    )


def _padded(delimiters: Delimiters, pieces: list[str]) -> bool:
    """Segments ended by a line break where the sender put a space before every one after the
    ISA (a 4010 Medicaid sample does): that space is padding, not data."""
    if delimiters.segment not in _LINE_BREAKS:
        return False
    body = [p.rstrip(_LINE_BREAKS) for p in pieces[1:-1] if p.strip(_WHITESPACE)]
    return bool(body) and all(p.endswith(" ") for p in body)


def _whole_trailer(segment_id: str, parts: list[str]) -> bool:
    """An IEA with both its elements, its control number as long as ISA13 (9 digits): the
    sender only left out the final terminator (often a line break), nothing was cut."""
    return segment_id == "IEA" and len(parts) == 3 and len(parts[2]) == 9 and parts[2].isdigit()


def tokenize(text: str) -> tuple[Delimiters, list[Segment]]:
    """Delimiters and segments of one interchange.

    Any whitespace between segments is tolerated (files are wrapped one segment per line,
    indented, or carry a space after each terminator), as is a byte-order mark and a final IEA
    left without its terminator (a missing last line break). Whitespace
    inside a segment is data and is kept (a segment id cannot start with it, so stripping the
    start of each piece never loses data).
    """
    body = text.lstrip(_BOM + _WHITESPACE)
    if not body:
        raise X12SyntaxError("the text is empty: no ISA segment")
    delimiters = Delimiters.from_isa(body)
    element = delimiters.element
    pieces = body.split(delimiters.segment)
    last = len(pieces) - 1
    segments: list[Segment] = []
    append = segments.append
    position = 0
    known_ids: set[str] = set()  # checking each distinct id once keeps this loop cheap
    trailing = _LINE_BREAKS + " " if _padded(delimiters, pieces) else _LINE_BREAKS
    for i, piece in enumerate(pieces):
        raw = piece.lstrip(_WHITESPACE).rstrip(trailing)
        if not raw:
            continue
        position += 1
        parts = raw.split(element)
        segment_id = parts[0]
        if i == last and not _whole_trailer(segment_id, parts):
            # text after the final terminator: the interchange was cut short
            shown = segment_id if _valid_id(segment_id) else None
            raise X12SyntaxError(
                f"the segment has no terminator {delimiters.segment!r}: the file is truncated",
                position=position,
                segment_id=shown,
            )
        if segment_id in known_ids:
            pass
        elif _valid_id(segment_id):
            known_ids.add(segment_id)
        else:
            raise X12SyntaxError(
                "a segment id is 2 or 3 capital letters or digits; this one is not "
                f"({len(segment_id)} characters) - wrong delimiters or a broken line?",
                position=position,
            )
        append(read_segment(segment_id, tuple(parts[1:]), delimiters, position))
    return delimiters, segments
