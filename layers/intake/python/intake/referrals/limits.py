"""Per-file bounds on time and memory, so one hostile or broken upload cannot stall intake.

Every intake format is read inside these limits; going past one ends the parse with
``readable=False`` and a plain-word reason (the file is quarantined for a person to look at).

=========================  ==========  ======================================================
limit                      default     why
=========================  ==========  ======================================================
``max_input_bytes``        20 MiB      a referral packet is a few pages; bigger is not a fax
``max_pdf_pages``          20          a referral is 1-10 pages; more is a chart dump
``max_ocr_pages``          10          OCR costs ~2-5 s a page; first pages hold the form
``ocr_page_timeout_s``     30 s        one stuck page must not hold the whole Lambda
``max_render_pixels``      40 Mpx      a page declaring a 200-inch MediaBox is not rendered
                                       at full size (letter at 300 dpi is ~8.4 Mpx)
``max_image_pixels``       50 Mpx      any one image in a PDF or TIFF, from its header, before
                                       it is decoded (a 300-dpi letter page is ~8.4 Mpx; 50 Mpx
                                       of 8-bit gray is 50 MB decoded, 1024 MB is the function)
``max_page_text_chars``    100 000     text kept per PDF page; a form has ~2 000
``max_page_content_bytes`` 1 MiB       decompressed drawing instructions per page; a text
                                       form has < 50 KB, and pypdf reads ~0.6 MB/s
``max_json_bytes``         5 MiB       a referral or FHIR Bundle without attachments
``max_json_depth``         64          FHIR nests ~15 deep; deeper is an attack, not data
``max_json_nodes``         200 000     objects + arrays + values in one JSON document
``max_hl7_bytes``          1 MiB       one HL7 v2 message (not a batch of thousands)
``max_hl7_segments``       500         a REF/RDE/ORM message has 10-60 segments
``total_time_s``           50 s        wall-clock budget for one file, checked between steps
                                       (``READ_TIME_BUDGET_SECONDS``, 10-100; OCR pages 60 %):
                                       well inside the ingest function's 120 s timeout, so the
                                       budget fires first and the file is quarantined
``max_start_ahead_days``   365         a therapy start this far after receipt is a typo
                                       (plausibility; a start in the past means "now")
=========================  ==========  ======================================================

The time budget is cooperative (checked between pages and steps; OCR subprocesses are killed
at their own timeout). The Lambda timeout and memory size stay the hard backstop. PDF stream
decompression is capped by pypdf's own limits (``ZLIB_MAX_OUTPUT_LENGTH`` and friends).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Bounds for one file; tests pass smaller ones to exercise each path quickly."""

    max_input_bytes: int = 20 * MiB
    max_pdf_pages: int = 20
    max_ocr_pages: int = 10
    ocr_page_timeout_s: float = 30.0
    max_render_pixels: int = 40_000_000
    max_image_pixels: int = 50_000_000
    max_page_text_chars: int = 100_000
    max_page_content_bytes: int = 1 * MiB
    max_json_bytes: int = 5 * MiB
    max_json_depth: int = 64
    max_json_nodes: int = 200_000
    max_hl7_bytes: int = 1 * MiB
    max_hl7_segments: int = 500
    total_time_s: float = 50.0
    max_start_ahead_days: int = 365


DEFAULT_LIMITS = Limits()


class LimitExceededError(Exception):
    """A file went past one of the limits; ``str(exc)`` is the plain-word reason."""


class TimeLimitExceededError(LimitExceededError):
    """The time budget ran out: on a busy machine that is the machine, not the file, so the
    upload is read again later before it is quarantined (``intake.referrals.ingest``)."""


class Deadline:
    """A wall-clock budget that parsers check between steps (cooperative, not preemptive).
    ``timed_out`` also records a step that gave up on its own clock (an OCR page)."""

    def __init__(self, seconds: float) -> None:
        self._seconds = seconds
        self._ends = time.monotonic() + seconds
        self.timed_out = False

    def note_timeout(self) -> None:
        self.timed_out = True

    def remaining(self) -> float:
        return max(0.0, self._ends - time.monotonic())

    def check(self, step: str) -> None:
        if time.monotonic() > self._ends:
            self.timed_out = True
            raise TimeLimitExceededError(
                f"reading the file took longer than {self._seconds:g} seconds (stopped at {step})"
            )
