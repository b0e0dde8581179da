"""Faxed referrals as TIFF (single or multi-page): what fax servers commonly deliver.

Read with the same limits as a scanned PDF: at most ``max_pdf_pages`` pages, the first
``max_ocr_pages`` read by the injected ``OcrEngine``, each page's size checked from its header
before it is decoded (``max_image_pixels``), downscaled to ``max_render_pixels`` for OCR, and
the file's time budget checked between pages. Pillow reads the TIFF (Group 3/4 fax
compression included); its own decompression-bomb guard stays on behind ours.
"""

from __future__ import annotations

import io
import math

from intake.referrals.fields import Line, extract_fields, lines_from_ocr
from intake.referrals.limits import Deadline, LimitExceededError, Limits
from intake.referrals.ocr import OcrEngine, OcrError
from intake.referrals.outcome import Extraction


def _page_png(image: object, limits: Limits) -> bytes:
    from PIL import Image

    assert isinstance(image, Image.Image)
    gray = image.convert("L")
    width, height = gray.size
    if width * height > limits.max_render_pixels:
        scale = math.sqrt(limits.max_render_pixels / (width * height))
        gray = gray.resize((max(1, int(width * scale)), max(1, int(height * scale))))
    buffer = io.BytesIO()
    gray.save(buffer, format="PNG")
    return buffer.getvalue()


def parse_tiff(
    data: bytes, *, ocr: OcrEngine | None, limits: Limits, deadline: Deadline
) -> Extraction:
    """Read a TIFF fax; raises ValueError / LimitExceededError (plain words) if unreadable."""
    from PIL import Image, UnidentifiedImageError

    too_big = LimitExceededError(
        f"the TIFF holds an image of more than {limits.max_image_pixels // 1_000_000} million "
        "pixels; a faxed page has about 4 million"
    )
    try:
        image = Image.open(io.BytesIO(data))
        count = getattr(image, "n_frames", 1)
    except Image.DecompressionBombError as exc:  # Pillow's guard saw the header first
        raise too_big from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise ValueError(f"the TIFF is damaged or cut off ({type(exc).__name__})") from exc
    if count > limits.max_pdf_pages:
        raise LimitExceededError(
            f"the TIFF has {count} pages; at most {limits.max_pdf_pages} are read"
        )
    lines: list[Line] = []
    problems: list[str] = []
    for index in range(min(count, limits.max_ocr_pages)):
        deadline.check(f"page {index + 1}")
        try:
            image.seek(index)
            width, height = image.size
        except (OSError, EOFError, ValueError) as exc:
            raise ValueError(
                f"the TIFF page {index + 1} cannot be read ({type(exc).__name__})"
            ) from exc
        if width * height > limits.max_image_pixels:
            raise too_big
        if ocr is None:
            raise ValueError("the fax is a TIFF image and no OCR engine is set up to read it")
        try:
            png = _page_png(image, limits)
        except Image.DecompressionBombError as exc:
            raise too_big from exc
        except (OSError, ValueError):
            problems.append(f"page {index + 1}: its image could not be decoded")
            continue
        timeout = max(0.5, min(limits.ocr_page_timeout_s, deadline.remaining()))
        try:
            lines.extend(lines_from_ocr(ocr.recognize(png, timeout_s=timeout)))
        except OcrError as exc:
            if exc.timed_out:
                deadline.note_timeout()
            problems.append(f"page {index + 1}: {exc}")
    if count > limits.max_ocr_pages:
        problems.append(
            f"only the first {limits.max_ocr_pages} pages were read by OCR (the TIFF has {count})"
        )
    if not lines:
        detail = f" ({'; '.join(problems)})" if problems else ""
        raise ValueError(f"OCR found no readable text on the TIFF pages{detail}")
    extraction = extract_fields(lines)
    extraction.problems[:0] = problems
    return extraction
