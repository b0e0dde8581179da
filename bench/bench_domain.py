"""Speed and memory of the domain steps per referral (figures, not tests).

    .venv/bin/python bench/bench_domain.py

Parse per intake format (OCR once: it is seconds, not milliseconds), the copay estimate, and
the prior-authorization packet; peak memory of each from tracemalloc.
"""

from __future__ import annotations

import functools
import json
import statistics
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any

from intake.authorization.packet import Pharmacy, build_packet, decide_prior_auth
from intake.eligibility.benefits.interpret import interpret_271
from intake.eligibility.service import inquiry_for
from intake.estimate import estimate
from intake.models.referral import Referral
from intake.referrals import parse_referral_document
from intake.referrals.ocr import TesseractOcr
from intake.x12.t270 import build_270
from intake_local.sandbox.payer import SandboxPayer

SAMPLES = Path(__file__).resolve().parents[1] / "events" / "referrals"


def measure(name: str, call: Callable[[], Any], runs: int) -> None:
    call()  # warm
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    call()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    median = statistics.median(times)
    print(
        f"{name:<38} median {median * 1000:9.2f} ms   max {max(times) * 1000:9.2f} ms"
        f"   peak {peak / 1024 / 1024:6.1f} MiB   ({runs} runs)"
    )


def main() -> None:
    for sample, runs in (
        ("01-ppo-deductible-coinsurance.json", 200),
        ("20-fax-efax-text.pdf", 30),
        ("22-hl7-ref-i12.hl7", 200),
        ("23-hl7-rde-o11.hl7", 200),
        ("24-fhir-bundle.json", 200),
    ):
        data = (SAMPLES / sample).read_bytes()
        measure(f"parse {sample}", functools.partial(parse_referral_document, data), runs)
    scanned = (SAMPLES / "21-fax-scanned.pdf").read_bytes()
    measure(
        "parse 21-fax-scanned.pdf (Tesseract)",
        lambda: parse_referral_document(scanned, ocr=TesseractOcr()),
        2,
    )

    referral = Referral.model_validate(
        json.loads((SAMPLES / "01-ppo-deductible-coinsurance.json").read_text("utf-8"))
    )
    now = datetime.now(UTC)
    x12 = (
        SandboxPayer()
        .respond_270(build_270(inquiry_for(referral, "Lakeside", "1609876549", "B1", now)))
        .x12
    )
    benefits = interpret_271(x12)[0]
    # A 12-month course (sample 01: every 8 weeks, 7 infusions) priced from a fixed first dose,
    # so the figure does not depend on the day it is run.
    for label, start in (
        ("estimate (12-month course)", date(2026, 1, 5)),
        ("estimate (12-month course, two plan years)", date(2026, 9, 1)),
    ):
        measure(
            label,
            partial(
                estimate,
                benefits,
                referral.therapy,
                weight_kg=referral.patient.weight_kg,
                start=start,
                as_of=date(2026, 1, 5),
                payer_id="SBX01",
            ),
            400,
        )
    pharmacy = Pharmacy(
        name="Lakeside Home Infusion", npi="1609876549", phone="3125550190", fax="3125550191"
    )
    decision = decide_prior_auth(referral, benefits)
    original = (SAMPLES / "01-ppo-deductible-coinsurance.json").read_bytes()
    measure(
        "prior-auth packet (PDF + 278 + PAS)",
        lambda: build_packet(
            referral,
            benefits,
            decision,
            pharmacy=pharmacy,
            original_document=original,
            original_name="referral.json",
            now=now,
        ),
        10,
    )


if __name__ == "__main__":
    main()
