"""Serialize segments to X12 text.

Segments built or read with other delimiters are re-encoded; a value that contains one of the
target delimiters raises ``X12BuildError`` rather than silently corrupting the interchange.
"""

from __future__ import annotations

from collections.abc import Iterable

from intake.x12.delimiters import Delimiters
from intake.x12.errors import X12BuildError
from intake.x12.segments import Segment


def write_segments(
    segments: Iterable[Segment], delimiters: Delimiters, line_ending: str = ""
) -> str:
    """Join segments with the segment terminator, each optionally followed by a line break."""
    if line_ending not in ("", "\n", "\r\n"):
        raise X12BuildError("line_ending is '', '\\n' or '\\r\\n'")
    if line_ending and delimiters.segment in line_ending:
        line_ending = ""  # the terminator already is the line break
    end = delimiters.segment + line_ending
    return "".join(s.render(delimiters) + end for s in segments)
