"""Time and peak memory of reading each bad-input kind, as the ingest function does (figures,
not tests).

    .venv/bin/python bench/bench_bad_inputs.py

Each kind is read in a forked child (parse with Tesseract OCR, the default limits), so its
peak resident memory is its own: ``os.wait4`` returns the child's ``ru_maxrss``, which
includes the parent's pages the child touches (the "base" line shows the floor). Flags any
kind over the ingest function's memory (1024 MB) or half its timeout (60 s).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from datetime import UTC, datetime

from intake.referrals import TesseractOcr, parse_referral_document
from intake.referrals.ocr import tesseract_available
from intake_local.samples.bad_inputs import kinds

FUNCTION_MEMORY_MB = 1024
HALF_TIMEOUT_S = 60.0


def measure(body: bytes) -> tuple[float, float, str]:
    """(seconds, peak MB, end) of reading ``body`` in a forked child."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: read the file, report, leave without running the parent's cleanup
        os.close(read)
        started = time.perf_counter()
        ocr = TesseractOcr() if tesseract_available() else None
        outcome = parse_referral_document(body, received_at=datetime.now(UTC), ocr=ocr)
        seconds = time.perf_counter() - started
        end = "referral" if outcome.referral else ("draft" if outcome.readable else "unreadable")
        os.write(write, json.dumps({"s": seconds, "end": end}).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        result = json.loads(pipe.read() or '{"s": -1, "end": "crashed"}')
    _, _, usage = os.wait4(pid, 0)
    return result["s"], usage.ru_maxrss / 1024, result["end"]


def main() -> int:
    corpus = kinds()
    parse_referral_document(b"{}")  # import everything before forking
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"bad-input kinds: {len(corpus)}; base process {base:.0f} MB")
    print(f"{'kind':34} {'bytes':>10} {'ms':>9} {'peak MB':>8}  end")
    worst_s, worst_mb, over = 0.0, 0.0, []
    for item in corpus:
        seconds, peak, end = measure(item.body)
        worst_s, worst_mb = max(worst_s, seconds), max(worst_mb, peak)
        if seconds > HALF_TIMEOUT_S or peak > FUNCTION_MEMORY_MB:
            over.append(item.kind)
        print(f"{item.kind:34} {len(item.body):>10} {seconds * 1000:>9.1f} {peak:>8.0f}  {end}")
    print(
        f"slowest {worst_s:.2f} s (limit {HALF_TIMEOUT_S:g} s); largest peak {worst_mb:.0f} MB "
        f"(limit {FUNCTION_MEMORY_MB} MB); over a limit: {over or 'none'}"
    )
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
