"""ASC X12 005010 reading and writing: one engine for every transaction set.

- ``reader``/``envelope``: text → segments → ISA/GS/ST envelopes (delimiters from the ISA).
- ``grammar``: a transaction set as data (HL levels, loops, segment repeats, element usage,
  code lists); ``hl`` the HL hierarchy; ``tree`` the one reader that walks a transaction
  through its grammar into a tree (and checks a tree against element usage and code lists).
- ``writer``: the one writer (``SegmentWriter``, ``write_transaction``) every builder uses.
- ``t270``, ``t271``, ``t278``: each set's grammar and the mapping between its tree and the
  domain (inquiry, benefits, review request/response); ``values``: what they share (NM1
  entities, AAA rejections, member loops, dates and amounts).

The domain meaning of a 271 lives in ``intake.eligibility.benefits``; of a 278 in ``t278.decision``.
"""

from intake.x12.control_numbers import (
    ClockSeededControlNumbers,
    ControlNumberSource,
    SequentialControlNumbers,
)
from intake.x12.delimiters import DEFAULT_DELIMITERS, Delimiters
from intake.x12.envelope import EnvelopeParties, Interchange, parse_interchange
from intake.x12.errors import (
    X12BuildError,
    X12EnvelopeError,
    X12Error,
    X12StructureError,
    X12SyntaxError,
    X12ValueError,
)
from intake.x12.segments import Segment, repeated

__all__ = [
    "DEFAULT_DELIMITERS",
    "ClockSeededControlNumbers",
    "ControlNumberSource",
    "Delimiters",
    "EnvelopeParties",
    "Interchange",
    "Segment",
    "SequentialControlNumbers",
    "X12BuildError",
    "X12EnvelopeError",
    "X12Error",
    "X12StructureError",
    "X12SyntaxError",
    "X12ValueError",
    "parse_interchange",
    "repeated",
]
