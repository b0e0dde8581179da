"""Faxed referral PDFs: the text layer when there is one, OCR for image-only (scanned) pages.

Text layer: pypdf rather than pdfplumber. Both are maintained; pypdf is pure Python with no
pdfminer/Pillow chain, so the Lambda layer stays small and behaves the same on any
architecture, it reads damaged files in non-strict mode, and it caps stream decompression
(``ZLIB_MAX_OUTPUT_LENGTH`` and friends) against PDF bombs. A labelled form needs lines of
text, not pdfplumber's character geometry.

Scans: pages are rasterized with pypdfium2 (PDFium, the engine in Chrome; a manylinux wheel
that also runs in Lambda, unlike poppler's pdftoppm) at 300 dpi, capped by pixel count, and
read by the injected ``OcrEngine`` (Tesseract locally, Textract in AWS).
"""

from __future__ import annotations

import io
import logging
import math
import re
from typing import Any

from intake.referrals.fields import Line, extract_fields, lines_from_ocr, lines_from_text
from intake.referrals.limits import Deadline, LimitExceededError, Limits
from intake.referrals.ocr import OcrEngine, OcrError
from intake.referrals.outcome import Extraction

log = logging.getLogger(__name__)

OCR_DPI = 300
MIN_TEXT_CHARS = 20  # fewer non-blank characters than this: the page is a picture


def _has_images(resources: Any, depth: int = 0) -> bool:
    try:
        xobjects = resources.get("/XObject") if resources is not None else None
        if xobjects is None:
            return False
        for ref in xobjects.get_object().values():
            obj = ref.get_object()
            subtype = obj.get("/Subtype")
            if subtype == "/Image":
                return True
            if subtype == "/Form" and depth < 3 and _has_images(obj.get("/Resources"), depth + 1):
                return True
    except (AttributeError, KeyError, TypeError, ValueError):
        return False
    return False


def largest_image_pixels(resources: Any, depth: int = 0) -> int:
    """Pixels of the largest image a page draws, read from the image dictionaries' /Width and
    /Height: known before anything is decoded (a 1.5 MB PDF can hold a 40000 x 40000 image that
    decodes to 1.6 GB)."""
    largest = 0
    try:
        xobjects = resources.get("/XObject") if resources is not None else None
        if xobjects is None:
            return 0
        for ref in xobjects.get_object().values():
            obj = ref.get_object()
            subtype = obj.get("/Subtype")
            if subtype == "/Image":
                largest = max(largest, int(obj.get("/Width", 0)) * int(obj.get("/Height", 0)))
            elif subtype == "/Form" and depth < 3:
                largest = max(largest, largest_image_pixels(obj.get("/Resources"), depth + 1))
    except (AttributeError, KeyError, TypeError, ValueError):
        return largest
    return largest


_INLINE_SIZE = re.compile(rb"/(?:W|Width)\s+(\d+)\s*/(?:H|Height)\s+(\d+)")


def _largest_inline_pixels(content: bytes) -> int:
    return max((int(w) * int(h) for w, h in _INLINE_SIZE.findall(content[:1_000_000])), default=0)


def _content(page: Any) -> bytes:
    """The page's decompressed content stream (pypdf caps decompression); b"" if damaged."""
    try:
        contents = page.get_contents()
        data: bytes = contents.get_data() if contents is not None else b""
    except Exception:  # pypdf raises many types on damaged or bomb-sized streams
        return b""
    return data


def _has_inline_image(content: bytes) -> bool:
    return b"\nBI" in content or b" BI " in content or content.startswith(b"BI")


def _render_png(document: Any, index: int, limits: Limits) -> bytes:
    page = document[index]
    try:
        width, height = page.get_size()
        scale = OCR_DPI / 72
        if width * height * scale * scale > limits.max_render_pixels:
            scale = math.sqrt(limits.max_render_pixels / max(width * height, 1.0))
        image = page.render(scale=scale, grayscale=True).to_pil().convert("L")
    finally:
        page.close()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _ocr_pages(
    data: bytes,
    pages: list[int],
    *,
    ocr: OcrEngine,
    limits: Limits,
    deadline: Deadline,
    problems: list[str],
) -> list[Line]:
    import pypdfium2 as pdfium

    lines: list[Line] = []
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise ValueError("the scanned PDF pages could not be rendered for OCR") from exc
    try:
        for index in pages[: limits.max_ocr_pages]:
            deadline.check(f"OCR of page {index + 1}")
            image = _render_png(document, index, limits)
            # pytesseract treats 0 as "no timeout", so never pass less than half a second
            timeout = max(0.5, min(limits.ocr_page_timeout_s, deadline.remaining()))
            try:
                page = ocr.recognize(image, timeout_s=timeout)
            except OcrError as exc:
                if exc.timed_out:
                    deadline.note_timeout()
                problems.append(f"page {index + 1}: {exc}")
                continue
            lines.extend(lines_from_ocr(page))
    finally:
        document.close()
    if len(pages) > limits.max_ocr_pages:
        problems.append(
            f"only the first {limits.max_ocr_pages} scanned pages were read by OCR "
            f"(the PDF has {len(pages)})"
        )
    return lines


def _open(data: bytes) -> Any:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValueError("the PDF is password-protected; ask the clinic to resend it unlocked")
        _ = len(reader.pages)
    except ValueError:
        raise
    except Exception as exc:  # pypdf raises PdfReadError, KeyError, TypeError... on junk
        raise ValueError(
            f"the PDF is damaged or cut off and cannot be opened ({type(exc).__name__})"
        ) from exc
    return reader


def parse_pdf(
    data: bytes, *, ocr: OcrEngine | None, limits: Limits, deadline: Deadline
) -> Extraction:
    """Read a faxed PDF; raises ValueError / LimitExceededError (plain words) if unreadable."""
    reader = _open(data)
    try:
        count = len(reader.pages)
    except Exception as exc:
        raise ValueError(f"the PDF page tree is damaged ({type(exc).__name__})") from exc
    if count == 0:
        raise ValueError("the PDF has no pages")
    if count > limits.max_pdf_pages:
        raise LimitExceededError(
            f"the PDF has {count} pages; at most {limits.max_pdf_pages} are read"
        )
    lines: list[Line] = []
    scanned: list[int] = []
    problems: list[str] = []
    for index in range(count):
        deadline.check(f"page {index + 1}")
        try:
            page = reader.pages[index]
            content = _content(page)
            if len(content) > limits.max_page_content_bytes:
                raise LimitExceededError(
                    f"page {index + 1} holds more than {limits.max_page_content_bytes // 1024} KB "
                    "of drawing instructions; a referral form holds far less"
                )
            pixels = max(
                largest_image_pixels(page.get("/Resources")), _largest_inline_pixels(content)
            )
            if pixels > limits.max_image_pixels:
                raise LimitExceededError(
                    f"page {index + 1} holds an image of more than "
                    f"{limits.max_image_pixels // 1_000_000} million pixels; a faxed page has "
                    "about 4 million"
                )
            text = (page.extract_text() or "")[: limits.max_page_text_chars]
        except LimitExceededError:
            raise
        except Exception as exc:  # a damaged page must not sink the others
            log.info("pdf page text failed", extra={"page": index + 1, "error": type(exc).__name__})
            page, text, content = None, "", b""
            problems.append(f"page {index + 1}: its text could not be read")
        if sum(1 for c in text if not c.isspace()) >= MIN_TEXT_CHARS:
            lines.extend(lines_from_text(text))
        elif page is not None and (
            _has_images(page.get("/Resources")) or _has_inline_image(content)
        ):
            scanned.append(index)
    if scanned and ocr is None:
        if not lines:
            raise ValueError("the PDF is a scanned image and no OCR engine is set up to read it")
        problems.append(f"{len(scanned)} scanned page(s) were not read (no OCR engine)")
    elif scanned and ocr is not None:
        lines.extend(
            _ocr_pages(data, scanned, ocr=ocr, limits=limits, deadline=deadline, problems=problems)
        )
        if not lines:
            detail = f" ({'; '.join(problems)})" if problems else ""
            raise ValueError(f"OCR found no readable text on the scanned pages{detail}")
    if not lines:
        raise ValueError("the PDF has no text and no images: there is nothing to read")
    extraction = extract_fields(lines)
    extraction.problems[:0] = problems
    return extraction
