"""The bad-input corpus at the parser: each kind is judged as documented (the local-stack test
pushes the same files through the whole system). Kinds needing OCR run where Tesseract is."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from intake.referrals import DocumentFormat, TesseractOcr, parse_referral_document
from intake.referrals.ocr import tesseract_available
from intake_local.samples.bad_inputs import BadInput, kinds

STRUCTURED = {DocumentFormat.JSON, DocumentFormat.X12, DocumentFormat.UNKNOWN}
NEEDS_OCR = {"tiff-fax-two-pages"}


def end_state(item: BadInput) -> tuple[str, list[str]]:
    ocr = TesseractOcr() if item.kind in NEEDS_OCR else None
    outcome = parse_referral_document(item.body, received_at=datetime.now(UTC), ocr=ocr)
    if outcome.referral is not None:
        return "in_progress", outcome.problems
    if outcome.readable and outcome.format not in STRUCTURED:
        return "in_review", outcome.problems
    return "quarantined", outcome.problems


@pytest.mark.parametrize("item", kinds(), ids=lambda k: k.kind)
def test_each_bad_input_ends_as_documented(item: BadInput) -> None:
    if item.kind in NEEDS_OCR and not tesseract_available():
        pytest.skip("needs the tesseract-ocr package")
    # Given one kind of bad input, When it is read
    state, problems = end_state(item)
    # Then it ends in its documented state, with a reason a reviewer reads
    assert state == item.expect, problems
    if item.problem:
        assert any(item.problem in p for p in problems), problems


def test_the_corpus_has_at_least_sixty_distinct_kinds() -> None:
    corpus = kinds()
    assert len(corpus) >= 60
    assert len({k.kind for k in corpus}) == len(corpus)
    assert len({k.body for k in corpus}) == len(corpus)  # each its own referral id
