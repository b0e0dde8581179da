"""Errors raised while reading or writing X12.

Every reading error names the segment (1-based position in the interchange and its id) so an
operator can open the file and find the problem without a debugger. Messages never quote
element values: 271s carry PHI.
"""

from __future__ import annotations


class X12Error(ValueError):
    """Any X12 problem; positioned errors prefix ``segment N (ID): `` to the reason."""

    def __init__(self, reason: str, *, position: int | None = None, segment_id: str | None = None):
        self.reason = reason
        self.position = position
        self.segment_id = segment_id
        if position is not None:
            where = f"segment {position}" + (f" ({segment_id})" if segment_id else "")
            super().__init__(f"{where}: {reason}")
        else:
            super().__init__(reason)


class X12SyntaxError(X12Error):
    """The text is not X12: no ISA, bad ISA width, bad delimiters, bad segment ids, truncation."""


class X12EnvelopeError(X12Error):
    """ISA/GS/ST envelopes are out of order, or their counts or control numbers disagree."""


class X12StructureError(X12Error):
    """A transaction's segments do not form the loops its implementation guide defines."""


class X12ValueError(X12Error):
    """An element holds a value of the wrong shape (a date, an amount, a code)."""


class X12BuildError(X12Error):
    """Data to be written cannot be expressed with the chosen delimiters or envelope."""
