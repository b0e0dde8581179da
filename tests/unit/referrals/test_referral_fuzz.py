"""Property-based fuzzing of each referral parser and the 271 reader, with a time budget.

Each parser must turn any input into an outcome (never raise, never hang) whose stored parts
are bounded; the 271 reader must raise only its own ``X12Error`` on junk. The inputs mutate
real samples (so the fuzzer gets past the first byte) as well as being arbitrary. Budget:
``FUZZ_EXAMPLES`` examples per property (default 60) and 5 s per example; a longer run is
``FUZZ_EXAMPLES=2000 pytest tests/unit/referrals/test_referral_fuzz.py``.
"""

from __future__ import annotations

import contextlib
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake.eligibility.benefits.interpret import interpret_271
from intake.referrals import ParseOutcome, parse_referral_document
from intake.referrals.bounds import MAX_PROBLEMS
from intake.x12.errors import X12Error

SAMPLES = Path(__file__).resolve().parents[3] / "events" / "referrals"
X12 = Path(__file__).resolve().parents[2] / "fixtures" / "x12"
BUDGET = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "60")),
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)
RECEIVED = datetime(2026, 11, 30, tzinfo=UTC)


def mutated(sample: bytes) -> st.SearchStrategy[bytes]:
    """``sample`` with a slice replaced by arbitrary bytes, or cut short."""

    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        start = draw(st.integers(0, len(sample)))
        end = draw(st.integers(start, min(len(sample), start + 64)))
        filler = draw(st.binary(max_size=64))
        return sample[:start] + filler + sample[end:]

    return build() | st.integers(0, len(sample)).map(lambda n: sample[:n])


json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)


def replaced(document: dict[str, Any]) -> st.SearchStrategy[bytes]:
    """A JSON document with one leaf (found by a random walk) replaced by any JSON value."""

    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        data = json.loads(json.dumps(document))
        node: Any = data
        for _ in range(draw(st.integers(0, 6))):
            children = (
                list(node.items())
                if isinstance(node, dict)
                else list(enumerate(node))
                if isinstance(node, list)
                else []
            )
            if not children:
                break
            key, child = draw(st.sampled_from(children))
            if not isinstance(child, (dict, list)) or draw(st.booleans()):
                node[key] = draw(json_values)
                break
            node = child
        return json.dumps(data).encode()

    return build()


def assert_bounded(outcome: ParseOutcome) -> None:
    assert isinstance(outcome, ParseOutcome)
    assert len(outcome.problems) <= MAX_PROBLEMS
    assert len(json.dumps(outcome.model_dump(mode="json"), default=str)) < 300_000


JSON_SAMPLE = json.loads((SAMPLES / "01-ppo-deductible-coinsurance.json").read_bytes())
FHIR_SAMPLE = json.loads((SAMPLES / "24-fhir-bundle.json").read_bytes())
HL7_SAMPLE = (SAMPLES / "22-hl7-ref-i12.hl7").read_bytes()
PDF_SAMPLE = (SAMPLES / "20-fax-efax-text.pdf").read_bytes()
X12_SAMPLE = (X12 / "ppo-accumulators.271").read_text("utf-8")


@BUDGET
@given(replaced(JSON_SAMPLE) | st.binary(max_size=512))
def test_json_referrals_never_break_the_reader(data: bytes) -> None:
    assert_bounded(parse_referral_document(data, received_at=RECEIVED))


@BUDGET
@given(replaced(FHIR_SAMPLE))
def test_fhir_bundles_never_break_the_reader(data: bytes) -> None:
    assert_bounded(parse_referral_document(data, received_at=RECEIVED))


@BUDGET
@given(mutated(HL7_SAMPLE) | st.text(max_size=300).map(lambda t: ("MSH|^~\\&|" + t).encode()))
def test_hl7_messages_never_break_the_reader(data: bytes) -> None:
    assert_bounded(parse_referral_document(data, received_at=RECEIVED))


@BUDGET
@given(mutated(PDF_SAMPLE))
def test_pdfs_never_break_the_reader(data: bytes) -> None:
    assert_bounded(parse_referral_document(data, received_at=RECEIVED))


@BUDGET
@given(mutated(X12_SAMPLE.encode()).map(lambda b: b.decode("utf-8", "replace")))
def test_the_271_reader_raises_only_its_own_errors(text: str) -> None:
    with contextlib.suppress(X12Error):
        interpret_271(text)
