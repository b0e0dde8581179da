"""Control numbers for ISA13, GS06 and ST02.

Receivers reject duplicate interchange control numbers, so the default source is seeded from
the clock (milliseconds) and counts up from there: unique within a process, and across
processes unless one issues more numbers than milliseconds pass between their starts. Tests
inject ``SequentialControlNumbers`` for reproducible output.
"""

from __future__ import annotations

import itertools
import threading
import time
from typing import Protocol

_MODULUS = 999_999_999  # ISA13 is 9 digits; 0 is avoided


class ControlNumberSource(Protocol):
    """Where builders get control numbers; each call returns a new number."""

    def next_interchange(self) -> int: ...

    def next_group(self) -> int: ...

    def next_transaction(self) -> int: ...


class _Counter:
    def __init__(self, start: int) -> None:
        self._count = itertools.count(start)
        self._lock = threading.Lock()

    def next(self) -> int:
        with self._lock:
            return (next(self._count) - 1) % _MODULUS + 1


class _Counters:
    """ISA13, GS06 and ST02 each drawn from a counter; one counter may serve several kinds."""

    def __init__(self, interchange: _Counter, group: _Counter, transaction: _Counter) -> None:
        self._interchange = interchange
        self._group = group
        self._transaction = transaction

    def next_interchange(self) -> int:
        return self._interchange.next()

    def next_group(self) -> int:
        return self._group.next()

    def next_transaction(self) -> int:
        return self._transaction.next()


class SequentialControlNumbers(_Counters):
    """1, 2, 3… per kind: deterministic, for tests and fixtures."""

    def __init__(self, start: int = 1) -> None:
        super().__init__(_Counter(start), _Counter(start), _Counter(start))


class ClockSeededControlNumbers(_Counters):
    """One counter seeded from the clock, shared by all kinds so numbers never repeat."""

    def __init__(self, seed_ms: int | None = None) -> None:
        seed = time.time_ns() // 1_000_000 if seed_ms is None else seed_ms
        counter = _Counter(seed % _MODULUS + 1)
        super().__init__(counter, counter, counter)


_DEFAULT: ClockSeededControlNumbers | None = None
_DEFAULT_LOCK = threading.Lock()


def default_control_numbers() -> ClockSeededControlNumbers:
    """The process-wide source (created on first use, not at import)."""
    global _DEFAULT  # noqa: PLW0603 - one source per process is the point
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = ClockSeededControlNumbers()
        return _DEFAULT
