"""Benchmark: 271 parse + interpret and 270 build (prints figures; not a test).

Run: .venv/bin/python bench/bench_x12.py
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from intake.eligibility.benefits.interpret import interpret_271
from intake.x12.control_numbers import SequentialControlNumbers
from intake.x12.t270 import build_270
from intake_local.samples.sandbox_family import ava_martinez_inquiry
from intake_local.sandbox.payer import SandboxPayer

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 3000


def _measure(fn: Callable[[], object], rounds: int = ROUNDS) -> list[float]:
    for _ in range(200):  # warm-up
        fn()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def _report(label: str, times: list[float]) -> None:
    median = statistics.median(times)
    p95 = statistics.quantiles(times, n=100)[94]
    sys.stdout.write(
        f"{label:<58} median {median * 1e6:8.1f} us   p95 {p95 * 1e6:8.1f} us   "
        f"{1 / median:9.0f} docs/s\n"
    )


def main() -> None:
    inquiry = ava_martinez_inquiry("BENCH-1")
    numbers = SequentialControlNumbers()
    ppo_271 = SandboxPayer().respond_270(build_270(inquiry)).x12
    documents = {
        "LinuxForHealth subscriber 271 (26 segments, 5 EB)": ROOT
        / "bench"
        / "fixtures"
        / "lfh-subscriber-health-benefit-check.271",
        "hand-written PPO 271 (46 segments, 24 EB)": ROOT
        / "tests"
        / "fixtures"
        / "x12"
        / "ppo-accumulators.271",
    }
    for label, path in documents.items():
        text = path.read_text(encoding="ascii")
        _report(f"parse+interpret {label}", _measure(partial(interpret_271, text)))
    _report(
        f"parse+interpret sandbox PPO 271 ({ppo_271.count('~')} segments)",
        _measure(lambda: interpret_271(ppo_271)),
    )
    _report(
        "build 270 (validated inquiry -> interchange text)",
        _measure(lambda: build_270(inquiry, control_numbers=numbers)),
    )


if __name__ == "__main__":
    main()
