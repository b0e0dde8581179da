"""ASC X12 005010 reading and writing: delimiters, segments, envelopes, 270 and 271.

Subpackages: ``t270`` (eligibility inquiry builder/reader), ``t271`` (response parser/builder).
The domain meaning of a 271 lives in ``intake.eligibility.benefits``.
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
